import Router from '@koa/router';
import { APP_ERROR_HANDLER_HEADER, FORWARDED_TOKEN_HEADER, TOKEN_HEADER, conformance, GUARDED_ROUTES, guardedAuthOptions, listenerTarget, type ConformanceSetup } from '@jwt-gate/testing';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import * as adapter from '../src/index.js';
import { AuthError, isAuthError, jwtAuth, requireRoles, type AuthResult, type JWTPayload, type RouteGuard } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

/** `respond`: jwtAuth answers; `own`: errors: 'next' to an error middleware; `koa`: errors: 'next' to Koa's default handler. */
type Rendering = 'respond' | 'own' | 'koa';

function createApp(Framework: typeof Koa, setup: ConformanceSetup, rendering: Rendering): Koa {
  const app = new Framework();
  // Koa's default handler logs every 5xx; the 500 and 503 scenarios are expected.
  app.silent = true;
  const ownErrorHandler = rendering === 'own';
  const mode = <T extends object>(options: T) => (rendering === 'respond' ? options : { ...options, errors: 'next' as const });
  const auth = jwtAuth<Claims>(mode(setup.auth));
  const optional = jwtAuth<Claims>(mode(setup.optionalAuth));
  const router = new Router();

  if (ownErrorHandler) {
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!isAuthError(error)) throw error;
        ctx.set(error.headers);
        ctx.set(APP_ERROR_HANDLER_HEADER, 'app');
        ctx.status = error.status;
        ctx.body = error.body;
      }
    });
  }
  router.all('/me', auth, (ctx) => {
    setup.handled('me');
    const { claims, header, issuer, token } = ctx.state.auth;
    ctx.body = { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token };
  });
  router.get(
    '/forwarded',
    async (ctx, next) => {
      const token = ctx.request.headers[FORWARDED_TOKEN_HEADER];
      // Replaces the headers object, as a middleware rewriting ctx.request.headers does.
      if (typeof token === 'string') ctx.request.headers = { ...ctx.request.headers, authorization: `Bearer ${token}` };
      await next();
    },
    auth,
    (ctx) => {
      setup.handled('forwarded');
      const { claims, header, issuer, token } = ctx.state.auth;
      ctx.body = { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token };
    },
  );
  const meLike = (route: 'header-token' | 'header-only' | 'query-token') => (ctx: Koa.Context) => {
    setup.handled(route);
    const { claims, header, issuer, token } = ctx.state.auth as AuthResult<Claims>;
    ctx.body = { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token };
  };
  router.get('/header-token', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER })), meLike('header-token'));
  router.get('/header-only', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })), meLike('header-only'));
  const fromQuery = (ctx: Koa.Context) => {
    const value = ctx.query['access_token'];
    if (Array.isArray(value)) throw new AuthError('ERR_MULTIPLE_TOKENS');
    return typeof value === 'string' ? value : undefined;
  };
  router.get('/query-token', jwtAuth<Claims>(mode({ ...setup.auth, getToken: fromQuery })), meLike('query-token'));
  router.get('/admin', auth, requireRoles('admin'), (ctx) => {
    setup.handled('admin');
    ctx.body = { message: `Hello, admin ${ctx.state.auth.claims.sub}` };
  });
  router.get('/hello', optional, (ctx) => {
    setup.handled('hello');
    ctx.body = { message: `Hello, ${ctx.state.auth?.claims.sub ?? 'stranger'}` };
  });
  for (const route of GUARDED_ROUTES) {
    const guard = route.guard<RouteGuard>(adapter);
    const given = guardedAuthOptions(setup, route);
    const options = given === undefined ? undefined : mode(given);
    const chain: Middleware[] = options === undefined ? [guard] : route.auth === 'policy' ? [jwtAuth({ ...options, policy: guard })] : [jwtAuth(options), guard];
    router.get(route.path, ...chain, (ctx) => {
      setup.handled(route.name);
      ctx.body = { route: route.name, sub: (ctx.state.auth as AuthResult<Claims>).claims.sub };
    });
  }
  app.use(router.routes());
  return app;
}

for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
  conformance(name, {
    kind: 'adapter',
    joinsRepeatedHeaders: false,
    errorBody: 'json',
    appErrorHandler: false,
    start: (setup) => listenerTarget(createApp(Framework, setup, 'respond').callback()),
  });
  conformance(`${name} with an error middleware`, {
    kind: 'adapter',
    joinsRepeatedHeaders: false,
    errorBody: 'json',
    appErrorHandler: true,
    start: (setup) => listenerTarget(createApp(Framework, setup, 'own').callback()),
  });
  // errors: 'next' without a handler of the app's: Koa's default one answers with the status,
  // the challenge and a text body.
  conformance(`${name}, refusals thrown to Koa's default handler`, {
    kind: 'adapter',
    joinsRepeatedHeaders: false,
    errorBody: 'text',
    appErrorHandler: false,
    start: (setup) => listenerTarget(createApp(Framework, setup, 'koa').callback()),
  });
}
