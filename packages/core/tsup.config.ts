import { packageConfig } from '../../tsup.config.base.ts';

// `@jwt-gate/core` and `@jwt-gate/core/adapter` (the kit adapters are built from).
export default packageConfig({ entry: ['src/index.ts', 'src/adapter.ts'] });
