import {
  APP_ERROR_HANDLER_HEADER,
  FORWARDED_TOKEN_HEADER,
  TOKEN_HEADER,
  conformance,
  GUARDED_ROUTES,
  guardedAuthOptions,
  type ConformanceSetup,
  type ConformanceTarget,
} from '@jwt-gate/testing';
import Fastify, { type FastifyInstance, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import * as adapter from '../src/index.js';
import { AuthError, getAuth, isAuthError, jwtAuth, jwtGate, requireRoles, type JWTPayload, type JwtGateOptions, type RouteGuard } from '../src/index.js';
import { injected, listening } from './targets.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

type Style = 'route hooks' | 'the jwtGate plugin';

const meBody = (request: FastifyRequest) => {
  const { claims, header, issuer, token } = getAuth<Claims>(request);
  return { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token };
};

// Moves the forwarded token into Authorization through Fastify's documented header setter.
const forward: onRequestHookHandler = (request, _reply, done) => {
  const token = request.headers[FORWARDED_TOKEN_HEADER];
  if (typeof token === 'string') request.headers = { authorization: `Bearer ${token}` };
  done();
};

const fromQuery = (request: FastifyRequest) => {
  const value = (request.query as Record<string, unknown>)['access_token'];
  if (Array.isArray(value)) throw new AuthError('ERR_MULTIPLE_TOKENS');
  return typeof value === 'string' ? value : undefined;
};

/**
 * The conformance app. With route hooks, each route carries `jwtAuth()` in `onRequest`. With the
 * plugin, routes sharing options sit in an encapsulated scope that registers `jwtGate`, optional
 * ones say so in their config, and the misconfigured guard sits outside every scope.
 */
async function createApp(setup: ConformanceSetup, style: Style, ownErrorHandler: boolean): Promise<FastifyInstance> {
  const app = Fastify();
  // With an error handler of its own, the app takes refusals through errors: 'next'.
  const mode = <T extends object>(options: T) => (ownErrorHandler ? { ...options, errors: 'next' as const } : options);
  if (ownErrorHandler) {
    app.setErrorHandler((error, _request, reply) => {
      if (!isAuthError(error)) return reply.code(500).send({ error: 'server_error' });
      return reply.code(error.status).headers(error.headers).header(APP_ERROR_HANDLER_HEADER, 'app').send(error.body);
    });
  }
  const handle = (route: Parameters<ConformanceSetup['handled']>[0]) => (request: FastifyRequest) => {
    setup.handled(route);
    return meBody(request);
  };
  const guardedHandler = (route: Parameters<ConformanceSetup['handled']>[0]) => (request: FastifyRequest) => {
    setup.handled(route);
    return { route, sub: request.auth?.claims.sub };
  };
  const misconfigured = GUARDED_ROUTES.filter((route) => route.auth === 'none');

  if (style === 'route hooks') {
    const auth = jwtAuth<Claims>(mode(setup.auth));
    app.all('/me', { onRequest: auth }, handle('me'));
    app.get('/forwarded', { onRequest: [forward, auth] }, handle('forwarded'));
    app.get('/header-token', { onRequest: jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER })) }, handle('header-token'));
    app.get('/header-only', { onRequest: jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })) }, handle('header-only'));
    app.get('/query-token', { onRequest: jwtAuth<Claims>(mode({ ...setup.auth, getToken: fromQuery })) }, handle('query-token'));
    app.get('/admin', { onRequest: auth, preHandler: requireRoles('admin') }, (request) => {
      setup.handled('admin');
      return { message: `Hello, admin ${getAuth<Claims>(request).claims.sub}` };
    });
    app.get('/hello', { onRequest: jwtAuth<Claims>(mode(setup.optionalAuth)) }, (request) => {
      setup.handled('hello');
      return { message: `Hello, ${request.auth?.claims.sub ?? 'stranger'}` };
    });
    for (const route of GUARDED_ROUTES) {
      const guard = route.guard<RouteGuard>(adapter);
      const given = guardedAuthOptions(setup, route);
      const options = given === undefined ? undefined : mode(given);
      const hooks =
        options === undefined ? { preHandler: guard } : route.auth === 'policy' ? { onRequest: jwtAuth({ ...options, policy: guard }) } : { onRequest: jwtAuth(options), preHandler: guard };
      app.get(route.path, hooks, guardedHandler(route.name));
    }
    return app;
  }

  const scope = (options: JwtGateOptions, routes: (instance: FastifyInstance) => void, before?: onRequestHookHandler) =>
    app.register(async (instance) => {
      if (before !== undefined) instance.addHook('onRequest', before);
      await instance.register(jwtGate, mode(options));
      routes(instance);
    });
  await scope(setup.auth, (api) => {
    api.all('/me', handle('me'));
    api.get('/admin', { preHandler: requireRoles('admin') }, (request) => {
      setup.handled('admin');
      return { message: `Hello, admin ${getAuth<Claims>(request).claims.sub}` };
    });
    api.get('/hello', { config: { jwtGate: { optional: true } } }, (request) => {
      setup.handled('hello');
      return { message: `Hello, ${request.auth?.claims.sub ?? 'stranger'}` };
    });
    for (const route of GUARDED_ROUTES.filter(({ auth }) => auth === 'required' || auth === 'optional')) {
      const config = route.auth === 'optional' ? { jwtGate: { optional: true } } : {};
      api.get(route.path, { config, preHandler: route.guard<RouteGuard>(adapter) }, guardedHandler(route.name));
    }
  });
  await scope(setup.auth, (api) => api.get('/forwarded', handle('forwarded')), forward);
  await scope({ ...setup.auth, tokenHeader: TOKEN_HEADER }, (api) => api.get('/header-token', handle('header-token')));
  await scope({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false }, (api) => api.get('/header-only', handle('header-only')));
  await scope({ ...setup.auth, getToken: fromQuery }, (api) => api.get('/query-token', handle('query-token')));
  for (const route of GUARDED_ROUTES.filter(({ auth }) => auth === 'policy' || auth === 'large-tokens')) {
    const guard = route.guard<RouteGuard>(adapter);
    const options = guardedAuthOptions(setup, route) as JwtGateOptions;
    if (route.auth === 'policy') await scope({ ...options, policy: guard }, (api) => api.get(route.path, guardedHandler(route.name)));
    else await scope(options, (api) => api.get(route.path, { preHandler: guard }, guardedHandler(route.name)));
  }
  for (const route of misconfigured) app.get(route.path, { preHandler: route.guard<RouteGuard>(adapter) }, guardedHandler(route.name));
  return app;
}

const over: Record<string, (app: FastifyInstance) => Promise<ConformanceTarget>> = { 'over HTTP': listening, 'through app.inject': injected };

for (const style of ['route hooks', 'the jwtGate plugin'] as const) {
  for (const ownErrorHandler of [false, true]) {
    for (const [transport, start] of Object.entries(over)) {
      // app.inject is an extra: once per style, without an error handler.
      if (transport !== 'over HTTP' && ownErrorHandler) continue;
      conformance(`Fastify 5 with ${style}${ownErrorHandler ? ' and setErrorHandler' : ''} ${transport}`, {
        kind: 'adapter',
        joinsRepeatedHeaders: false,
        errorBody: 'json',
        appErrorHandler: ownErrorHandler,
        start: async (setup) => start(await createApp(setup, style, ownErrorHandler)),
      });
    }
  }
}
