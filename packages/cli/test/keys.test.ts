import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { run, scratch } from './run.js';

const work = scratch();
afterAll(() => work.remove());
const readJson = (name: string) => JSON.parse(readFileSync(work.path(name), 'utf8')) as Record<string, unknown>;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('jwt-gate keys generate', () => {
  it('writes the private JWK (mode 600) and its public JWK beside it, as the design names them', async () => {
    const result = await run(['keys', 'generate', '--alg', 'ES256', '--kid', 'k1', '--out', 'key.json'], { cwd: work.dir });
    expect(result.code).toBe(0);
    const privateJwk = readJson('key.json');
    const publicJwk = readJson('key.pub.json');
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k1', alg: 'ES256', d: expect.any(String) });
    expect(publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k1', alg: 'ES256', use: 'sig', x: privateJwk['x'], y: privateJwk['y'] });
    for (const member of PRIVATE_MEMBERS) expect(publicJwk).not.toHaveProperty(member);
    expect(statSync(work.path('key.json')).mode & 0o777).toBe(0o600);
    expect(result.stdout + result.stderr).not.toContain(privateJwk['d']);
  });

  it.each([
    ['RS256', 'RSA'],
    ['EdDSA', 'OKP'],
    ['PS256', 'RSA'],
    ['ES384', 'EC'],
  ])('generates %s keys (--json names the files and the public JWK)', async (alg, kty) => {
    const result = await run(['keys', 'generate', '--alg', alg, '--out', `${alg}.json`, '--json'], { cwd: work.dir });
    expect(result.code).toBe(0);
    const report = result.json();
    expect(report).toMatchObject({ alg, privateKey: `${alg}.json`, publicKey: `${alg}.pub.json`, publicJwk: { kty, alg, kid: expect.any(String) } });
    expect(readJson(`${alg}.json`)).toMatchObject({ kty, alg, kid: report.kid, d: expect.any(String) });
    expect(readJson(`${alg}.pub.json`)).toEqual(report.publicJwk);
  });

  it('makes an HMAC secret as an oct JWK of 64 random bytes, with no public file and nothing printed of it', async () => {
    const result = await run(['keys', 'generate', '--alg', 'HS256', '--out', 'secret.json', '--json'], { cwd: work.dir });
    expect(result.code).toBe(0);
    const secret = readJson('secret.json');
    expect(secret).toMatchObject({ kty: 'oct', alg: 'HS256', kid: result.json().kid });
    expect(Buffer.from(secret['k'] as string, 'base64url')).toHaveLength(64);
    expect(result.json().publicKey).toBeNull();
    expect(existsSync(work.path('secret.pub.json'))).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(secret['k']);
  });

  it('writes a PKCS#8 PEM for --format pem, or for an --out ending in .pem', async () => {
    for (const args of [['--out', 'rsa.pem'], ['--out', 'ed.key', '--format', 'pem']]) {
      const result = await run(['keys', 'generate', '--alg', args[1] === 'rsa.pem' ? 'RS256' : 'EdDSA', ...args], { cwd: work.dir });
      expect(result.code).toBe(0);
      expect(readFileSync(work.path(args[1] as string), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(statSync(work.path(args[1] as string)).mode & 0o777).toBe(0o600);
    }
    expect(readJson('rsa.pub.json')).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(readJson('ed.pub.json')).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  it('never replaces a key file unless --force, which also resets its mode to 600', async () => {
    writeFileSync(work.path('taken.json'), 'keep me', { mode: 0o644 });
    const refused = await run(['keys', 'generate', '--alg', 'ES256', '--out', 'taken.json'], { cwd: work.dir });
    expect(refused.code).toBe(2);
    expect(readFileSync(work.path('taken.json'), 'utf8')).toBe('keep me');
    const forced = await run(['keys', 'generate', '--alg', 'ES256', '--out', 'taken.json', '--force'], { cwd: work.dir });
    expect(forced.code).toBe(0);
    expect(readJson('taken.json')).toHaveProperty('d');
    expect(statSync(work.path('taken.json')).mode & 0o777).toBe(0o600);
  });

  it('writes neither file when the public one exists', async () => {
    writeFileSync(work.path('half.pub.json'), '{}');
    const result = await run(['keys', 'generate', '--alg', 'ES256', '--out', 'half.json'], { cwd: work.dir });
    expect(result.code).toBe(2);
    expect(existsSync(work.path('half.json'))).toBe(false);
    expect(readFileSync(work.path('half.pub.json'), 'utf8')).toBe('{}');
  });

  it('prints the private key only when asked with --out -', async () => {
    const missing = await run(['keys', 'generate', '--alg', 'ES256'], { cwd: work.dir });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    const piped = await run(['keys', 'generate', '--alg', 'ES256', '--out', '-'], { cwd: work.dir });
    expect(piped.code).toBe(0);
    expect(piped.json()).toMatchObject({ kty: 'EC', d: expect.any(String) });
  });

  it.each([
    [['--alg', 'none', '--out', 'x.json']],
    [['--alg', 'RS256', '--bits', '1024', '--out', 'x.json']],
    [['--alg', 'ES256', '--bits', '2048', '--out', 'x.json']],
    [['--alg', 'HS256', '--format', 'pem', '--out', 'x.pem']],
    [['--alg', 'HS256', '--kid', '', '--out', 'x.json']],
    [['--alg', 'ES256', '--kid', '', '--out', 'x.json']],
    [['--out', 'x.json']],
  ])('refuses %j with exit 2 and writes nothing', async (args) => {
    const result = await run(['keys', 'generate', ...args], { cwd: work.dir });
    expect(result.code).toBe(2);
    expect(existsSync(work.path('x.json')) || existsSync(work.path('x.pem'))).toBe(false);
  });
});
