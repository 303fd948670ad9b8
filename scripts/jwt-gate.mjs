// `npm run -s jwt-gate -- <command> ...`: the jwt-gate command line from a clone, before it is on
// the registry. Installs the workspace and builds the command the first time (their output goes
// to stderr, so stdout carries only the command's), then runs it with stdin, stdout and the exit
// code passed through.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pnpmCommand, root } from './packing.mjs';

const dir = join(root, 'packages', 'cli');
const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const entry = join(dir, bin['jwt-gate']);
const pnpm = pnpmCommand();
const quietly = (args) => execFileSync(pnpm[0], [...pnpm.slice(1), ...args], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });

try {
  const modules = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(modules) || !/"?devDependencies"?:\s*true/.test(readFileSync(modules, 'utf8'))) {
    quietly(['install', '--frozen-lockfile', '--config.confirmModulesPurge=false']);
  }
  // turbo answers from its cache when nothing changed.
  quietly(['exec', 'turbo', 'run', 'build', '--filter=@jwt-gate/cli', '--output-logs=errors-only']);
} catch {
  console.error('jwt-gate: installing or building the command failed (see above)');
  process.exit(2);
}
const result = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
