import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, scratch } from './run.js';

const work = scratch();
afterAll(() => work.remove());
const ISS = 'https://auth.example.com';
const SECRET = 'a-shared-secret-of-more-than-thirty-two-bytes!';

beforeAll(async () => {
  expect((await run(['keys', 'generate', '--alg', 'ES256', '--kid', 'k1', '--out', 'key.json'], { cwd: work.dir })).code).toBe(0);
  expect((await run(['keys', 'generate', '--alg', 'RS256', '--kid', 'r1', '--out', 'rsa.pem'], { cwd: work.dir })).code).toBe(0);
});

// What a token holds, read back through `inspect --json`.
async function decode(token: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const result = await run(['inspect', '--json', token]);
  expect(result.code).toBe(0);
  return result.json();
}

async function sign(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const result = await run(['sign', ...args], { cwd: work.dir, ...options });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('jwt-gate sign', () => {
  it("prints a token with createIssuer's defaults: typ at+jwt, kid, iat, exp 15 minutes later, a random jti", async () => {
    const token = await sign(['--key', 'key.json', '--iss', ISS, '--aud', 'orders-api', '--sub', 'alice']);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { header, claims } = await decode(token);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
    expect(claims).toMatchObject({ iss: ISS, aud: 'orders-api', sub: 'alice', jti: expect.any(String) });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(900);
    // Either half of the key verifies: the design's `verify --key key.json` takes the private file.
    for (const file of ['key.pub.json', 'key.json']) {
      const verified = await run(['verify', token, '--iss', ISS, '--aud', 'orders-api', '--key', file], { cwd: work.dir });
      expect(verified.code).toBe(0);
      expect(verified.json()).toMatchObject({ sub: 'alice' });
    }
  });

  it('takes the lifetime, several audiences and typed claims from flags', async () => {
    const token = await sign(['--key', 'key.json', '--iss', ISS, '--aud', 'a', '--aud', 'b', '--sub', 'bob', '--exp', '2h', '--claim', 'scope=orders:read', '--claim', 'roles:=["admin"]', '--claim', 'n:=5', '--claim', 'text=5', '--typ', 'JWT']);
    const { header, claims } = await decode(token);
    expect(header['typ']).toBe('JWT');
    expect(claims).toMatchObject({ aud: ['a', 'b'], scope: 'orders:read', roles: ['admin'], n: 5, text: '5' });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(7200);
  });

  it('takes claims as JSON from a file or stdin, the flags winning', async () => {
    writeFileSync(work.path('claims.json'), JSON.stringify({ sub: 'from-file', tenant: 't1' }));
    const fromFile = await decode(await sign(['--key', 'key.json', '--iss', ISS, '--aud', 'a', '--claims', 'claims.json']));
    expect(fromFile.claims).toMatchObject({ sub: 'from-file', tenant: 't1' });
    const fromStdin = await decode(await sign(['--key', 'key.json', '--iss', ISS, '--aud', 'a', '--claims', '-', '--sub', 'flag'], { input: '{"sub":"stdin","client_id":"billing"}' }));
    expect(fromStdin.claims).toMatchObject({ sub: 'flag', client_id: 'billing' });
  });

  it('sets nbf and jti when asked, in a token that still verifies', async () => {
    const token = await sign(['--key', 'key.json', '--iss', ISS, '--aud', 'a', '--sub', 's', '--nbf', '+5m', '--jti', 'test-1']);
    const { header, claims } = await decode(token);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
    expect(claims['jti']).toBe('test-1');
    expect(Math.abs((claims['nbf'] as number) - (claims['iat'] as number) - 300)).toBeLessThanOrEqual(1);
    const early = await run(['verify', token, '--iss', ISS, '--aud', 'a', '--key', 'key.pub.json'], { cwd: work.dir });
    expect([early.code, early.stdout.trim()]).toEqual([1, 'ERR_TOKEN_NOT_YET_VALID']);
    const later = await run(['verify', token, '--iss', ISS, '--aud', 'a', '--key', 'key.pub.json', '--at', '+6m'], { cwd: work.dir });
    expect(later.code).toBe(0);
  });

  it('signs with an HMAC secret from an environment variable, and never prints it', async () => {
    const result = await run(['sign', '--key-env', 'JWT_SECRET', '--iss', ISS, '--aud', 'a', '--sub', 's', '--json'], { env: { JWT_SECRET: SECRET } });
    expect(result.code).toBe(0);
    expect(result.json().header).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    const verified = await run(['verify', '--iss', ISS, '--aud', 'a', '--key-env', 'JWT_SECRET'], { input: result.json().token, env: { JWT_SECRET: SECRET } });
    expect(verified.code).toBe(0);
  });

  it('takes a PEM from an environment variable, its newlines written as \\n or not', async () => {
    const pem = readFileSync(work.path('rsa.pem'), 'utf8');
    for (const value of [pem, pem.trim().replaceAll('\n', '\\n')]) {
      const { header } = await decode(await sign(['--key-env', 'SIGNING_KEY', '--iss', ISS, '--aud', 'a', '--sub', 's'], { env: { SIGNING_KEY: value } }));
      expect(header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    }
  });

  it('signs with the algorithm asked for, where the key allows several', async () => {
    const { header } = await decode(await sign(['--key', 'rsa.pem', '--alg', 'PS256', '--iss', ISS, '--aud', 'a', '--sub', 's']));
    expect(header['alg']).toBe('PS256');
    const secret = await decode(await sign(['--key-env', 'S', '--alg', 'HS384', '--iss', ISS, '--aud', 'a', '--sub', 's'], { env: { S: SECRET.repeat(2) } }));
    expect(secret.header['alg']).toBe('HS384');
  });

  it.each([
    ['a weak secret', ['--key-env', 'WEAK'], { WEAK: 'too-short' }],
    ['alg none', ['--key', 'key.json', '--alg', 'none'], {}],
    ['alg none with a secret', ['--key-env', 'S', '--alg', 'none'], { S: SECRET }],
    ['HS256 with a private key', ['--key', 'key.json', '--alg', 'HS256'], {}],
    ['a public key', ['--key', 'key.pub.json'], {}],
    ['a missing key file', ['--key', 'nowhere.json'], {}],
    ['an unset variable', ['--key-env', 'UNSET_VARIABLE'], {}],
    ['no key', [], {}],
    ['a reserved claim', ['--key', 'key.json', '--claim', 'exp:=99'], {}],
    ['an access token without sub', ['--key', 'key.json', '--sub', ''], {}],
    ['a bad lifetime', ['--key', 'key.json', '--exp', 'soon'], {}],
  ])('refuses %s with exit 2, printing no token and no secret', async (_name, args, env) => {
    const withSub = args.includes('--sub') ? [] : ['--sub', 's'];
    const result = await run(['sign', '--iss', ISS, '--aud', 'a', ...withSub, ...args], { cwd: work.dir, env: env as Record<string, string> });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const value of Object.values(env)) expect(result.stderr).not.toContain(value);
  });

  it('needs --iss and --aud', async () => {
    expect((await run(['sign', '--key', 'key.json', '--aud', 'a', '--sub', 's'], { cwd: work.dir })).code).toBe(2);
    expect((await run(['sign', '--key', 'key.json', '--iss', ISS, '--sub', 's'], { cwd: work.dir })).code).toBe(2);
  });
});
