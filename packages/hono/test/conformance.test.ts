import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { APP_ERROR_HANDLER_HEADER, FORWARDED_TOKEN_HEADER, TOKEN_HEADER, conformance, fetchTarget, GUARDED_ROUTES, guardedAuthOptions, serverTarget, type ConformanceSetup, type ConformanceTarget } from '@jwt-gate/testing';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as adapter from '../src/index.js';
import { AuthError, isAuthError, jwtAuth, requireRoles, type AuthResult, type JWTPayload, type OptionalAuthVariables, type RouteGuard } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

function createApp(setup: ConformanceSetup, ownErrorHandler: boolean): Hono {
  const app = new Hono();
  // With app.onError, the app takes refusals through errors: 'next'.
  const mode = <T extends object>(options: T) => (ownErrorHandler ? { ...options, errors: 'next' as const } : options);
  const auth = jwtAuth<Claims>(mode(setup.auth));
  const optional = jwtAuth<Claims>(mode(setup.optionalAuth));

  app.all('/me', auth, (c) => {
    setup.handled('me');
    const { claims, header, issuer, token } = c.var.auth;
    return c.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
  });
  app.get(
    '/forwarded',
    async (c, next) => {
      const token = c.req.header(FORWARDED_TOKEN_HEADER);
      if (token !== undefined) c.req.raw.headers.set('authorization', `Bearer ${token}`);
      await next();
    },
    auth,
    (c) => {
      setup.handled('forwarded');
      const { claims, header, issuer, token } = c.var.auth;
      return c.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
    },
  );
  const meLike = (route: 'header-token' | 'header-only' | 'query-token') => (c: Context<{ Variables: OptionalAuthVariables<Claims> }>) => {
    setup.handled(route);
    const { claims, header, issuer, token } = c.var.auth as AuthResult<Claims>;
    return c.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
  };
  app.get('/header-token', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER })), meLike('header-token'));
  app.get('/header-only', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })), meLike('header-only'));
  const fromQuery = (c: Context) => {
    const values = c.req.queries('access_token') ?? [];
    if (values.length > 1) throw new AuthError('ERR_MULTIPLE_TOKENS');
    return values[0];
  };
  app.get('/query-token', jwtAuth<Claims>(mode({ ...setup.auth, getToken: fromQuery })), meLike('query-token'));
  app.get('/admin', auth, requireRoles('admin'), (c) => {
    setup.handled('admin');
    return c.json({ message: `Hello, admin ${c.var.auth.claims.sub}` });
  });
  app.get('/hello', optional, (c) => {
    setup.handled('hello');
    return c.json({ message: `Hello, ${c.var.auth?.claims.sub ?? 'stranger'}` });
  });
  for (const route of GUARDED_ROUTES) {
    const guard = route.guard<RouteGuard>(adapter);
    const given = guardedAuthOptions(setup, route);
    const options = given === undefined ? undefined : mode(given);
    const handler = (c: Context<{ Variables: OptionalAuthVariables<Claims> }>) => {
      setup.handled(route.name);
      return c.json({ route: route.name, sub: c.var.auth?.claims.sub });
    };
    if (options === undefined) app.get(route.path, guard, handler);
    else if (route.auth === 'policy') app.get(route.path, jwtAuth({ ...options, policy: guard }), handler);
    else app.get(route.path, jwtAuth(options), guard, handler);
  }
  if (ownErrorHandler) {
    app.onError((error, c) => {
      const cause = error instanceof HTTPException ? error.cause : error;
      if (!isAuthError(cause)) return c.text('Internal Server Error', 500);
      return c.json(cause.body, cause.status as ContentfulStatusCode, { ...cause.headers, [APP_ERROR_HANDLER_HEADER]: 'app' });
    });
  }
  return app;
}

async function onNodeServer(app: Hono): Promise<ConformanceTarget> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(serverTarget(server as Server)));
  });
}

for (const ownErrorHandler of [false, true]) {
  const suffix = ownErrorHandler ? ' with app.onError' : '';
  const driver = { kind: 'adapter', joinsRepeatedHeaders: true, errorBody: 'json', appErrorHandler: ownErrorHandler } as const;
  conformance(`Hono through app.request${suffix}`, {
    ...driver,
    start: async (setup) => {
      const app = createApp(setup, ownErrorHandler);
      return fetchTarget((request) => app.request(request));
    },
  });
  conformance(`Hono on @hono/node-server${suffix}`, { ...driver, start: (setup) => onNodeServer(createApp(setup, ownErrorHandler)) });
}
