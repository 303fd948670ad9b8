import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { assertGuarded, isAuthError, jwtAuth, requireRoles, requireScopes } from '../src/index.js';

const options = { issuer: 'https://auth.example.com', audience: 'orders-api', secret: 'a-secret-of-at-least-32-bytes-for-hs256!' };
const ok: Middleware = (ctx) => void (ctx.body = 'ok');

/** Where assertGuarded found a guard with nothing in front, or null when it passed. */
function failure(app: Koa): unknown {
  try {
    assertGuarded(app);
    return null;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    return (error.details as { where: string }).where;
  }
}

describe('assertGuarded (Koa)', () => {
  for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
    describe(name, () => {
      const app = (...middleware: Middleware[]) => middleware.reduce((built, entry) => built.use(entry), new Framework());
      const routes = (router: Router) => router.routes() as unknown as Middleware;

      it('passes when jwtAuth() runs before every guard: in the app, on the route, in the router', () => {
        expect(failure(app())).toBeNull();
        expect(failure(app(jwtAuth(options), requireRoles('admin'), ok))).toBeNull();
        expect(failure(app(routes(new Router().get('/admin', jwtAuth(options), requireRoles('admin'), ok))))).toBeNull();
        expect(failure(app(jwtAuth(options), routes(new Router().get('/admin', requireRoles('admin'), ok))))).toBeNull();
        expect(failure(app(routes(new Router().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok))))).toBeNull();
        expect(failure(app(routes(new Router().use('/api', jwtAuth(options)).get('/api/orders/:id', requireScopes('orders:read'), ok))))).toBeNull();
        const nested = new Router().get('/admin', requireRoles('admin'), ok);
        expect(failure(app(routes(new Router().use(jwtAuth(options)).use('/api', nested.routes()))))).toBeNull();
        // Another router's jwtAuth() runs for the path when that router has a route there too.
        const first = new Router().use(jwtAuth(options)).get('/admin', async (_ctx, next) => next());
        expect(failure(app(routes(first), routes(new Router().get('/admin', requireRoles('admin'), ok))))).toBeNull();
      });

      it('throws ERR_CONFIG_INVALID naming the route where a guard has nothing in front', () => {
        expect(failure(app(requireRoles('admin'), jwtAuth(options)))).toBe('every request');
        expect(failure(app(routes(new Router().get('/admin', requireRoles('admin'), ok))))).toBe('GET /admin');
        expect(failure(app(routes(new Router().post('/orders', requireScopes('orders:write'), jwtAuth(options), ok))))).toBe('POST /orders');
        expect(failure(app(routes(new Router().get('/admin', requireRoles('admin'), ok)), jwtAuth(options)))).toBe('GET /admin');
      });

      it('counts jwtAuth() only where it runs: its path, its method, its router', () => {
        expect(failure(app(routes(new Router().use('/api', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))))).toBe('GET /admin');
        expect(failure(app(routes(new Router().get('/other', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))))).toBe('GET /admin');
        expect(failure(app(routes(new Router().post('/admin', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))))).toBe('GET /admin');
        // A router without a route for the path never runs its jwtAuth() for it.
        const elsewhere = new Router().use(jwtAuth(options)).get('/other', ok);
        expect(failure(app(routes(elsewhere), routes(new Router().get('/admin', requireRoles('admin'), ok))))).toBe('GET /admin');
        // App-level middleware runs for every request: a router in front does not authenticate it.
        expect(failure(app(routes(new Router().use(jwtAuth(options)).get('/me', ok)), requireRoles('admin')))).toBe('every request');
      });

      it('leaves a guard it misses refusing with 500 at request time', async () => {
        // Composed middleware is opaque to the check; its guard still never passes.
        const composed: Middleware = (ctx, next) => requireRoles('admin')(ctx, next);
        const opaque = Object.assign(app(composed, ok), { silent: true });
        expect(failure(opaque)).toBeNull();
        expect((await request(opaque.callback()).get('/')).status).toBe(500);
      });
    });
  }
});
