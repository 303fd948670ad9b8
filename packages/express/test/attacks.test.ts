import { attacks, faults, fuzz, listenerTarget, type AttackSetup } from '@jwt-gate/testing';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import { isAuthError, jwtAuth, requireRoles } from '../src/index.js';

/** The attack app: `/me` and `/hello` behind jwtAuth, `/admin` behind a route guard too, answering `{ sub }`. */
function createApp(framework: typeof express, setup: AttackSetup, ownErrorHandler: boolean): Express {
  const app = framework();
  const mode = <T extends object>(options: T) => (ownErrorHandler ? { ...options, errors: 'next' as const } : options);
  app.all('/me', jwtAuth(mode(setup.auth)), (req, res) => {
    setup.handled('me');
    res.json({ sub: req.auth?.claims.sub });
  });
  app.get('/hello', jwtAuth(mode(setup.optionalAuth)), (req, res) => {
    setup.handled('hello');
    res.json({ sub: req.auth?.claims.sub });
  });
  app.get('/admin', jwtAuth(mode(setup.auth)), requireRoles('admin'), (req, res) => {
    setup.handled('admin');
    res.json({ sub: req.auth?.claims.sub });
  });
  if (ownErrorHandler) {
    app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!isAuthError(error)) return next(error);
      res.status(error.status).set(error.headers).json(error.body);
    });
  }
  return app;
}

for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
  attacks(name, { errorBody: 'json', start: async (setup) => listenerTarget(createApp(framework, setup, false)) });
  attacks(`${name} with its own error handler`, { errorBody: 'json', start: async (setup) => listenerTarget(createApp(framework, setup, true)) });
}

fuzz('Express 5', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(express, setup, false)) });

faults('Express 5', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(express, setup, false)) });
faults('Express 4 with its own error handler', { errorBody: 'json', start: async (setup) => listenerTarget(createApp(express4, setup, true)) });
