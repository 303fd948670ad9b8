import { createTestKey, signToken } from '@jwt-gate/testing';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  isAuthError,
  jwtAuth,
  jwtGate,
  not,
  requireRoles,
  requireScopes,
  type AuthErrorCode,
  type JWTPayload,
} from '../src/index.js';
import { closeApps, send } from './targets.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const forbidden = (scope?: string) => `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"${scope ? `, scope="${scope}"` : ''}`;

describe('route guards (Fastify)', async () => {
  afterEach(closeApps);
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const tokenFor = (claims: JWTPayload) => signToken(key, { iss: issuer, aud: audience, ...claims });
  const alice = await tokenFor({ sub: 'alice', scope: 'orders:read orders:write', roles: ['admin'] });
  const bob = await tokenFor({ sub: 'bob', scope: 'orders:read', roles: ['user'] });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('let a passing request through with request.auth set, and refuse others with the full RFC 6750 response', async () => {
    const ran: string[] = [];
    const app = Fastify().post('/orders', { onRequest: jwtAuth(options), preHandler: requireScopes('orders:write') }, async (request, reply) => {
      ran.push(request.auth?.claims.sub as string);
      return reply.code(201).send({ sub: request.auth?.claims.sub });
    });
    const ok = await send(app, { method: 'POST', url: '/orders', headers: bearer(alice) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ sub: 'alice' });
    const denied = await send(app, { method: 'POST', url: '/orders', headers: bearer(bob) });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
    expect(denied.headers['content-type']).toMatch(/^application\/json/);
    expect(denied.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(ran).toEqual(['alice']);
  });

  it("hand the AuthError to setErrorHandler behind jwtAuth({ errors: 'next' })", async () => {
    const seen: AuthErrorCode[] = [];
    const app = Fastify().get('/admin', { onRequest: jwtAuth({ ...options, errors: 'next' }), preHandler: requireRoles('admin') }, () => ({}));
    app.setErrorHandler((error, _request, reply) => {
      if (!isAuthError(error)) return reply.code(500).send({ error: 'unexpected' });
      seen.push(error.code);
      return reply.code(error.status).headers(error.headers).send(error.body);
    });
    const res = await send(app, { url: '/admin', headers: bearer(bob) });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toBe(forbidden());
    expect(seen).toEqual(['ERR_INSUFFICIENT_SCOPE']);
  });

  it('refuse an anonymous request behind optional authentication with 401', async () => {
    let ran = 0;
    const app = Fastify().get('/admin', { onRequest: jwtAuth({ ...options, optional: true }), preHandler: requireRoles('admin') }, () => (ran++, {}));
    const res = await send(app, '/admin');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(ran).toBe(0);
  });

  it('refuse with 500 ERR_CONFIG_INVALID, never a pass, when nothing authenticated the request before them', async () => {
    let ran = 0;
    const app = Fastify().get('/admin', { preHandler: requireRoles('admin') }, () => (ran++, {}));
    const res = await send(app, { url: '/admin', headers: bearer(alice) });
    expect(res.statusCode).toBe(500);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
    expect(ran).toBe(0);
  });

  it('run in a list of hooks, and on a scope behind the plugin', async () => {
    const app = Fastify();
    app.get('/orders/:id', { onRequest: [jwtAuth(options), requireScopes('orders:read')] }, (request) => ({ id: (request.params as { id: string }).id }));
    app.register(async (staff) => {
      await staff.register(jwtGate, options);
      staff.addHook('preHandler', requireRoles('admin'));
      staff.get('/staff/report', () => ({ ok: true }));
    });
    expect((await send(app, { url: '/orders/7', headers: bearer(bob) })).json()).toEqual({ id: '7' });
    expect((await send(app, '/orders/7')).statusCode).toBe(401);
    expect((await send(app, { url: '/staff/report', headers: bearer(alice) })).statusCode).toBe(200);
    expect((await send(app, { url: '/staff/report', headers: bearer(bob) })).statusCode).toBe(403);
  });

  it('are policies: they combine, and fit jwtAuth({ policy })', async () => {
    const auth = jwtAuth(options);
    const app = Fastify()
      .get('/either', { onRequest: auth, preHandler: anyOf(requireRoles('admin'), requireScopes('orders:read')) }, () => ({}))
      .get('/both', { onRequest: auth, preHandler: allOf(requireRoles('admin'), not(claimEquals('suspended', true))) }, () => ({}))
      .get('/global', { onRequest: jwtAuth({ ...options, policy: requireScopes('orders:write') }) }, () => ({}));
    const status = async (url: string, token: string) => (await send(app, { url, headers: bearer(token) })).statusCode;
    expect(await status('/either', bob)).toBe(200);
    expect(await status('/both', alice)).toBe(200);
    expect(await status('/both', bob)).toBe(403);
    expect(await status('/both', await tokenFor({ roles: ['admin'], suspended: true }))).toBe(403);
    expect(await status('/global', alice)).toBe(200);
    const denied = await send(app, { url: '/global', headers: bearer(bob) });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
  });

  it('give claimCheck the request, and pass through an AuthError it throws', async () => {
    interface Claims extends JWTPayload {
      tenant: string;
    }
    const auth = jwtAuth<Claims>(options);
    const app = Fastify()
      .get('/tenant', { onRequest: auth, preHandler: claimCheck<Claims>((claims, req) => claims.tenant === req?.header('x-tenant')) }, () => ({}))
      .get(
        '/revoked',
        {
          onRequest: auth,
          preHandler: claimCheck(() => {
            throw new AuthError('ERR_TOKEN_REVOKED');
          }),
        },
        () => ({}),
      );
    const acme = await tokenFor({ tenant: 'acme' });
    expect((await send(app, { url: '/tenant', headers: { ...bearer(acme), 'x-tenant': 'acme' } })).statusCode).toBe(200);
    expect((await send(app, { url: '/tenant', headers: { ...bearer(acme), 'x-tenant': 'globex' } })).statusCode).toBe(403);
    const revoked = await send(app, { url: '/revoked', headers: bearer(acme) });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token was revoked"');
  });

  it('refuse hostile claim shapes: inherited names, wrong types, oversized lists', async () => {
    const auth = jwtAuth(options);
    const app = Fastify()
      .get('/to-string', { onRequest: auth, preHandler: requireRoles('toString') }, () => ({}))
      .get('/constructor', { onRequest: auth, preHandler: requireRoles(['admin'], { claim: 'constructor' }) }, () => ({}))
      .get('/admin', { onRequest: auth, preHandler: requireRoles('admin') }, () => ({}));
    const status = async (url: string, claims: JWTPayload) => (await send(app, { url, headers: bearer(await tokenFor(claims)) })).statusCode;
    expect(await status('/to-string', { roles: ['admin'] })).toBe(403);
    expect(await status('/to-string', { roles: ['toString'] })).toBe(200);
    expect(await status('/constructor', { roles: ['admin'] })).toBe(403);
    expect(await status('/admin', { roles: 'admin' })).toBe(200);
    expect(await status('/admin', { roles: { admin: true } })).toBe(403);
    expect(await status('/admin', { roles: [['admin']] })).toBe(403);
    expect(await status('/admin', { roles: ['admin', ...Array.from({ length: 1000 }, () => 'x')] })).toBe(403);
  });
});
