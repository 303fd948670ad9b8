import { createTestKey, signToken } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import type { RequestView } from './extract.js';
import { createVerifier } from '../verification/verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

const view = (headers: Record<string, string | string[]>, method = 'GET'): RequestView => ({ method, header: (name) => headers[name] });

describe('createAuthenticator', async () => {
  const key = await createTestKey('HS256');
  const secret = key.secret as string;
  const good = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });

  it('returns the verified token, or refuses a missing one with a bare challenge', async () => {
    const auth = createAuthenticator({ issuer, audience, secret, realm: 'orders' });
    await expect(auth.authenticate(view({ authorization: `Bearer ${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' }, token: good });
    const error = await auth.authenticate(view({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401, challenge: 'Bearer realm="orders"' });
  });

  it('lets anonymous requests through in optional mode, but still refuses invalid tokens', async () => {
    const auth = createAuthenticator({ issuer, audience, secret, optional: true });
    await expect(auth.authenticate(view({}))).resolves.toBeNull();
    await expect(auth.authenticate(view({ authorization: 'Basic YTpi' }))).resolves.toBeNull();
    await expect(auth.authenticate(view({ authorization: `Bearer ${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(auth.authenticate(view({ authorization: `Bearer ${expired}` }))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    await expect(auth.authenticate(view({ authorization: 'Bearer  x' }))).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
  });

  it('reads a cookie only when configured, and refuses two transports', async () => {
    await expect(createAuthenticator({ issuer, audience, secret }).authenticate(view({ cookie: `at=${good}` }))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
    const auth = createAuthenticator({ issuer, audience, secret, cookie: 'at' });
    await expect(auth.authenticate(view({ cookie: `at=${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(auth.authenticate(view({ cookie: `at=${good}`, authorization: `Bearer ${good}` }))).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS', status: 400 });
    expect(() => createAuthenticator({ issuer, audience, secret, cookie: 'bad name' })).toThrow(TypeError);
  });

  it('refuses the same malformed and repeated headers once the token is cached', async () => {
    const settle = (a: { authenticate: (v: RequestView) => Promise<unknown> }, v: RequestView) => a.authenticate(v);
    const auth = createAuthenticator({ issuer, audience, secret });
    await expect(settle(auth, view({ authorization: `Bearer ${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(settle(auth, view({ authorization: `bearer ${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    for (const authorization of [[`Bearer ${good}`, `Bearer ${good}`], `Bearer ${good}, Bearer ${good}`]) {
      await expect(settle(auth, view({ authorization }))).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS' });
    }
    for (const authorization of [`Bearer  ${good}`, `Bearer ${good} `, `Bearer\t${good}`]) {
      await expect(settle(auth, view({ authorization }))).rejects.toMatchObject({ status: 400 });
    }
    await expect(settle(auth, view({ authorization: `BeArEr ${good}` }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    // Another scheme, or a non-ASCII look-alike of Bearer, with the cached token: never served,
    // refused exactly as an authenticator that never saw the token refuses it.
    const codeOf = (a: { authenticate: (v: RequestView) => Promise<unknown> }, v: RequestView) =>
      settle(a, v).then(
        () => 'served',
        (error: { code: string; status: number }) => `${error.code} ${error.status}`,
      );
    for (const scheme of ['Basic!', 'Bearxr', 'Beare\u0132', 'Bearer'.replace('r', '\u0152'), 'Bearer'.slice(1) + 'b', '\u212Aearer']) {
      const request = view({ authorization: `${scheme} ${good}` });
      const expected = await codeOf(createAuthenticator({ issuer, audience, secret }), request);
      expect(expected).not.toBe('served');
      expect(await codeOf(auth, request)).toBe(expected);
    }
    await expect(settle(auth, view({ authorization: `Bearer ${good}=` }))).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
    const withCookie = createAuthenticator({ issuer, audience, secret, cookie: 'at' });
    await withCookie.authenticate(view({ authorization: `Bearer ${good}` }));
    await expect(settle(withCookie, view({ authorization: `Bearer ${good}`, cookie: `at=${good}` }))).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS' });
  });

  it('reads its options as own properties: a polluted Object.prototype makes nothing optional', async () => {
    const prototype = Object.prototype as Record<string, unknown>;
    try {
      prototype['optional'] = true;
      prototype['cookie'] = 'at';
      const auth = createAuthenticator({ issuer, audience, secret });
      await expect(auth.authenticate(view({}))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401 });
      await expect(auth.authenticate(view({ cookie: `at=${good}` }))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
      expect(auth.optional).toBe(false);
    } finally {
      delete prototype['optional'];
      delete prototype['cookie'];
    }
  });

  it('requires credentials on a CORS preflight like on any other request', async () => {
    const auth = createAuthenticator({ issuer, audience, secret });
    const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization', origin: 'https://app.example' };
    await expect(auth.authenticate(view(preflight, 'OPTIONS'))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401 });
    await expect(auth.authenticate(view({ ...preflight, authorization: 'Bearer forged.forged.forged' }, 'OPTIONS'))).rejects.toMatchObject({ status: 401 });
    await expect(auth.authenticate(view({}, 'OPTIONS'))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
  });

  it('wraps a verifier built elsewhere and uses its realm', async () => {
    const verifier = createVerifier({ issuer, audience, secret, realm: 'shared' });
    for (const auth of [createAuthenticator(verifier), createAuthenticator({ verifier, optional: false })]) {
      expect(auth.verifier).toBe(verifier);
      await expect(auth.authenticate(view({}))).rejects.toMatchObject({ realm: 'shared' });
    }
  });
});
