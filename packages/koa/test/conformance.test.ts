import { APP_ERROR_HANDLER_HEADER, conformance, listenerTarget, type ConformanceSetup } from '@jwt-gate/testing';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import { AuthError, isAuthError, jwtAuth, type AuthResult, type JWTPayload } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

/** A route without a router: `guard` then `handler`, on one path (and one method, unless null). */
function route<S>(method: string | null, path: string, guard: Middleware<S>, handler: Middleware<S>): Middleware<S> {
  return (ctx, next) => (ctx.path === path && (method === null || ctx.method === method) ? guard(ctx, () => handler(ctx, next)) : next());
}

function createApp(Framework: typeof Koa, setup: ConformanceSetup, ownErrorHandler: boolean): Koa {
  const app = new Framework();
  // Koa's default handler logs every 5xx; the 503 scenarios are expected.
  app.silent = true;
  const auth = jwtAuth<Claims>(setup.auth);
  const optional = jwtAuth<Claims>(setup.optionalAuth);

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
  app.use(
    route(null, '/me', auth, (ctx) => {
      setup.handled('me');
      // A CORS preflight passes through without a result.
      const result = ctx.state.auth as AuthResult<Claims> | undefined;
      if (result === undefined) return void (ctx.body = {});
      const { claims, header, issuer, token } = result;
      ctx.body = { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token };
    }),
  );
  app.use(
    route('GET', '/admin', auth, (ctx) => {
      const { claims } = ctx.state.auth;
      if (!Array.isArray(claims.roles) || !claims.roles.includes('admin')) throw new AuthError('ERR_INSUFFICIENT_SCOPE', { realm: setup.realm });
      setup.handled('admin');
      ctx.body = { message: `Hello, admin ${claims.sub}` };
    }),
  );
  app.use(
    route('GET', '/hello', optional, (ctx) => {
      setup.handled('hello');
      ctx.body = { message: `Hello, ${ctx.state.auth?.claims.sub ?? 'stranger'}` };
    }),
  );
  app.use(
    route('GET', '/write', auth, (ctx) => {
      const { claims } = ctx.state.auth;
      if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes('write')) {
        throw new AuthError('ERR_INSUFFICIENT_SCOPE', { realm: setup.realm, scope: ['write'] });
      }
      setup.handled('write');
      ctx.body = { message: `Written by ${claims.sub}` };
    }),
  );
  return app;
}

for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
  // Koa's own default handler answers with the status, the challenge and a text body.
  conformance(name, {
    kind: 'adapter',
    joinsRepeatedHeaders: false,
    errorBody: 'text',
    appErrorHandler: false,
    start: (setup) => listenerTarget(createApp(Framework, setup, false).callback()),
  });
  conformance(`${name} with an error middleware`, {
    kind: 'adapter',
    joinsRepeatedHeaders: false,
    errorBody: 'json',
    appErrorHandler: true,
    start: (setup) => listenerTarget(createApp(Framework, setup, true).callback()),
  });
}
