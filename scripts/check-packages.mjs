// Packs every published package with npm (what `npm publish` and `npm run pack` ship) and with
// pnpm (what `pnpm publish` and `changeset publish` under pnpm ship), checks that both give the
// same files and the same manifest, that every entry the manifest names is in the tarball and is
// built output, that internal dependencies are plain version ranges, then runs publint and
// arethetypeswrong (every resolution mode: node10, node16 from CJS and from ESM, bundler) on the
// npm tarball; a package with `bin` commands (@jwt-gate/cli) also has each command checked for a
// built file with a node shebang, and one without types is reported as such by arethetypeswrong
// rather than failed. Run after the build (`pnpm run build`). Exits non-zero on any problem.
// Usage: node scripts/check-packages.mjs [--keep <dir>]  (--keep leaves the tarballs in <dir>)

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { binProblems, manifestProblems, npmPack, packerDifferences, pnpmPack, publishedPackages, root, scratchDir, tarballFiles, tarballManifest } from './packing.mjs';

const keep = process.argv.includes('--keep') ? resolve(process.argv[process.argv.indexOf('--keep') + 1]) : undefined;
const out = keep ?? scratchDir('jwt-gate-packs-');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);

let failed = false;
const fail = (name, message) => {
  failed = true;
  console.error(`✗ ${name}: ${message}`);
};

for (const { name, dir } of publishedPackages()) {
  const npmTarball = npmPack(dir, join(out, 'npm'));
  const pnpmTarball = pnpmPack(dir, join(out, 'pnpm'));
  const files = tarballFiles(npmTarball);
  const differences = packerDifferences(npmTarball, pnpmTarball);
  console.log(`\n== ${name}: ${files.length} files${differences.length === 0 ? ', the same from npm pack and pnpm pack' : ''}`);
  for (const difference of differences) fail(name, difference);
  const manifest = tarballManifest(npmTarball);
  for (const problem of manifestProblems(manifest, files)) fail(name, problem);
  for (const problem of binProblems(npmTarball, manifest)) fail(name, problem);
  if (files.some((file) => file.startsWith('src/') || file.startsWith('test/'))) fail(name, 'the tarball holds sources or tests');

  for (const [tool, args] of [
    ['publint', [npmTarball, '--strict']],
    ['attw', [npmTarball, '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: 'inherit' });
    } catch {
      fail(name, `${tool} found problems`);
    }
  }
}
if (!keep) rmSync(out, { recursive: true, force: true });
console.log(failed ? '\nPackage check failed.' : '\nEvery package: the same tarball from npm and pnpm, entries in dist, publint and arethetypeswrong clean.');
process.exit(failed ? 1 : 0);
