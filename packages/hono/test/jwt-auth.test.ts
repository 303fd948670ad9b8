import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { isAuthError, jwtAuth, type AuthErrorCode } from '../src/index.js';

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

  it("errors: 'next' throws an HTTPException whose cause is the AuthError, for app.onError", async () => {
    const seen: AuthErrorCode[] = [];
    const app = new Hono().get('/me', jwtAuth({ ...options, errors: 'next' }), (c) => c.body(null));
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

  it('answers itself by default, so a catch-all app.onError never turns a 401 into a 500', async () => {
    let caught = 0;
    const app = new Hono().get('/me', jwtAuth(options), (c) => c.body(null));
    app.onError((_error, c) => (caught++, c.text('oops', 500)));
    const res = await app.request('/me', { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(expiredChallenge);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(caught).toBe(0);
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
});
