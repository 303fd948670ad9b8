// Bundles the benchmark entry points with jwt-gate compiled from its sources exactly as the
// published build compiles them (esbuild, no name-keeping helpers), so the numbers measure the
// code users run. Third-party packages (the peers, the frameworks) stay external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const external = Object.keys(dependencies).filter((name) => !name.startsWith('@jwt-gate/'));

await build({
  entryPoints: { run: 'src/run.ts', server: 'src/server.ts' },
  outdir: '.build',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [...external, 'hono/*'],
  logLevel: 'warning',
});
