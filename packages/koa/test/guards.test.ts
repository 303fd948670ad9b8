import Router from '@koa/router';
import { createTestKey, signToken } from '@jwt-gate/testing';
import Koa from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
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

describe('route guards (Koa)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const tokenFor = (claims: JWTPayload) => signToken(key, { iss: issuer, aud: audience, ...claims });
  const alice = await tokenFor({ sub: 'alice', scope: 'orders:read orders:write', roles: ['admin'] });
  const bob = await tokenFor({ sub: 'bob', scope: 'orders:read', roles: ['user'] });

  for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
    describe(name, () => {
      const silent = () => Object.assign(new Framework(), { silent: true });

      it("let a passing request through with ctx.state.auth set, and throw a 403 AuthError otherwise (errors: 'next')", async () => {
        const ran: string[] = [];
        const seen: AuthErrorCode[] = [];
        const router = new Router().post('/orders', jwtAuth({ ...options, errors: 'next' }), requireScopes('orders:write'), (ctx) => {
          ran.push(ctx.state.auth.claims.sub as string);
          ctx.status = 201;
          ctx.body = { sub: ctx.state.auth.claims.sub };
        });
        const app = silent()
          .use(async (ctx, next) => {
            try {
              await next();
            } catch (error) {
              if (isAuthError(error)) seen.push(error.code);
              throw error;
            }
          })
          .use(router.routes());
        const ok = await request(app.callback()).post('/orders').set('authorization', `Bearer ${alice}`);
        expect(ok.status).toBe(201);
        expect(ok.body).toEqual({ sub: 'alice' });
        // Koa's default handler answers with the status and the challenge.
        const denied = await request(app.callback()).post('/orders').set('authorization', `Bearer ${bob}`);
        expect(denied.status).toBe(403);
        expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
        expect(ran).toEqual(['alice']);
        expect(seen).toEqual(['ERR_INSUFFICIENT_SCOPE']);
      });

      it('work as app-level middleware behind an app-level jwtAuth()', async () => {
        let ran = 0;
        const app = silent()
          .use(jwtAuth(options))
          .use(requireRoles('admin'))
          .use((ctx) => void (ran++, (ctx.body = { sub: ctx.state.auth.claims.sub })));
        expect((await request(app.callback()).get('/').set('authorization', `Bearer ${alice}`)).body).toEqual({ sub: 'alice' });
        const denied = await request(app.callback()).get('/').set('authorization', `Bearer ${bob}`);
        expect(denied.status).toBe(403);
        expect(denied.headers['www-authenticate']).toBe(forbidden());
        expect(ran).toBe(1);
      });

      it('refuse an anonymous request behind optional authentication with 401', async () => {
        const app = silent()
          .use(jwtAuth({ ...options, optional: true }))
          .use(requireRoles('admin'))
          .use((ctx) => void (ctx.body = 'handled'));
        const res = await request(app.callback()).get('/');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(res.text).not.toBe('handled');
      });

      it('answer a 500 ERR_CONFIG_INVALID as JSON, never a pass, when no jwtAuth() ran before them', async () => {
        let ran = 0;
        const app = silent()
          .use(requireRoles('admin'))
          .use(() => void ran++);
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${alice}`);
        expect(res.status).toBe(500);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(res.body).toEqual({ error: 'server_error', error_description: 'Authentication is misconfigured' });
        expect(ran).toBe(0);
      });
    });
  }

  it('are policies: they combine, and fit jwtAuth({ policy })', async () => {
    const router = new Router()
      .get('/either', jwtAuth(options), anyOf(requireRoles('admin'), requireScopes('orders:read')), (ctx) => void (ctx.body = 'ok'))
      .get('/both', jwtAuth(options), allOf(requireRoles('admin'), not(claimEquals('suspended', true))), (ctx) => void (ctx.body = 'ok'))
      .get('/global', jwtAuth({ ...options, policy: requireScopes('orders:write') }), (ctx) => void (ctx.body = 'ok'));
    const app = new Koa().use(router.routes());
    const status = async (path: string, token: string) => (await request(app.callback()).get(path).set('authorization', `Bearer ${token}`)).status;
    expect(await status('/either', bob)).toBe(200);
    expect(await status('/both', alice)).toBe(200);
    expect(await status('/both', bob)).toBe(403);
    expect(await status('/both', await tokenFor({ roles: ['admin'], suspended: true }))).toBe(403);
    expect(await status('/global', alice)).toBe(200);
    const denied = await request(app.callback()).get('/global').set('authorization', `Bearer ${bob}`);
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
  });

  it('give claimCheck the request, and pass through an AuthError it throws', async () => {
    interface Claims extends JWTPayload {
      tenant: string;
    }
    const router = new Router()
      .get('/tenant', jwtAuth<Claims>(options), claimCheck<Claims>((claims, req) => claims.tenant === req?.header('x-tenant')), (ctx) => void (ctx.body = 'ok'))
      .get(
        '/revoked',
        jwtAuth(options),
        claimCheck(() => {
          throw new AuthError('ERR_TOKEN_REVOKED');
        }),
        (ctx) => void (ctx.body = 'ok'),
      );
    const app = Object.assign(new Koa(), { silent: true }).use(router.routes());
    const acme = await tokenFor({ tenant: 'acme' });
    expect((await request(app.callback()).get('/tenant').set('authorization', `Bearer ${acme}`).set('x-tenant', 'acme')).status).toBe(200);
    expect((await request(app.callback()).get('/tenant').set('authorization', `Bearer ${acme}`).set('x-tenant', 'globex')).status).toBe(403);
    const revoked = await request(app.callback()).get('/revoked').set('authorization', `Bearer ${acme}`);
    expect(revoked.status).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token was revoked"');
  });

  it('refuse hostile claim shapes: inherited names, wrong types, oversized lists', async () => {
    const router = new Router()
      .get('/to-string', jwtAuth(options), requireRoles('toString'), (ctx) => void (ctx.body = 'ok'))
      .get('/constructor', jwtAuth(options), requireRoles(['admin'], { claim: 'constructor' }), (ctx) => void (ctx.body = 'ok'))
      .get('/admin', jwtAuth(options), requireRoles('admin'), (ctx) => void (ctx.body = 'ok'));
    const app = new Koa().use(router.routes());
    const status = async (path: string, claims: JWTPayload) => (await request(app.callback()).get(path).set('authorization', `Bearer ${await tokenFor(claims)}`)).status;
    expect(await status('/to-string', { roles: ['admin'] })).toBe(403);
    expect(await status('/to-string', { roles: ['toString'] })).toBe(200);
    expect(await status('/constructor', { roles: ['admin'] })).toBe(403);
    expect(await status('/admin', { roles: 'admin' })).toBe(200);
    expect(await status('/admin', { roles: { admin: true } })).toBe(403);
    expect(await status('/admin', { roles: [['admin']] })).toBe(403);
    expect(await status('/admin', { roles: ['admin', ...Array.from({ length: 1000 }, () => 'x')] })).toBe(403);
  });
});
