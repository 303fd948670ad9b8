import { b64url, createTestKey, rawToken, signToken, startJwksServer, type TestKey } from '@jwt-gate/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

let key: TestKey;
beforeAll(async () => {
  key = await createTestKey('ES256', { kid: 'k1' });
});
const codes = (notes: { code: string }[]) => notes.map((note) => note.code);

describe('jwt-gate inspect', () => {
  it('decodes header and claims, marked unverified, with dates readable and relative', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signToken(key, { iss: 'https://auth.example.com', aud: 'api', sub: 'alice' }, { now, expiresIn: 900 });
    const result = await run(['inspect', '--json', token]);
    expect(result.code).toBe(0);
    const report = result.json();
    expect(report).toMatchObject({ verified: false, encrypted: false, header: { alg: 'ES256', kid: 'k1' }, claims: { iss: 'https://auth.example.com', sub: 'alice', exp: now + 900 } });
    expect(report.dates.exp).toEqual({ iso: new Date((now + 900) * 1000).toISOString().replace('.000Z', 'Z'), relative: expect.stringMatching(/^in 1[45] minutes$/) });
    expect(report.dates.iat.relative).toMatch(/ago$|^in 0 seconds$/);
    expect(report.notes).toEqual([]);

    const text = await run(['inspect', token]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/unverified/i);
    expect(text.stdout).toContain(new Date((now + 900) * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('reads the token from stdin', async () => {
    const token = await signToken(key, { sub: 'bob' });
    const result = await run(['inspect', '--json'], { input: `${token}\n` });
    expect(result.code).toBe(0);
    expect(result.json().claims.sub).toBe('bob');
  });

  it('notes what a verifier with the defaults would refuse, and still exits 0', async () => {
    const expired = await signToken(key, { iss: 'i', aud: 'a' }, { expiresIn: -120 });
    expect(codes((await run(['inspect', '--json', expired])).json().notes)).toEqual(['expired']);
    const bare = await signToken(key, {}, { expiresIn: null, header: { jku: 'https://attacker.example/jwks.json' } });
    expect(codes((await run(['inspect', '--json', bare])).json().notes)).toEqual(['header-key', 'no-iss', 'no-aud', 'no-exp']);
    const unsigned = rawToken('{"alg":"none"}', JSON.stringify({ iss: 'i', aud: 'a', exp: '9999999999', nbf: 9e9 }), '');
    const notes = codes((await run(['inspect', '--json', unsigned])).json().notes);
    expect(notes).toEqual(['alg-none', 'date-invalid', 'not-yet-valid']);
  });

  it('shows the header of an encrypted token and says its claims are unreadable', async () => {
    const jwe = [b64url('{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}'), 'a', 'b', 'c', 'd'].join('.');
    const result = await run(['inspect', '--json', jwe]);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ verified: false, encrypted: true, claims: null, header: { enc: 'A256GCM' } });
    expect(codes(result.json().notes)).toContain('encrypted');
  });

  it('never contacts the issuer or a URL in the token', async () => {
    const server = await startJwksServer({ keys: [key.publicJwk!] });
    try {
      const token = await signToken(key, { iss: server.issuer, aud: 'a' }, { header: { jku: server.jwksUri, x5u: `${server.origin}/cert.pem` } });
      expect((await run(['inspect', token])).code).toBe(0);
      expect((await run(['inspect', '--json', token])).code).toBe(0);
      expect(server.connections()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('shows claims that hold terminal control sequences without letting them through', async () => {
    const token = await signToken(key, { sub: '\u001b]0;owned\u0007\u001b[2J', name: 'csi\u009b31m' });
    for (const args of [['inspect', token], ['inspect', '--json', token]]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  });

  it.each([
    ['two segments', 'abc.def'],
    ['a header that is not JSON', `${b64url('nope')}.${b64url('{}')}.sig`],
    ['characters outside base64url', 'eyJhbGciOiJIUzI1NiJ9.e30=.sig'],
  ])('refuses %s with exit 1 and ERR_TOKEN_MALFORMED', async (_name, token) => {
    const result = await run(['inspect', '--json', token]);
    expect(result.code).toBe(1);
    expect(result.json().error.code).toBe('ERR_TOKEN_MALFORMED');
  });
});
