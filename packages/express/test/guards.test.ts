import { createTestKey, signToken } from '@jwt-gate/testing';
import express, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  getAuth,
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

describe('route guards (Express)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const tokenFor = (claims: JWTPayload) => signToken(key, { iss: issuer, aud: audience, ...claims });
  const alice = await tokenFor({ sub: 'alice', scope: 'orders:read orders:write', roles: ['admin'] });
  const bob = await tokenFor({ sub: 'bob', scope: 'orders:read', roles: ['user'] });

  for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
    describe(name, () => {
      it('let a passing request through with the result attached, and refuse others without running the handler', async () => {
        const ran: string[] = [];
        const app = framework().post('/orders', jwtAuth(options), requireScopes('orders:write'), (req, res) => {
          ran.push(getAuth(req).claims.sub as string);
          res.status(201).json({ sub: req.auth?.claims.sub });
        });
        const ok = await request(app).post('/orders').set('authorization', `Bearer ${alice}`);
        expect(ok.status).toBe(201);
        expect(ok.body).toEqual({ sub: 'alice' });
        const denied = await request(app).post('/orders').set('authorization', `Bearer ${bob}`);
        expect(denied.status).toBe(403);
        expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
        expect(denied.body).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
        expect(ran).toEqual(['alice']);
      });

      it("refuse the way the jwtAuth() in front does: errors 'respond' answers even with an error handler", async () => {
        let handled = 0;
        const app = framework()
          .get('/admin', jwtAuth({ ...options, errors: 'respond' }), requireRoles('admin'), (_req, res) => res.end())
          .use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => void (handled++, res.status(418).end()));
        const res = await request(app).get('/admin').set('authorization', `Bearer ${bob}`);
        expect(res.status).toBe(403);
        expect(res.headers['www-authenticate']).toBe(forbidden());
        expect(handled).toBe(0);
      });

      it('refuse the way the latest jwtAuth() in front does, when two ran with different error modes', async () => {
        let handled = 0;
        const app = framework()
          .use(jwtAuth({ ...options, errors: 'respond' }))
          .get('/admin', jwtAuth({ ...options, errors: 'next' }), requireRoles('admin'), (_req, res) => res.end())
          .use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => void (handled++, res.status(418).end()));
        const res = await request(app).get('/admin').set('authorization', `Bearer ${bob}`);
        expect(res.status).toBe(418);
        expect(handled).toBe(1);
      });

      it("refuse the way the jwtAuth() in front does: errors 'next', to Express's final handler or one on a parent app", async () => {
        const seen: AuthErrorCode[] = [];
        const handler = (error: unknown, _req: Request, res: Response, next: NextFunction) => {
          if (!isAuthError(error)) return next(error);
          seen.push(error.code);
          res.status(error.status).set(error.headers).json({ handled: true });
        };
        const next = framework().get('/admin', jwtAuth({ ...options, errors: 'next' }), requireRoles('admin'), (_req, res) => res.end());
        next.set('env', 'test');
        const viaNext = await request(next).get('/admin').set('authorization', `Bearer ${bob}`);
        expect(viaNext.status).toBe(403);
        expect(viaNext.headers['www-authenticate']).toBe(forbidden());
        expect(viaNext.headers['content-type']).toMatch(/^text\/html/);

        const api = framework().get('/admin', jwtAuth({ ...options, errors: 'next' }), requireRoles('admin'), (_req, res) => res.end());
        const app = framework().use('/api', api).use(handler);
        const viaParent = await request(app).get('/api/admin').set('authorization', `Bearer ${bob}`);
        expect(viaParent.status).toBe(403);
        expect(viaParent.body).toEqual({ handled: true });
        expect(seen).toEqual(['ERR_INSUFFICIENT_SCOPE']);
      });

      it('refuse an anonymous request behind optional authentication with 401', async () => {
        let ran = 0;
        const app = framework().get('/admin', jwtAuth({ ...options, optional: true }), requireRoles('admin'), (_req, res) => void (ran++, res.end()));
        const res = await request(app).get('/admin');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(ran).toBe(0);
      });

      it('refuse with 500 ERR_CONFIG_INVALID, never a pass, when no jwtAuth() ran before them, answered as JSON', async () => {
        let ran = 0;
        const bare = framework().get('/admin', requireRoles('admin'), (_req, res) => void (ran++, res.end()));
        const res = await request(bare).get('/admin').set('authorization', `Bearer ${alice}`);
        expect(res.status).toBe(500);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(res.body).toEqual({ error: 'server_error', error_description: expect.any(String) });
        expect(ran).toBe(0);
      });

      it('work behind a jwtAuth() of the app, in a router, and as app-level middleware', async () => {
        const router = framework.Router().get('/admin', requireRoles('admin'), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
        const app = framework().use(jwtAuth(options)).use('/api', router);
        expect((await request(app).get('/api/admin').set('authorization', `Bearer ${alice}`)).body).toEqual({ sub: 'alice' });
        expect((await request(app).get('/api/admin').set('authorization', `Bearer ${bob}`)).status).toBe(403);
        const staff = framework()
          .use(jwtAuth(options), requireScopes('orders:read'))
          .get('/orders', (_req, res) => res.json({ ok: true }));
        expect((await request(staff).get('/orders').set('authorization', `Bearer ${bob}`)).status).toBe(200);
        expect((await request(staff).get('/orders')).status).toBe(401);
      });
    });
  }

  it('are policies: they combine, and fit jwtAuth({ policy })', async () => {
    const app = express()
      .get('/either', jwtAuth(options), anyOf(requireRoles('admin'), requireScopes('orders:read')), (_req, res) => res.end())
      .get('/both', jwtAuth(options), allOf(requireRoles('admin'), not(claimEquals('suspended', true))), (_req, res) => res.end())
      .get('/global', jwtAuth({ ...options, policy: requireScopes('orders:write') }), (_req, res) => res.end());
    const status = async (path: string, token: string) => (await request(app).get(path).set('authorization', `Bearer ${token}`)).status;
    expect(await status('/either', bob)).toBe(200);
    expect(await status('/both', alice)).toBe(200);
    expect(await status('/both', bob)).toBe(403);
    expect(await status('/both', await tokenFor({ roles: ['admin'], suspended: true }))).toBe(403);
    expect(await status('/global', alice)).toBe(200);
    const denied = await request(app).get('/global').set('authorization', `Bearer ${bob}`);
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(forbidden('orders:write'));
  });

  it('give claimCheck the request, and pass through an AuthError it throws', async () => {
    interface Claims extends JWTPayload {
      tenant: string;
    }
    const sameTenant = claimCheck<Claims>((claims, req) => claims.tenant === req?.header('x-tenant'));
    const revoked = claimCheck(() => {
      throw new AuthError('ERR_TOKEN_REVOKED');
    });
    const broken = claimCheck(() => {
      throw new Error('database down');
    });
    const app = express()
      .get('/tenant', jwtAuth<Claims>(options), sameTenant, (_req, res) => res.end())
      .get('/revoked', jwtAuth(options), revoked, (_req, res) => res.end())
      .get('/broken', jwtAuth(options), broken, (_req, res) => res.end());
    const acme = await tokenFor({ tenant: 'acme' });
    expect((await request(app).get('/tenant').set('authorization', `Bearer ${acme}`).set('x-tenant', 'acme')).status).toBe(200);
    expect((await request(app).get('/tenant').set('authorization', `Bearer ${acme}`).set('x-tenant', 'globex')).status).toBe(403);
    const revokedRes = await request(app).get('/revoked').set('authorization', `Bearer ${acme}`);
    expect(revokedRes.status).toBe(401);
    expect(revokedRes.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token was revoked"');
    const brokenRes = await request(app).get('/broken').set('authorization', `Bearer ${acme}`);
    expect(brokenRes.status).toBe(403);
    expect(brokenRes.text).not.toContain('database');
  });

  it('refuse hostile claim shapes: inherited names, wrong types, oversized lists', async () => {
    const app = express()
      .get('/to-string', jwtAuth(options), requireRoles('toString'), (_req, res) => res.end())
      .get('/constructor', jwtAuth(options), requireRoles(['admin'], { claim: 'constructor' }), (_req, res) => res.end())
      .get('/admin', jwtAuth(options), requireRoles('admin'), (_req, res) => res.end());
    const status = async (path: string, claims: JWTPayload) => (await request(app).get(path).set('authorization', `Bearer ${await tokenFor(claims)}`)).status;
    expect(await status('/to-string', { roles: ['admin'] })).toBe(403);
    expect(await status('/to-string', { roles: ['toString'] })).toBe(200);
    expect(await status('/constructor', { roles: ['admin'] })).toBe(403);
    expect(await status('/admin', { roles: 'admin' })).toBe(200);
    expect(await status('/admin', { roles: { admin: true } })).toBe(403);
    expect(await status('/admin', { roles: [['admin']] })).toBe(403);
    expect(await status('/admin', { roles: ['admin', ...Array.from({ length: 1000 }, () => 'x')] })).toBe(403);
  });

  it('refuse what is not a policy, and bad arguments, when the app is built', () => {
    expect(() => allOf({ rule: { kind: 'allOf' } } as never)).toThrow(TypeError);
    expect(() => not((() => undefined) as never)).toThrow(TypeError);
    expect(() => requireScopes('has space')).toThrow(TypeError);
    expect(() => requireRoles([])).toThrow(TypeError);
    expect(() => jwtAuth({ ...options, policy: (() => true) as never })).toThrow(TypeError);
  });
});
