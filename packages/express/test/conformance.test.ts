import { APP_ERROR_HANDLER_HEADER, FORWARDED_TOKEN_HEADER, TOKEN_HEADER, conformance, GUARDED_ROUTES, guardedAuthOptions, listenerTarget, type ConformanceSetup } from '@jwt-gate/testing';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import express4 from 'express4';
import * as adapter from '../src/index.js';
import { AuthError, getAuth, isAuthError, jwtAuth, requireRoles, type JWTPayload, type RouteGuard } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

function createApp(framework: typeof express, setup: ConformanceSetup, ownErrorHandler: boolean): Express {
  const app = framework();
  // With an error handler of its own, the app takes refusals through errors: 'next'.
  const mode = <T extends object>(options: T) => (ownErrorHandler ? { ...options, errors: 'next' as const } : options);
  const auth = jwtAuth<Claims>(mode(setup.auth));
  const optional = jwtAuth<Claims>(mode(setup.optionalAuth));

  app.all('/me', auth, (req, res) => {
    setup.handled('me');
    const { claims, header, issuer, token } = getAuth<Claims>(req);
    res.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
  });
  app.get(
    '/forwarded',
    (req, _res, next) => {
      const token = req.headers[FORWARDED_TOKEN_HEADER];
      if (typeof token === 'string') req.headers.authorization = `Bearer ${token}`;
      next();
    },
    auth,
    (req, res) => {
      setup.handled('forwarded');
      const { claims, header, issuer, token } = getAuth<Claims>(req);
      res.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
    },
  );
  const meLike = (route: 'header-token' | 'header-only' | 'query-token') => (req: Request, res: Response) => {
    setup.handled(route);
    const { claims, header, issuer, token } = getAuth<Claims>(req);
    res.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
  };
  app.get('/header-token', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER })), meLike('header-token'));
  app.get('/header-only', jwtAuth<Claims>(mode({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })), meLike('header-only'));
  const fromQuery = (req: Request) => {
    const value = req.query['access_token'];
    if (Array.isArray(value)) throw new AuthError('ERR_MULTIPLE_TOKENS');
    return typeof value === 'string' ? value : undefined;
  };
  app.get('/query-token', jwtAuth<Claims>(mode({ ...setup.auth, getToken: fromQuery })), meLike('query-token'));
  app.get('/admin', auth, requireRoles('admin'), (req, res) => {
    setup.handled('admin');
    res.json({ message: `Hello, admin ${getAuth<Claims>(req).claims.sub}` });
  });
  app.get('/hello', optional, (req, res) => {
    setup.handled('hello');
    res.json({ message: `Hello, ${req.auth?.claims.sub ?? 'stranger'}` });
  });
  for (const route of GUARDED_ROUTES) {
    const guard = route.guard<RouteGuard>(adapter);
    const given = guardedAuthOptions(setup, route);
    const options = given === undefined ? undefined : mode(given);
    const chain: RequestHandler[] =
      options === undefined ? [guard] : route.auth === 'policy' ? [jwtAuth({ ...options, policy: guard })] : [jwtAuth(options), guard];
    app.get(route.path, ...chain, (req, res) => {
      setup.handled(route.name);
      res.json({ route: route.name, sub: getAuth<Claims>(req).claims.sub });
    });
  }
  if (ownErrorHandler) {
    app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!isAuthError(error)) return next(error);
      res.status(error.status).set(error.headers).set(APP_ERROR_HANDLER_HEADER, 'app').json(error.body);
    });
  }
  return app;
}

for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
  for (const ownErrorHandler of [false, true]) {
    conformance(ownErrorHandler ? `${name} with its own error handler` : name, {
      kind: 'adapter',
      joinsRepeatedHeaders: false,
      errorBody: 'json',
      appErrorHandler: ownErrorHandler,
      start: (setup) => listenerTarget(createApp(framework, setup, ownErrorHandler)),
    });
  }
}
