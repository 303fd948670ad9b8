// Packs every published package the way `pnpm publish` would (publishConfig applied) and checks
// each tarball with publint and arethetypeswrong in every resolution mode (node10, node16 from
// CJS and from ESM, bundler). Run after `pnpm run build`. Exits non-zero on any problem.
// Usage: pnpm run check:packages [--keep <dir>]  (--keep leaves the tarballs in <dir>)

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['core', 'express', 'koa', 'hono'];
const keep = process.argv.includes('--keep') ? resolve(process.argv[process.argv.indexOf('--keep') + 1]) : undefined;
const out = keep ?? mkdtempSync(join(tmpdir(), 'jwt-gate-packs-'));
mkdirSync(out, { recursive: true });

// The package manager running this script (pnpm sets npm_execpath); pnpm applies publishConfig.
const pnpm = process.env.npm_execpath;
if (!pnpm || !/pnpm/.test(pnpm)) {
  console.error('Run this through pnpm (pnpm run check:packages): only pnpm applies publishConfig when packing.');
  process.exit(2);
}
const bin = (name) => join(root, 'node_modules', '.bin', name);

let failed = false;
for (const name of packages) {
  const dir = join(root, 'packages', name);
  const before = new Set(readdirSync(out));
  execFileSync(process.execPath, [pnpm, 'pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(out).find((file) => file.endsWith('.tgz') && !before.has(file));
  if (!tarball) throw new Error(`no tarball for ${name}`);
  const path = join(out, tarball);
  console.log(`\n== @jwt-gate/${name}: ${tarball}`);
  for (const [tool, args] of [
    ['publint', [path, '--strict']],
    // ESM-only jose means no node10 types for its own imports; our packages ship both formats.
    ['attw', [path, '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'inherit' });
    } catch {
      failed = true;
      console.error(`${tool} found problems in @jwt-gate/${name}`);
    }
  }
}
if (!keep) rmSync(out, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
