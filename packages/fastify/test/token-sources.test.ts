// Token sources beyond the Authorization header, on Fastify: a cookie signed by @fastify/cookie,
// getToken over the Fastify request, and the onError hook.

import fastifyCookie from '@fastify/cookie';
import { createTestKey, signToken } from '@jwt-gate/testing';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtAuth, jwtGate, requireRoles } from '../src/index.js';
import { closeApps, send } from './targets.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const cookieSecret = 'a-fastify-cookie-secret';

describe('token sources (Fastify)', async () => {
  afterEach(closeApps);
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });

  it('reads a cookie signed by @fastify/cookie; a tampered or unsigned one is an invalid token', async () => {
    const app = Fastify();
    await app.register(fastifyCookie, { secret: cookieSecret });
    app.get('/login', (_request, reply) => reply.setCookie('at', alice, { signed: true, path: '/' }).send('ok'));
    app.get('/me', { onRequest: jwtAuth({ ...options, cookie: { name: 'at', signed: true } }) }, (request) => ({ sub: request.auth?.claims.sub }));
    const login = await send(app, '/login');
    const cookie = (login.headers['set-cookie'] ?? [])[0]?.split(';')[0] as string;
    expect((await send(app, { url: '/me', headers: { cookie } })).json()).toEqual({ sub: 'alice' });
    const forged = `${cookie.slice(0, cookie.lastIndexOf('.') + 1)}AAAA`;
    for (const sent of [forged, `at=${alice}`]) {
      const res = await send(app, { url: '/me', headers: { cookie: sent } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
      expect(res.body).not.toContain(alice.split('.')[1]);
    }
    expect((await send(app, '/me')).statusCode).toBe(401);
    expect(() => jwtAuth({ ...options, cookie: { name: 'at', signed: cookieSecret } })).toThrow(TypeError);
  });

  it('refuses with 500, never a pass, a signed cookie without @fastify/cookie in front', async () => {
    const app = Fastify().get('/me', { onRequest: jwtAuth({ ...options, cookie: { name: 'at', signed: true } }) }, () => ({}));
    const res = await send(app, { url: '/me', headers: { cookie: `at=${alice}` } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
  });

  it('reads an unsigned cookie under the plugin, without @fastify/cookie', async () => {
    const app = Fastify();
    await app.register(jwtGate, { ...options, cookie: 'at' });
    app.get('/me', (request) => ({ sub: request.auth?.claims.sub }));
    expect((await send(app, { url: '/me', headers: { cookie: `theme=dark; at=${alice}` } })).json()).toEqual({ sub: 'alice' });
    expect((await send(app, { url: '/me', headers: { cookie: `at=${alice}`, authorization: `Bearer ${alice}` } })).statusCode).toBe(400);
  });

  it('takes the token from getToken over the Fastify request, sync or async', async () => {
    const header = (request: FastifyRequest) => request.headers['x-token'] as string | undefined;
    for (const getToken of [header, async (request: FastifyRequest) => header(request)]) {
      const app = Fastify().get('/me', { onRequest: jwtAuth({ ...options, getToken }) }, (request) => ({ sub: request.auth?.claims.sub }));
      expect((await send(app, { url: '/me', headers: { 'x-token': alice } })).json()).toEqual({ sub: 'alice' });
      expect((await send(app, { url: '/me', headers: { 'x-token': alice, authorization: `Bearer ${alice}` } })).statusCode).toBe(400);
    }
  });

  it('reads a token header with tokenHeader', async () => {
    const app = Fastify().get('/me', { onRequest: jwtAuth({ ...options, tokenHeader: 'x-access-token' }) }, (request) => ({ sub: request.auth?.claims.sub }));
    expect((await send(app, { url: '/me', headers: { 'x-access-token': alice } })).json()).toEqual({ sub: 'alice' });
    expect((await send(app, { url: '/me', headers: { 'x-access-token': `Bearer ${alice}` } })).json()).toEqual({ sub: 'alice' });
  });

  it('calls onError with each refusal of the hook and its guards, the Fastify request beside it', async () => {
    const seen: [string, string][] = [];
    const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });
    const auth = jwtAuth({ ...options, onError: (error, request) => seen.push([error.code, request.url]) });
    const app = Fastify().get('/admin', { onRequest: auth, preHandler: requireRoles('admin') }, () => ({}));
    await send(app, '/admin');
    await send(app, { url: '/admin', headers: { authorization: `Bearer ${bob}` } });
    await send(app, { url: '/admin', headers: { authorization: `Bearer ${alice}` } });
    expect(seen).toEqual([
      ['ERR_TOKEN_MISSING', '/admin'],
      ['ERR_INSUFFICIENT_SCOPE', '/admin'],
    ]);
  });
});
