// `npx @jwt-gate/cli` as users get it: the core and the CLI packed with npm, installed into an
// empty folder with npm, and the installed `jwt-gate` command run through its bin link (so its
// shebang, mode and dependencies are what make it work). Needs the npm registry for commander
// and jose.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmPack, publishedPackages } from '../../../scripts/packing.mjs';
import { scratch } from './run.js';

const work = scratch();
const app = join(work.dir, 'app');
const bin = join(app, 'node_modules', '.bin', 'jwt-gate');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function jwtGate(args: string[], input?: string): { code: number | null; stdout: string } {
  const result = spawnSync(bin, args, { cwd: app, encoding: 'utf8', input: input ?? '', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout };
}

beforeAll(() => {
  const packages = publishedPackages().filter(({ name }) => name === '@jwt-gate/core' || name === '@jwt-gate/cli');
  const tarballs = packages.map(({ dir }) => npmPack(dir, join(work.dir, 'packs')));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-user', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...tarballs], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'], timeout: 240_000 });
}, 300_000);
afterAll(() => work.remove());

describe('the packed CLI, installed with npm', () => {
  it('runs as jwt-gate through its bin link', () => {
    expect(jwtGate(['--version'])).toEqual({ code: 0, stdout: `${version}\n` });
  });

  it('generates a key, signs and verifies with the installed command', () => {
    expect(jwtGate(['keys', 'generate', '--alg', 'ES256', '--kid', 'k1', '--out', 'key.json']).code).toBe(0);
    const signed = jwtGate(['sign', '--key', 'key.json', '--iss', 'https://auth.example.com', '--aud', 'api', '--sub', 'alice']);
    expect(signed.code).toBe(0);
    const verified = jwtGate(['verify', '--iss', 'https://auth.example.com', '--aud', 'api', '--key', 'key.pub.json'], signed.stdout);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ sub: 'alice' });
  });
});
