import { writeFileSync } from 'node:fs';
import { createTestKey, rawToken, signToken, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, scratch, type RunOptions } from './run.js';

const work = scratch();
const ISS = 'https://auth.example.com';
const AUD = 'orders-api';
const SECRET = 'a-shared-secret-of-more-than-thirty-two-bytes!';
let key: TestKey;
let other: TestKey;
let server: JwksServer;

beforeAll(async () => {
  key = await createTestKey('ES256', { kid: 'k1' });
  other = await createTestKey('ES256', { kid: 'k1' });
  writeFileSync(work.path('key.pub.json'), JSON.stringify(key.publicJwk));
  writeFileSync(work.path('key.pem'), key.publicPem as string);
  writeFileSync(work.path('jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  server = await startJwksServer({ keys: [key.publicJwk!] });
});
afterAll(async () => {
  work.remove();
  await server.close();
});

const token = (claims: Record<string, unknown> = {}, options: Parameters<typeof signToken>[2] = {}, signer: TestKey = key) =>
  signToken(signer, { iss: ISS, aud: AUD, sub: 'alice', ...claims }, options);
const verify = (args: string[], options: RunOptions = {}) => run(['verify', ...args], { cwd: work.dir, ...options });
const keyArgs = ['--iss', ISS, '--aud', AUD, '--key', 'key.pub.json'];

describe('jwt-gate verify: valid tokens', () => {
  it('prints the verified claims as JSON on stdout and exits 0', async () => {
    const jwt = await token({ scope: 'orders:read' });
    const result = await verify([jwt, ...keyArgs]);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ iss: ISS, aud: AUD, sub: 'alice', scope: 'orders:read' });
  });

  it('reads the token from stdin (absent or -), an Authorization value included', async () => {
    const jwt = await token();
    for (const [args, input] of [[keyArgs, jwt], [['-', ...keyArgs], `${jwt}\n`], [keyArgs, `Bearer ${jwt}`]] as const) {
      const result = await verify([...args], { input });
      expect(result.code).toBe(0);
      expect(result.json().sub).toBe('alice');
    }
  });

  it('--json prints the result with header and issuer', async () => {
    const result = await verify([await token(), ...keyArgs, '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ valid: true, issuer: ISS, header: { alg: 'ES256', kid: 'k1' }, claims: { sub: 'alice' } });
  });

  it('takes the key as a PEM, a JWKS file, a JWKS URL, or through discovery', async () => {
    const jwt = await token();
    expect((await verify([jwt, '--iss', ISS, '--aud', AUD, '--key', 'key.pem'])).code).toBe(0);
    expect((await verify([jwt, '--iss', ISS, '--aud', AUD, '--jwks', 'jwks.json'])).code).toBe(0);
    expect((await verify([jwt, '--iss', ISS, '--aud', AUD, '--jwks', server.jwksUri])).code).toBe(0);
    const discovered = await token({ iss: server.issuer });
    expect((await verify([discovered, '--iss', server.issuer, '--aud', AUD, '--discovery'])).code).toBe(0);
    expect((await verify([discovered, '--iss', server.issuer, '--aud', AUD, '--discovery', `${server.origin}/.well-known/openid-configuration`])).code).toBe(0);
    // Five runs of the binary, each a Node start: room for a busy machine.
  }, 60_000);

  it('verifies HMAC tokens with a secret from the environment or an oct JWK', async () => {
    const hmac = { ...(await createTestKey('HS256')), privateKey: new TextEncoder().encode(SECRET) } as TestKey;
    const jwt = await token({}, {}, hmac);
    expect((await verify([jwt, '--iss', ISS, '--aud', AUD, '--key-env', 'JWT_SECRET'], { env: { JWT_SECRET: SECRET } })).code).toBe(0);
    writeFileSync(work.path('oct.json'), JSON.stringify({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url'), alg: 'HS256' }));
    expect((await verify([jwt, '--iss', ISS, '--aud', AUD, '--key', 'oct.json'])).code).toBe(0);
  });

  it('turns a default off only when asked: --no-iss, --no-aud, --no-require-exp', async () => {
    const bare = await signToken(key, { sub: 'alice' }, { expiresIn: null });
    const refused = await verify([bare, '--no-iss', '--no-aud', '--key', 'key.pub.json']);
    expect([refused.code, refused.stdout.trim()]).toEqual([1, 'ERR_CLAIM_MISSING']);
    expect((await verify([bare, '--no-iss', '--no-aud', '--no-require-exp', '--key', 'key.pub.json'])).code).toBe(0);
  });
});

describe('jwt-gate verify: refusals', () => {
  it.each<[string, () => Promise<string>, string[], string]>([
    ['another audience', () => token({ aud: 'billing-api' }), [], 'ERR_AUDIENCE_INVALID'],
    ['another issuer', () => token({ iss: `${ISS}/` }), [], 'ERR_ISSUER_INVALID'],
    ['an expired token', () => token({}, { expiresIn: -60 }), [], 'ERR_TOKEN_EXPIRED'],
    ['a token that expires within the hour, verified an hour on', () => token(), ['--at', '+1h'], 'ERR_TOKEN_EXPIRED'],
    ['another key under the same kid', () => token({}, {}, other), [], 'ERR_SIGNATURE_INVALID'],
    ['an unknown kid', () => token({}, { header: { kid: 'k9' } }), [], 'ERR_KEY_NOT_FOUND'],
    ['alg none', async () => rawToken('{"alg":"none"}', JSON.stringify({ iss: ISS, aud: AUD, exp: 9e9 })), [], 'ERR_ALGORITHM_NOT_ALLOWED'],
    ['HS256 against a public key', async () => rawToken('{"alg":"HS256","kid":"k1"}', JSON.stringify({ iss: ISS, aud: AUD, exp: 9e9 })), [], 'ERR_ALGORITHM_NOT_ALLOWED'],
    ['the wrong typ', () => token({}, { header: { typ: 'JWT' } }), ['--typ', 'at+jwt'], 'ERR_TOKEN_TYPE_INVALID'],
    ['a missing required claim', () => token(), ['--require', 'tenant'], 'ERR_CLAIM_MISSING'],
    ['a token older than --max-age', () => token({}, { issuedAt: Math.floor(Date.now() / 1000) - 3600 }), ['--max-age', '10m'], 'ERR_TOKEN_TOO_OLD'],
    ['garbage', async () => 'not.a.token', [], 'ERR_TOKEN_MALFORMED'],
  ])('%s: prints the code on stdout, the reason on stderr, exit 1, never the token', async (_name, make, extra, code) => {
    const jwt = await make();
    const result = await verify([...keyArgs, ...extra], { input: jwt });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(code);
    expect(result.stderr).toContain(code);
    expect(result.stdout + result.stderr).not.toContain(jwt);
    const json = await verify([...keyArgs, ...extra, '--json'], { input: jwt });
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ valid: false, code, status: 401, explanation: expect.any(String) });
  });

  it('exits 3 with ERR_KEYS_UNAVAILABLE when the JWKS or the metadata cannot be fetched', async () => {
    const down = await startJwksServer({ keys: [key.publicJwk!] });
    down.behaviour = { kind: 'status', status: 503 };
    const jwt = await token({ iss: down.issuer });
    for (const source of [['--jwks', down.jwksUri], ['--discovery']]) {
      const result = await verify([jwt, '--iss', down.issuer, '--aud', AUD, ...source, '--json']);
      expect(result.code).toBe(3);
      expect(result.json()).toMatchObject({ valid: false, code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    }
    await down.close();
    const closed = await verify([jwt, '--iss', down.issuer, '--aud', AUD, '--jwks', down.jwksUri, '--timeout', '2s']);
    expect([closed.code, closed.stdout.trim()]).toEqual([3, 'ERR_KEYS_UNAVAILABLE']);
  });
});

describe('jwt-gate verify: usage and configuration (exit 2)', () => {
  it.each([
    ['no --iss', ['--aud', AUD, '--key', 'key.pub.json']],
    ['no --aud', ['--iss', ISS, '--key', 'key.pub.json']],
    ['no key source', ['--iss', ISS, '--aud', AUD]],
    ['two key sources', [...keyArgs, '--jwks', 'jwks.json']],
    ['a weak secret', ['--iss', ISS, '--aud', AUD, '--key-env', 'WEAK']],
    ['a missing key file', ['--iss', ISS, '--aud', AUD, '--key', 'nowhere.json']],
    ['discovery without an issuer', ['--no-iss', '--aud', AUD, '--discovery']],
    ['mixed algorithm families', [...keyArgs, '--alg', 'HS256']],
    ['an algorithm the key cannot serve', [...keyArgs, '--alg', 'ES384']],
    ['a clock tolerance over 300 s', [...keyArgs, '--clock-tolerance', '10m']],
    ['an unknown option', [...keyArgs, '--audience', AUD]],
  ])('%s', async (_name, args) => {
    const jwt = await token();
    const result = await verify(args, { input: jwt, env: { WEAK: 'short' } });
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(jwt);
  });

  it('an empty stdin is a usage error', async () => {
    expect((await verify(keyArgs, { input: '' })).code).toBe(2);
  });
});
