// Use jwt-gate from a clone, before (or instead of) the registry: installs the workspace, builds
// the published packages and packs each with `npm pack` into one folder, then prints the
// `npm install` command for your app. Needs only Node and npm (pnpm comes through npx).
// Usage: npm run pack [-- --out <dir>] [--no-install]   (default folder: packs/ in the clone)

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { npmPack, pnpmCommand, publishedPackages, root } from './packing.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const out = resolve(option('--out') ?? join(root, 'packs'));
const pnpm = pnpmCommand();
const run = (command) => {
  try {
    execFileSync(command[0], command.slice(1), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  } catch {
    console.error(`\npack: \`${command.join(' ')}\` failed (its output is above); nothing was packed.`);
    process.exit(1);
  }
};

const packages = publishedPackages();
if (!args.includes('--no-install')) run([...pnpm, 'install', '--frozen-lockfile']);
run([...pnpm, 'exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...packages.map(({ name }) => `--filter=${name}`)]);

mkdirSync(out, { recursive: true });
// Tarballs of an earlier version would be installed alongside, so the folder holds this run's only.
for (const file of readdirSync(out)) if (/^jwt-gate-.*\.tgz$/.test(file)) rmSync(join(out, file));
const tarballs = packages.map(({ dir }) => npmPack(dir, out));

console.log(`\nPacked into ${out}:`);
for (const tarball of tarballs) console.log(`  ${tarball}`);
console.log('\nIn your app, install the core with the adapter you use (and its framework), e.g.:');
const [core, ...adapters] = tarballs;
console.log(`  npm install ${core} ${adapters.find((file) => file.includes('express')) ?? adapters[0]} express`);
