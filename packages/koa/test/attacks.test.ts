import { attacks, faults, fuzz, listenerTarget, type AttackSetup } from '@jwt-gate/testing';
import Koa from 'koa';
import Koa2 from 'koa2';
import { isAuthError, jwtAuth, requireRoles } from '../src/index.js';

/** The attack app: `/me` and `/hello` behind jwtAuth, `/admin` behind a route guard too, answering `{ sub }`. */
function createApp(Framework: typeof Koa, setup: AttackSetup, errorMiddleware: boolean, errors: 'respond' | 'next' = errorMiddleware ? 'next' : 'respond'): Koa {
  const app = new Framework();
  app.silent = true;
  const auth = jwtAuth({ ...setup.auth, errors });
  const optional = jwtAuth({ ...setup.optionalAuth, errors });
  const admin = requireRoles('admin');
  if (errorMiddleware) {
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!isAuthError(error)) throw error;
        ctx.set(error.headers);
        ctx.status = error.status;
        ctx.body = error.body;
      }
    });
  }
  app.use(async (ctx, next) => {
    if (ctx.path === '/me') {
      return auth(ctx, async () => {
        setup.handled('me');
        ctx.body = { sub: ctx.state.auth?.claims.sub };
      });
    }
    if (ctx.path === '/admin' && ctx.method === 'GET') {
      return auth(ctx, () =>
        admin(ctx, async () => {
          setup.handled('admin');
          ctx.body = { sub: ctx.state.auth?.claims.sub };
        }),
      );
    }
    if (ctx.path === '/hello' && ctx.method === 'GET') {
      return optional(ctx, async () => {
        setup.handled('hello');
        ctx.body = { sub: ctx.state.auth?.claims.sub };
      });
    }
    return next();
  });
  return app;
}

for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
  attacks(name, { errorBody: 'json', start: async (setup) => listenerTarget(createApp(Framework, setup, false).callback()) });
  attacks(`${name} with an error middleware`, { errorBody: 'json', start: async (setup) => listenerTarget(createApp(Framework, setup, true).callback()) });
  // errors: 'next' to Koa's own default handler: the status, the challenge and a text body.
  attacks(`${name}, refusals thrown to Koa's default handler`, { errorBody: 'text', start: async (setup) => listenerTarget(createApp(Framework, setup, false, 'next').callback()) });
}

fuzz('Koa 3', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(Koa, setup, false).callback()) });

faults('Koa 3', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(Koa, setup, false).callback()) });
faults('Koa 2 with an error middleware', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(Koa2, setup, true).callback()) });
