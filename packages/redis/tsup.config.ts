import { packageConfig } from '../../tsup.config.base.ts';

// Node only (node-redis is): node:crypto for the keys' hashes and the scripts' SHA-1.
export default packageConfig({ platform: 'node' });
