// `npm test [-- <turbo options>]`: installs the whole workspace, then runs every package's and
// example's tests through turbo (extra arguments go to turbo, e.g. `--filter=@jwt-gate/core`).
// Output piped to a file or a CI log carries no colour codes.

import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { pnpmCommand, root } from './packing.mjs';

const pnpm = pnpmCommand();
const env = { ...process.env };
if (!process.stdout.isTTY && env.FORCE_COLOR === undefined) env.NO_COLOR = '1';
const run = (args) => execFileSync(pnpm[0], [...pnpm.slice(1), ...args], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });

try {
  // After `npm start` (a production install of one example), pnpm rebuilds node_modules in full;
  // it would ask first on a terminal and abort without one.
  run(['install', '--frozen-lockfile', '--config.confirmModulesPurge=false']);
  // As many test tasks at once as there are cores (turbo's default is 10): the suites start
  // servers and runtimes of their own, and on a small machine ten at once starve each other.
  const args = process.argv.slice(2);
  const concurrency = args.some((arg) => arg.startsWith('--concurrency')) ? [] : [`--concurrency=${Math.max(2, availableParallelism())}`];
  run(['exec', 'turbo', 'run', 'test', ...concurrency, ...args]);
} catch (error) {
  process.exit(typeof error.status === 'number' && error.status !== 0 ? error.status : 1);
}
