import { APP_ERROR_HANDLER_HEADER, conformance, listenerTarget, type ConformanceSetup } from '@jwt-gate/testing';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import { AuthError, getAuth, isAuthError, jwtAuth, type JWTPayload } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

function createApp(framework: typeof express, setup: ConformanceSetup, ownErrorHandler: boolean): Express {
  const app = framework();
  const auth = jwtAuth<Claims>(setup.auth);
  const optional = jwtAuth<Claims>(setup.optionalAuth);
  // Handlers refuse the way jwtAuth does: through the app's error handler when it has one, else answered here.
  const refuse = (error: AuthError, res: Response, next: NextFunction) =>
    ownErrorHandler ? next(error) : void res.status(error.status).set(error.headers).json(error.body);

  app.all('/me', auth, (req, res) => {
    setup.handled('me');
    // A CORS preflight passes through without a result.
    if (req.auth === undefined) return void res.json({});
    const { claims, header, issuer, token } = getAuth<Claims>(req);
    res.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
  });
  app.get('/admin', auth, (req, res, next) => {
    const { claims } = getAuth<Claims>(req);
    if (!Array.isArray(claims.roles) || !claims.roles.includes('admin')) return refuse(new AuthError('ERR_INSUFFICIENT_SCOPE', { realm: setup.realm }), res, next);
    setup.handled('admin');
    res.json({ message: `Hello, admin ${claims.sub}` });
  });
  app.get('/hello', optional, (req, res) => {
    setup.handled('hello');
    res.json({ message: `Hello, ${req.auth?.claims.sub ?? 'stranger'}` });
  });
  app.get('/write', auth, (req, res, next) => {
    const { claims } = getAuth<Claims>(req);
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes('write')) {
      return refuse(new AuthError('ERR_INSUFFICIENT_SCOPE', { realm: setup.realm, scope: ['write'] }), res, next);
    }
    setup.handled('write');
    res.json({ message: `Written by ${claims.sub}` });
  });
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
