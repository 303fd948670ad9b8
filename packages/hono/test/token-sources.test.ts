// Token sources beyond the Authorization header, on Hono: a cookie signed with setSignedCookie,
// getToken over the Hono context, and the onError hook.

import { createTestKey, signToken } from '@jwt-gate/testing';
import { Hono, type Context } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { describe, expect, it } from 'vitest';
import { jwtAuth, requireRoles } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const cookieSecret = 'a-hono-cookie-secret';

describe('token sources (Hono)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });

  it('reads a cookie signed with setSignedCookie; a tampered one is an invalid token', async () => {
    const app = new Hono()
      .get('/login', async (c) => {
        await setSignedCookie(c, 'at', alice, cookieSecret);
        return c.text('ok');
      })
      .get('/me', jwtAuth({ ...options, cookie: { name: 'at', signed: cookieSecret } }), (c) => c.json({ sub: c.var.auth.claims.sub }));
    const login = await app.request('/login');
    const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string;
    expect(await (await app.request('/me', { headers: { cookie } })).json()).toEqual({ sub: 'alice' });
    const forged = `${cookie.slice(0, cookie.lastIndexOf('.') + 1)}AAAA`;
    expect((await app.request('/me', { headers: { cookie: forged } })).status).toBe(401);
    expect(() => jwtAuth({ ...options, cookie: { name: 'at', signed: true } })).toThrow(TypeError);
  });

  it('takes the token from getToken over the Hono context, sync or async', async () => {
    for (const getToken of [(c: Context) => c.req.header('x-token'), async (c: Context) => c.req.header('x-token')]) {
      const app = new Hono().get('/me', jwtAuth({ ...options, getToken }), (c) => c.json({ sub: c.var.auth.claims.sub }));
      expect(await (await app.request('/me', { headers: { 'x-token': alice } })).json()).toEqual({ sub: 'alice' });
      expect((await app.request('/me', { headers: { 'x-token': alice, authorization: `Bearer ${alice}` } })).status).toBe(400);
    }
  });

  it('calls onError with each refusal of the middleware and its guards, the Hono context beside it', async () => {
    const seen: [string, string][] = [];
    const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });
    const app = new Hono().get('/admin', jwtAuth({ ...options, onError: (error, c) => seen.push([error.code, c.req.path]) }), requireRoles('admin'), (c) => c.body(null));
    await app.request('/admin');
    await app.request('/admin', { headers: { authorization: `Bearer ${bob}` } });
    await app.request('/admin', { headers: { authorization: `Bearer ${alice}` } });
    expect(seen).toEqual([
      ['ERR_TOKEN_MISSING', '/admin'],
      ['ERR_INSUFFICIENT_SCOPE', '/admin'],
    ]);
  });
});
