import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { attacks, faults, fetchTarget, fuzz, serverTarget, type AttackSetup, type ConformanceTarget } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isAuthError, jwtAuth, requireRoles } from '../src/index.js';

/** The attack app: `/me` and `/hello` behind jwtAuth, `/admin` behind a route guard too, answering `{ sub }`. */
function createApp(setup: AttackSetup, onError: boolean): Hono {
  const app = new Hono();
  const errors = onError ? 'next' : 'respond';
  app.all('/me', jwtAuth({ ...setup.auth, errors }), (c) => {
    setup.handled('me');
    return c.json({ sub: c.var.auth.claims.sub });
  });
  app.get('/hello', jwtAuth({ ...setup.optionalAuth, errors }), (c) => {
    setup.handled('hello');
    return c.json({ sub: c.var.auth?.claims.sub });
  });
  app.get('/admin', jwtAuth({ ...setup.auth, errors }), requireRoles('admin'), (c) => {
    setup.handled('admin');
    return c.json({ sub: c.var.auth.claims.sub });
  });
  if (onError) {
    app.onError((error, c) => {
      const cause = error instanceof HTTPException ? error.cause : error;
      if (!isAuthError(cause)) return c.text('Internal Server Error', 500);
      return c.json(cause.body, cause.status as ContentfulStatusCode, cause.headers);
    });
  }
  return app;
}

function onNodeServer(app: Hono): Promise<ConformanceTarget> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(serverTarget(server as Server)));
  });
}

for (const onError of [false, true]) {
  const suffix = onError ? ' with app.onError' : '';
  attacks(`Hono through app.request${suffix}`, {
    errorBody: 'json',
    start: async (setup) => {
      const app = createApp(setup, onError);
      return fetchTarget((request) => app.request(request));
    },
  });
  attacks(`Hono on @hono/node-server${suffix}`, { errorBody: 'json', start: async (setup) => onNodeServer(createApp(setup, onError)) });
}

fuzz('Hono through app.request', {
  errorBody: 'json',
  start: async (setup) => {
    const app = createApp(setup, false);
    return fetchTarget((request) => app.request(request));
  },
});

faults('Hono on @hono/node-server', { errorBody: 'json', start: async (setup) => onNodeServer(createApp(setup, false)) });
faults('Hono through app.request with app.onError', {
  errorBody: 'json',
  start: async (setup) => {
    const app = createApp(setup, true);
    return fetchTarget((request) => app.request(request));
  },
});
