import { packageConfig } from '../../tsup.config.base.ts';

// A command, not a library: one ESM file with its shebang (tsup marks it executable), no
// declarations, Node built-ins allowed. Dependencies stay external, as in every package.
export default packageConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  platform: 'node',
  dts: false,
  splitting: false,
  // Keep `node:` specifiers as written: every supported Node has them.
  removeNodeProtocol: false,
});
