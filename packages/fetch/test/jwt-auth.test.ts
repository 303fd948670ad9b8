import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { getAuth, isAuthError, jwtAuth, withAuth, type AuthErrorCode, type AuthResult } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const expiredChallenge = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';
const url = 'https://api.example/me';

describe('withAuth and jwtAuth (Fetch)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const valid = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });
  const bearer = (token: string, init: RequestInit = {}) => new Request(url, { ...init, headers: { authorization: `Bearer ${token}` } });

  it('withAuth runs the handler with the verified token and the arguments the runtime passes after the request', async () => {
    const seen: unknown[] = [];
    const env = { SECRET: 'binding' };
    const ctx = { waitUntil: () => {} };
    const handler = withAuth((request, auth: AuthResult, e: typeof env, c: typeof ctx) => {
      seen.push(request, e, c);
      return Response.json({ sub: auth.claims.sub, token: auth.token, issuer: auth.issuer, alg: auth.header.alg });
    }, options);
    const request = bearer(valid);
    const res = await handler(request, env, ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'alice', token: valid, issuer, alg: 'HS256' });
    expect(seen).toEqual([request, env, ctx]);
    expect(seen[0]).toBe(request);
  });

  it('withAuth refuses with the full RFC 6750 response, without running the handler', async () => {
    let ran = 0;
    const handler = withAuth(() => (ran++, new Response(null)), options);
    const res = await handler(bearer(expired));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(expiredChallenge);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    const missing = await handler(new Request(url));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await missing.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
    expect(ran).toBe(0);
  });

  it("errors: 'next' throws the AuthError instead, for an error handler of the app's own", async () => {
    let ran = 0;
    const handler = withAuth(() => (ran++, new Response(null)), { ...options, errors: 'next' });
    const thrown = await handler(bearer(expired)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAuthError(thrown) && thrown.code).toBe('ERR_TOKEN_EXPIRED');
    expect(isAuthError(thrown) && thrown.headers).toEqual({ 'WWW-Authenticate': expiredChallenge });
    expect(ran).toBe(0);
    expect((await handler(bearer(valid))).status).toBe(200);
  });

  it("lets the handler's own errors through as they are, never as a refusal", async () => {
    const refused: AuthErrorCode[] = [];
    const failure = new Error('handler failed');
    const handler = withAuth(() => Promise.reject(failure), { ...options, onError: (error) => refused.push(error.code) });
    await expect(handler(bearer(valid))).rejects.toBe(failure);
    expect(refused).toEqual([]);
  });

  it('answers 503 without a challenge when keys are unavailable', async () => {
    const keys = await startJwksServer();
    keys.behaviour = { kind: 'status', status: 500 };
    try {
      const es = await createTestKey('ES256');
      const handler = withAuth(() => new Response(null), { issuer: keys.issuer, audience, jwksUri: keys.jwksUri });
      const res = await handler(bearer(await signToken(es, { iss: keys.issuer, aud: audience })));
      expect(res.status).toBe(503);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    } finally {
      await keys.close();
    }
  });

  it('authenticate resolves to { ok: true, auth } or to { ok: false, response, error }', async () => {
    const authenticate = jwtAuth(options);
    const accepted = await authenticate(bearer(valid));
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    expect(accepted.auth.claims.sub).toBe('alice');
    expect(accepted.auth.token).toBe(valid);

    const refused = await authenticate(bearer(expired));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('ERR_TOKEN_EXPIRED');
    expect(refused.response.status).toBe(401);
    expect(refused.response.headers.get('www-authenticate')).toBe(expiredChallenge);
    expect(await refused.response.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
  });

  it("authenticate resolves with the refusal whatever the errors mode; withAuth given it follows that mode", async () => {
    const authenticate = jwtAuth({ ...options, errors: 'next' });
    const refused = await authenticate(bearer(expired));
    expect(refused.ok).toBe(false);
    await expect(withAuth(() => new Response(null), authenticate)(bearer(expired))).rejects.toSatisfy(isAuthError);
  });

  it('withAuth shares the verifier of an authenticate function from jwtAuth, and refuses any other function', async () => {
    const authenticate = jwtAuth(options);
    const me = withAuth((_request, auth) => Response.json({ sub: auth.claims.sub }), authenticate);
    expect(await (await me(bearer(valid))).json()).toEqual({ sub: 'alice' });
    expect((await me(new Request(url))).status).toBe(401);
    expect(() => withAuth(() => new Response(null), (async () => ({ ok: true })) as never)).toThrow(TypeError);
    expect(() => withAuth(undefined as never, options)).toThrow(TypeError);
  });

  it('refuses unknown options and signed cookies at creation', () => {
    expect(() => jwtAuth({ ...options, credentialsRequired: false } as never)).toThrow(TypeError);
    expect(() => withAuth(() => new Response(null), { ...options, cookie: { name: 'at', signed: true } })).toThrow(TypeError);
    expect(() => jwtAuth({ ...options, cookie: { name: 'at', signed: 'a-secret' } })).toThrow(TypeError);
  });

  it('optional: an anonymous request passes with auth undefined, a bad token is still refused', async () => {
    const seen: unknown[] = [];
    const hello = withAuth((_request, auth) => (seen.push(auth?.claims.sub), Response.json({ hello: auth?.claims.sub ?? 'stranger' })), { ...options, optional: true });
    expect(await (await hello(new Request(url))).json()).toEqual({ hello: 'stranger' });
    expect(await (await hello(bearer(valid))).json()).toEqual({ hello: 'alice' });
    expect((await hello(bearer(expired))).status).toBe(401);
    expect(seen).toEqual([undefined, 'alice']);

    const authenticate = jwtAuth({ ...options, optional: true });
    expect(await authenticate(new Request(url))).toEqual({ ok: true, auth: undefined });
  });

  it('answers 500 ERR_CONFIG_INVALID, never a crash, when called with something that is not a Request', async () => {
    const reported: AuthErrorCode[] = [];
    const handler = withAuth(() => new Response(null), { ...options, onError: (error) => reported.push(error.code) });
    for (const notARequest of [undefined, null, {}, { headers: 'authorization' }]) {
      const res = await handler(notARequest as never);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
    }
    expect(reported).toEqual(['ERR_CONFIG_INVALID', 'ERR_CONFIG_INVALID', 'ERR_CONFIG_INVALID', 'ERR_CONFIG_INVALID']);
    const authenticate = jwtAuth(options);
    const outcome = await authenticate({} as Request);
    expect(!outcome.ok && outcome.error.code).toBe('ERR_CONFIG_INVALID');
  });

  it('getAuth reads the token withAuth or authenticate accepted for that very Request', async () => {
    const request = bearer(valid);
    expect(() => getAuth(request)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', status: 500 }));
    const handler = withAuth((req) => Response.json({ sub: getAuth(req).claims.sub }), options);
    expect(await (await handler(request)).json()).toEqual({ sub: 'alice' });
    expect(getAuth(request).token).toBe(valid);
    // A copy is another request, which nothing authenticated.
    expect(() => getAuth(new Request(request))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));

    const anonymous = new Request(url);
    await jwtAuth({ ...options, optional: true })(anonymous);
    expect(() => getAuth(anonymous)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MISSING', status: 401 }));
    const other = bearer(valid);
    await jwtAuth(options)(other);
    expect(getAuth(other).claims.sub).toBe('alice');
    expect(() => getAuth(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });

  it('hands a Request subclass (Next.js NextRequest) and the route context to the handler as they came', async () => {
    class NextLikeRequest extends Request {
      readonly nextUrl = new URL(this.url);
    }
    const handler = withAuth(
      async (request: NextLikeRequest, auth, context: { params: Promise<{ id: string }> }) => Response.json({ path: request.nextUrl.pathname, id: (await context.params).id, sub: auth.claims.sub }),
      options,
    );
    const res = await handler(new NextLikeRequest('https://app.example/api/orders/7', { headers: { authorization: `Bearer ${valid}` } }), { params: Promise.resolve({ id: '7' }) });
    expect(await res.json()).toEqual({ path: '/api/orders/7', id: '7', sub: 'alice' });
  });

  it('verifies the Authorization header of a Request rebuilt with new headers, not the original one', async () => {
    const handler = withAuth((_request, auth) => Response.json({ sub: auth.claims.sub }), options);
    const original = bearer(expired);
    const headers = new Headers(original.headers);
    headers.set('authorization', `Bearer ${valid}`);
    expect(await (await handler(new Request(original, { headers }))).json()).toEqual({ sub: 'alice' });
    expect((await handler(original)).status).toBe(401);
  });
});
