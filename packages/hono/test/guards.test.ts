import { createTestKey, signToken } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  isAuthError,
  jwtAuth,
  not,
  requireRoles,
  requireScopes,
  type AuthErrorCode,
  type JWTPayload,
} from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const forbidden = (scope?: string) => `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"${scope ? `, scope="${scope}"` : ''}`;

describe('route guards (Hono)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const tokenFor = (claims: JWTPayload) => signToken(key, { iss: issuer, aud: audience, ...claims });
  const alice = await tokenFor({ sub: 'alice', scope: 'orders:read orders:write', roles: ['admin'] });
  const bob = await tokenFor({ sub: 'bob', scope: 'orders:read', roles: ['user'] });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('let a passing request through with c.var.auth set, and refuse others with the full RFC 6750 response', async () => {
    const ran: string[] = [];
    const app = new Hono().post('/orders', jwtAuth(options), requireScopes('orders:write'), (c) => {
      ran.push(c.var.auth.claims.sub as string);
      return c.json({ sub: c.var.auth.claims.sub }, 201);
    });
    const ok = await app.request('/orders', { method: 'POST', ...bearer(alice) });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ sub: 'alice' });
    const denied = await app.request('/orders', { method: 'POST', ...bearer(bob) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(forbidden('orders:write'));
    expect(denied.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await denied.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(ran).toEqual(['alice']);
  });

  it("throw an HTTPException whose cause is the AuthError, for app.onError, behind jwtAuth({ errors: 'next' })", async () => {
    const seen: AuthErrorCode[] = [];
    const app = new Hono().get('/admin', jwtAuth({ ...options, errors: 'next' }), requireRoles('admin'), (c) => c.body(null));
    app.onError((error, c) => {
      if (error instanceof HTTPException && isAuthError(error.cause)) {
        seen.push(error.cause.code);
        return error.getResponse();
      }
      return c.text('unexpected', 500);
    });
    const res = await app.request('/admin', bearer(bob));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(forbidden());
    expect(seen).toEqual(['ERR_INSUFFICIENT_SCOPE']);
  });

  it('refuse an anonymous request behind optional authentication with 401', async () => {
    let ran = 0;
    const app = new Hono().get('/admin', jwtAuth({ ...options, optional: true }), requireRoles('admin'), (c) => (ran++, c.body(null)));
    const res = await app.request('/admin');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(ran).toBe(0);
  });

  it('refuse with 500 ERR_CONFIG_INVALID, never a pass, when no jwtAuth() ran before them', async () => {
    let ran = 0;
    const app = new Hono().get('/admin', requireRoles('admin'), (c) => (ran++, c.body(null)));
    const res = await app.request('/admin', bearer(alice));
    expect(res.status).toBe(500);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
    expect(ran).toBe(0);
  });

  it('work behind an app-level jwtAuth(), as app-level middleware, and in a sub-app', async () => {
    const api = new Hono().get('/admin', requireRoles('admin'), (c) => c.json({ ok: true }));
    const app = new Hono().use(jwtAuth(options)).route('/api', api);
    expect((await app.request('/api/admin', bearer(alice))).status).toBe(200);
    expect((await app.request('/api/admin', bearer(bob))).status).toBe(403);
    const staff = new Hono()
      .use('/orders/*', jwtAuth(options), requireScopes('orders:read'))
      .get('/orders/:id', (c) => c.json({ id: c.req.param('id') }));
    expect(await (await staff.request('/orders/7', bearer(bob))).json()).toEqual({ id: '7' });
    expect((await staff.request('/orders/7')).status).toBe(401);
  });

  it('are policies: they combine, and fit jwtAuth({ policy })', async () => {
    const app = new Hono()
      .get('/either', jwtAuth(options), anyOf(requireRoles('admin'), requireScopes('orders:read')), (c) => c.body(null))
      .get('/both', jwtAuth(options), allOf(requireRoles('admin'), not(claimEquals('suspended', true))), (c) => c.body(null))
      .get('/global', jwtAuth({ ...options, policy: requireScopes('orders:write') }), (c) => c.body(null));
    const status = async (path: string, token: string) => (await app.request(path, bearer(token))).status;
    expect(await status('/either', bob)).toBe(200);
    expect(await status('/both', alice)).toBe(200);
    expect(await status('/both', bob)).toBe(403);
    expect(await status('/both', await tokenFor({ roles: ['admin'], suspended: true }))).toBe(403);
    expect(await status('/global', alice)).toBe(200);
    const denied = await app.request('/global', bearer(bob));
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(forbidden('orders:write'));
  });

  it('give claimCheck the request, and pass through an AuthError it throws', async () => {
    interface Claims extends JWTPayload {
      tenant: string;
    }
    const app = new Hono()
      .get('/tenant', jwtAuth<Claims>(options), claimCheck<Claims>((claims, req) => claims.tenant === req?.header('x-tenant')), (c) => c.body(null))
      .get(
        '/revoked',
        jwtAuth(options),
        claimCheck(() => {
          throw new AuthError('ERR_TOKEN_REVOKED');
        }),
        (c) => c.body(null),
      );
    const acme = await tokenFor({ tenant: 'acme' });
    expect((await app.request('/tenant', { headers: { authorization: `Bearer ${acme}`, 'x-tenant': 'acme' } })).status).toBe(200);
    expect((await app.request('/tenant', { headers: { authorization: `Bearer ${acme}`, 'x-tenant': 'globex' } })).status).toBe(403);
    const revoked = await app.request('/revoked', bearer(acme));
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token", error_description="The access token was revoked"');
  });

  it('refuse hostile claim shapes: inherited names, wrong types, oversized lists', async () => {
    const app = new Hono()
      .get('/to-string', jwtAuth(options), requireRoles('toString'), (c) => c.body(null))
      .get('/constructor', jwtAuth(options), requireRoles(['admin'], { claim: 'constructor' }), (c) => c.body(null))
      .get('/admin', jwtAuth(options), requireRoles('admin'), (c) => c.body(null));
    const status = async (path: string, claims: JWTPayload) => (await app.request(path, bearer(await tokenFor(claims)))).status;
    expect(await status('/to-string', { roles: ['admin'] })).toBe(403);
    expect(await status('/to-string', { roles: ['toString'] })).toBe(200);
    expect(await status('/constructor', { roles: ['admin'] })).toBe(403);
    expect(await status('/admin', { roles: 'admin' })).toBe(200);
    expect(await status('/admin', { roles: { admin: true } })).toBe(403);
    expect(await status('/admin', { roles: [['admin']] })).toBe(403);
    expect(await status('/admin', { roles: ['admin', ...Array.from({ length: 1000 }, () => 'x')] })).toBe(403);
  });
});
