import { Hono, type Handler } from 'hono';
import { describe, expect, it } from 'vitest';
import { assertGuarded, isAuthError, jwtAuth, requireRoles, requireScopes } from '../src/index.js';

const options = { issuer: 'https://auth.example.com', audience: 'orders-api', secret: 'a-secret-of-at-least-32-bytes-for-hs256!' };
const ok: Handler = (c) => c.text('ok');

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

describe('assertGuarded (Hono)', () => {
  it('passes when jwtAuth() runs before every guard: on the route, the app, a path, a sub-app', () => {
    expect(failure(new Hono())).toBeNull();
    expect(failure(new Hono().get('/admin', jwtAuth(options), requireRoles('admin'), ok))).toBeNull();
    expect(failure(new Hono().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBeNull();
    expect(failure(new Hono().use('/api/*', jwtAuth(options)).get('/api/admin', requireRoles('admin'), ok))).toBeNull();
    expect(failure(new Hono().use('/users/:id/*', jwtAuth(options)).get('/users/:id/orders', requireScopes('orders:read'), ok))).toBeNull();
    expect(failure(new Hono().use('/users/*', jwtAuth(options)).get('/users/:id{[0-9]+}', requireScopes('orders:read'), ok))).toBeNull();
    expect(failure(new Hono().use(jwtAuth(options)).use(requireRoles('admin')).get('/admin', ok))).toBeNull();
    expect(failure(new Hono().use(jwtAuth(options)).route('/api', new Hono().get('/admin', requireRoles('admin'), ok)))).toBeNull();
    // A sub-app with its own onError: Hono wraps its handlers, and the check still sees them.
    const withOnError = new Hono().use(jwtAuth(options)).get('/admin', requireRoles('admin'), ok);
    withOnError.onError((_error, c) => c.text('sub-app error', 500));
    expect(failure(new Hono().route('/api', withOnError))).toBeNull();
    expect(failure(new Hono().all('/orders', jwtAuth(options)).post('/orders', requireScopes('orders:write'), ok))).toBeNull();
  });

  it('throws ERR_CONFIG_INVALID naming the route where a guard has nothing in front', () => {
    expect(failure(new Hono().get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
    expect(failure(new Hono().get('/admin', requireRoles('admin'), jwtAuth(options), ok))).toBe('GET /admin');
    expect(failure(new Hono().use(requireRoles('admin')).use(jwtAuth(options)))).toBe('ALL /*');
    expect(failure(new Hono().route('/api', new Hono().get('/admin', requireRoles('admin'), ok)))).toBe('GET /api/admin');
    const withOnError = new Hono().get('/admin', requireRoles('admin'), ok);
    withOnError.onError((_error, c) => c.text('sub-app error', 500));
    expect(failure(new Hono().route('/api', withOnError))).toBe('GET /api/admin');
  });

  it('counts jwtAuth() only where it runs: its path, its method', () => {
    expect(failure(new Hono().use('/api/*', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
    expect(failure(new Hono().get('/other', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
    expect(failure(new Hono().post('/admin', jwtAuth(options)).get('/admin', requireRoles('admin'), ok))).toBe('GET /admin');
    expect(failure(new Hono().get('/orders', jwtAuth(options)).all('/orders', requireScopes('orders:read'), ok))).toBe('ALL /orders');
    expect(failure(new Hono().use('/users/:id{[0-9]+}/*', jwtAuth(options)).get('/users/:name{[a-z]+}/orders', requireRoles('admin'), ok))).toBe(
      'GET /users/:name{[a-z]+}/orders',
    );
  });

  it('checks a guard whose path it cannot fill against everything registered before it', () => {
    const odd = '/objects/:id{[0-9a-f]{24}}';
    expect(failure(new Hono().use(jwtAuth(options)).get(odd, requireRoles('admin'), ok))).toBeNull();
    expect(failure(new Hono().get(odd, requireRoles('admin'), ok))).toBe(`GET ${odd}`);
  });
});
