// What scripts/pack.mjs, scripts/check-packages.mjs and the smoke test share: which packages are
// published, packing one with npm or with pnpm, and reading a tarball back.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The pnpm this repository pins, as `[command, ...args]`: the running one when pnpm runs us. */
export function pnpmCommand() {
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/.test(execpath) && /\.c?js$/.test(execpath)) return [process.execPath, execpath];
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return [npx(), '-y', packageManager];
}

const windows = process.platform === 'win32';
const npm = () => (windows ? 'npm.cmd' : 'npm');
const npx = () => (windows ? 'npx.cmd' : 'npx');

/** Every package under packages/ that is not private: `{ name, version, dir }`. */
export function publishedPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name))
    .flatMap((dir) => {
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        return [];
      }
      return manifest.private ? [] : [{ name: manifest.name, version: manifest.version, dir }];
    })
    .sort((a, b) => (a.name === '@jwt-gate/core' ? -1 : b.name === '@jwt-gate/core' ? 1 : a.name.localeCompare(b.name)));
}

// Packs `dir` with `command` into a scratch folder inside `out` (so that the one new file is the
// tarball, whatever the packer names it), then moves it to `out`; returns its path.
function packInto(out, command, args, dir) {
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(out, '.pack-'));
  try {
    execFileSync(command[0], [...command.slice(1), ...args, scratch], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], shell: windows });
    const [tarball, ...others] = readdirSync(scratch).filter((file) => file.endsWith('.tgz'));
    if (tarball === undefined || others.length > 0) throw new Error(`expected one tarball from packing ${dir}, found ${readdirSync(scratch).join(', ') || 'none'}`);
    const target = join(out, tarball);
    renameSync(join(scratch, tarball), target);
    return target;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `npm pack` of the package in `dir`, written to `out`; the tarball's path. */
export function npmPack(dir, out) {
  return packInto(out, [npm()], ['pack', '--silent', '--pack-destination'], dir);
}

/** `pnpm pack` of the package in `dir`, written to `out`; the tarball's path. */
export function pnpmPack(dir, out) {
  return packInto(out, pnpmCommand(), ['pack', '--pack-destination'], dir);
}

/** The files in a tarball, relative to its `package/` folder, sorted. */
export function tarballFiles(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

/** The package.json inside a tarball, parsed. */
export function tarballManifest(tarball) {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

// Every file path a manifest names for resolution: each `exports` target under every condition,
// `main`, `module`, `types`, the `typesVersions` targets, and the `bin` commands.
function entryPaths(manifest) {
  const paths = [];
  const walk = (value) => {
    if (typeof value === 'string') paths.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  for (const field of ['main', 'module', 'types', 'typings']) walk(manifest[field]);
  for (const mapping of Object.values(manifest.typesVersions ?? {})) walk(mapping);
  walk(manifest.bin);
  return paths.filter((path) => !path.includes('*')).map((path) => path.replace(/^\.\//, ''));
}

const internalRange = /^\^?\d+\.\d+\.\d+(?:-[\w.]+)?$/;

/**
 * What is wrong with a packed package, as sentences (none when it is right): an entry that names
 * a file the tarball lacks or a TypeScript source, a dependency on another workspace package that
 * is not a plain version range (`workspace:`, `link:`, `file:`), a leftover `publishConfig` that
 * only some packers apply.
 */
export function manifestProblems(manifest, files) {
  const problems = [];
  const present = new Set(files);
  for (const path of entryPaths(manifest)) {
    if (!present.has(path)) problems.push(`${path} is named in package.json but not in the tarball`);
    if (/\.[cm]?ts$/.test(path) && !/\.d\.[cm]?ts$/.test(path)) problems.push(`${path} is a TypeScript source entry`);
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (name.startsWith('@jwt-gate/') && !internalRange.test(range)) problems.push(`${field}.${name} is "${range}", not a version range every installer understands`);
      if (/^(workspace|link|file|portal|catalog):/.test(range)) problems.push(`${field}.${name} is "${range}"`);
    }
  }
  const overrides = Object.keys(manifest.publishConfig ?? {}).filter((key) => !['access', 'registry', 'tag', 'provenance'].includes(key));
  if (overrides.length > 0) problems.push(`publishConfig overrides ${overrides.join(', ')}: npm and pnpm would pack different manifests`);
  return problems;
}

/** The files a manifest's `bin` names (a string, or an object of command names), without `./`. */
export function binPaths(manifest) {
  const bin = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  return bin.map((path) => path.replace(/^\.\//, ''));
}

/**
 * What is wrong with the commands a tarball installs (none when right): each `bin` file must be
 * built output under dist/ and start with a `#!/usr/bin/env node` line, without which npm's
 * links (and npx) would hand it to the shell.
 */
export function binProblems(tarball, manifest) {
  const problems = [];
  for (const path of binPaths(manifest)) {
    if (!path.startsWith('dist/')) problems.push(`bin ${path} is not built output under dist/`);
    let first = '';
    try {
      first = execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' }).split('\n', 1)[0];
    } catch {
      continue; // missing from the tarball: manifestProblems says so
    }
    if (first !== '#!/usr/bin/env node') problems.push(`bin ${path} does not start with #!/usr/bin/env node`);
  }
  return problems;
}

// JSON with every object's keys sorted, so that two manifests compare by content.
const canonical = (value) => JSON.stringify(value, (_key, inner) => (inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b))) : inner));

/**
 * The differences between what npm and pnpm pack for one package (none when the same): the file
 * lists, then the manifests, field by field.
 */
export function packerDifferences(npmTarball, pnpmTarball) {
  const differences = [];
  const npmFiles = tarballFiles(npmTarball);
  const pnpmFiles = tarballFiles(pnpmTarball);
  const onlyNpm = npmFiles.filter((file) => !pnpmFiles.includes(file));
  const onlyPnpm = pnpmFiles.filter((file) => !npmFiles.includes(file));
  if (onlyNpm.length > 0) differences.push(`only npm packs ${onlyNpm.join(', ')}`);
  if (onlyPnpm.length > 0) differences.push(`only pnpm packs ${onlyPnpm.join(', ')}`);
  const npmManifest = tarballManifest(npmTarball);
  const pnpmManifest = tarballManifest(pnpmTarball);
  for (const field of new Set([...Object.keys(npmManifest), ...Object.keys(pnpmManifest)])) {
    if (canonical(npmManifest[field]) !== canonical(pnpmManifest[field])) {
      differences.push(`package.json "${field}": npm packs ${JSON.stringify(npmManifest[field])}, pnpm ${JSON.stringify(pnpmManifest[field])}`);
    }
  }
  return differences;
}

/** A fresh scratch folder under the system's temporary directory. */
export const scratchDir = (prefix) => mkdtempSync(join(tmpdir(), prefix));
