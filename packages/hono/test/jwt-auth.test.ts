import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { assertGuarded, isAuthError, jwtAuth, requireRoles, type AuthErrorCode } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const expiredChallenge = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';

describe('jwtAuth (Hono)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const valid = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });

  it('attaches the verified token on success', async () => {
    let ran = 0;
    const app = new Hono().get('/me', jwtAuth(options), (c) => {
      ran++;
      return c.json({ sub: c.var.auth.claims.sub, token: c.get('auth').token });
    });
    const res = await app.request('/me', { headers: { authorization: `Bearer ${valid}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'alice', token: valid });
    expect(ran).toBe(1);
  });

  it('refuses with the full RFC 6750 response, without running the handler', async () => {
    let ran = 0;
    const app = new Hono().get('/me', jwtAuth(options), (c) => {
      ran++;
      return c.body(null);
    });
    const res = await app.request('/me', { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(expiredChallenge);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(ran).toBe(0);
  });

  it('throws an HTTPException whose cause is the AuthError, for app.onError', async () => {
    const seen: AuthErrorCode[] = [];
    const app = new Hono().get('/me', jwtAuth(options), (c) => c.body(null));
    app.onError((error, c) => {
      if (error instanceof HTTPException && isAuthError(error.cause)) {
        seen.push(error.cause.code);
        return error.getResponse();
      }
      return c.text('unexpected', 500);
    });
    const res = await app.request('/me', { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(expiredChallenge);
    expect(seen).toEqual(['ERR_TOKEN_EXPIRED']);
  });

  it('answers 503 without a challenge when keys are unavailable', async () => {
    const keys = await startJwksServer();
    keys.behaviour = { kind: 'status', status: 500 };
    try {
      const es = await createTestKey('ES256');
      const app = new Hono().get('/me', jwtAuth({ issuer: keys.issuer, audience, jwksUri: keys.jwksUri }), (c) => c.body(null));
      const res = await app.request('/me', { headers: { authorization: `Bearer ${await signToken(es, { iss: keys.issuer, aud: audience })}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    } finally {
      await keys.close();
    }
  });

  it('runs on a fetch runtime: app.fetch with a plain Request', async () => {
    const app = new Hono().get('/me', jwtAuth(options), (c) => c.json({ sub: c.var.auth.claims.sub }));
    const ok = await app.fetch(new Request('https://api.example/me', { headers: { authorization: `Bearer ${valid}` } }));
    expect(await ok.json()).toEqual({ sub: 'alice' });
    const missing = await app.fetch(new Request('https://api.example/me'));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  describe('wrap: the same authentication as the route handler', () => {
    it('authenticates, sets c.var.auth and runs the handler; refuses like the middleware', async () => {
      let ran = 0;
      const auth = jwtAuth(options);
      const app = new Hono().get(
        '/me',
        auth.wrap((c) => {
          ran++;
          return c.json({ sub: c.var.auth.claims.sub });
        }),
      );
      const ok = await app.request('/me', { headers: { authorization: `Bearer ${valid}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: 'alice' });
      const refused = await app.request('/me', { headers: { authorization: `Bearer ${expired}` } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(expiredChallenge);
      expect(await refused.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
      expect((await app.request('/me')).status).toBe(401);
      expect(ran).toBe(1);
    });

    it('answers a cached token without a promise when the handler answers directly', async () => {
      const app = new Hono().get(
        '/me',
        jwtAuth(options).wrap((c) => c.json({ sub: c.var.auth.claims.sub })),
      );
      const call = () => app.fetch(new Request('https://api.example/me', { headers: { authorization: `Bearer ${valid}` } }));
      expect((await call()).status).toBe(200);
      const again = call();
      expect(again).toBeInstanceOf(Response);
      expect(await (again as Response).json()).toEqual({ sub: 'alice' });
      // A refusal of a token it never verified still comes through the promise path.
      expect((await app.fetch(new Request('https://api.example/me', { headers: { authorization: `Bearer ${expired}` } }))).status).toBe(401);
    });

    it('passes an HTTPException to app.onError, and lets anonymous requests through under optional', async () => {
      const seen: AuthErrorCode[] = [];
      const app = new Hono()
        .get('/me', jwtAuth(options).wrap((c) => c.body(null)))
        .get('/hello', jwtAuth({ ...options, optional: true }).wrap((c) => c.json({ anonymous: c.var.auth === undefined })));
      app.onError((error, c) => {
        if (error instanceof HTTPException && isAuthError(error.cause)) seen.push(error.cause.code);
        return error instanceof HTTPException ? error.getResponse() : c.text('unexpected', 500);
      });
      expect((await app.request('/me', { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
      expect(seen).toEqual(['ERR_TOKEN_EXPIRED']);
      expect(await (await app.request('/hello')).json()).toEqual({ anonymous: true });
      expect(await (await app.request('/hello', { headers: { authorization: `Bearer ${valid}` } })).json()).toEqual({ anonymous: false });
    });

    it('enforces the policy option, and counts as authentication for assertGuarded', async () => {
      const app = new Hono().get('/admin', jwtAuth({ ...options, policy: requireRoles('admin') }).wrap((c) => c.body(null)));
      const admin = await signToken(key, { iss: issuer, aud: audience, roles: ['admin'] });
      expect((await app.request('/admin', { headers: { authorization: `Bearer ${valid}` } })).status).toBe(403);
      expect((await app.request('/admin', { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
      expect(() => assertGuarded(app)).not.toThrow();
      expect(() => jwtAuth(options).wrap('handler' as never)).toThrow(TypeError);
    });
  });
});
