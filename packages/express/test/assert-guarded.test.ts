import express, { type RequestHandler } from 'express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { assertGuarded, isAuthError, jwtAuth, requireRoles, requireScopes } from '../src/index.js';

const options = { issuer: 'https://auth.example.com', audience: 'orders-api', secret: 'a-secret-of-at-least-32-bytes-for-hs256!' };
const ok: RequestHandler = (_req, res) => void res.end();

/** Where assertGuarded found a guard with nothing in front, or null when it passed. */
function failure(app: Parameters<typeof assertGuarded>[0]): unknown {
  try {
    assertGuarded(app);
    return null;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    return (error.details as { where: string }).where;
  }
}

describe('assertGuarded (Express)', () => {
  for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
    describe(name, () => {
      it('passes when jwtAuth() runs before every guard: on the route, the app, a mount path, a router', () => {
        expect(failure(framework())).toBeNull();
        expect(failure(framework().get('/admin', jwtAuth(options), requireRoles('admin'), ok))).toBeNull();
        expect(failure(framework().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBeNull();
        expect(failure(framework().use('/api', jwtAuth(options)).get('/api/admin', requireRoles('admin'), ok))).toBeNull();
        expect(failure(framework().use('/users/:id', jwtAuth(options)).get('/users/:id/orders', requireScopes('orders:read'), ok))).toBeNull();
        const router = framework.Router().get('/admin', requireRoles('admin'), ok);
        expect(failure(framework().use('/api', jwtAuth(options)).use('/api', router))).toBeNull();
        const inner = framework.Router().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok);
        expect(failure(framework().use('/api', inner))).toBeNull();
        const app = framework();
        app.route('/orders').all(jwtAuth(options)).get(requireScopes('orders:read'), ok).post(requireScopes('orders:write'), ok);
        expect(failure(app)).toBeNull();
        // An earlier route on the same path and method runs first when it calls next().
        expect(failure(framework().get('/admin', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBeNull();
        // A router with its own jwtAuth() authenticates the requests that pass through it.
        const authenticating = framework.Router().use(jwtAuth(options));
        expect(failure(framework().use(authenticating).get('/admin', requireRoles('admin'), ok))).toBeNull();
      });

      it('throws ERR_CONFIG_INVALID naming the route where a guard has nothing in front', () => {
        expect(failure(framework().get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
        expect(failure(framework().get('/admin', requireRoles('admin'), jwtAuth(options), ok))).toBe('GET /admin');
        expect(failure(framework().post('/orders', ok, requireScopes('orders:write'), ok))).toBe('POST /orders');
        expect(failure(framework().use(requireRoles('admin')).use(jwtAuth(options)))).toBe('ALL /');
        expect(failure(framework().use('/admin', requireRoles('admin')))).toBe('ALL /admin');
      });

      it('counts jwtAuth() only where it runs: its mount path, its route, its method', () => {
        expect(failure(framework().use('/api', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
        expect(failure(framework().use('/api', jwtAuth(options)).get('/apiary', requireRoles('admin'), ok))).toBe('GET /apiary');
        expect(failure(framework().get('/other', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
        expect(failure(framework().post('/admin', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
        const app = framework();
        app.route('/orders').get(jwtAuth(options)).all(requireScopes('orders:read'), ok);
        expect(failure(app)).toBe('ALL /orders');
        const router = framework.Router().get('/admin', requireRoles('admin'), ok);
        expect(failure(framework().use('/other', jwtAuth(options)).use('/api', router))).toBe('GET /api/admin');
      });

      it('checks a router on its own', () => {
        expect(failure(framework.Router().get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
        expect(failure(framework.Router().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBeNull();
      });

      it('leaves a guard it misses refusing with 500 at request time', async () => {
        // A sub-application is opaque to the check; its guard still never passes.
        const sub = framework().get('/admin', requireRoles('admin'), ok);
        const app = framework().use('/sub', sub);
        expect(failure(app)).toBeNull();
        expect((await request(app).get('/sub/admin')).status).toBe(500);
      });
    });
  }
});
