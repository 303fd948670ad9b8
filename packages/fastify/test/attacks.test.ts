import { attacks, faults, fuzz, type AttackSetup } from '@jwt-gate/testing';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { isAuthError, jwtAuth, jwtGate, requireRoles } from '../src/index.js';
import { injected, listening } from './targets.js';

/**
 * The attack app: `/me` (every method), `/hello` (optional) and `/admin` (with a `requireRoles`
 * guard in `preHandler`), answering `{ sub }`, behind
 * `jwtAuth()` route hooks or behind the `jwtGate` plugin with `/hello` optional in its config.
 */
async function createApp(setup: AttackSetup, plugin: boolean, ownErrorHandler: boolean): Promise<FastifyInstance> {
  const app = Fastify();
  const errors = ownErrorHandler ? 'next' : 'respond';
  if (ownErrorHandler) {
    app.setErrorHandler((error, _request, reply) => {
      if (!isAuthError(error)) return reply.code(500).send({ error: 'server_error' });
      return reply.code(error.status).headers(error.headers).send(error.body);
    });
  }
  const me = () => {
    setup.handled('me');
  };
  const admin = (request: FastifyRequest) => {
    setup.handled('admin');
    return { sub: request.auth?.claims.sub };
  };
  if (plugin) {
    await app.register(jwtGate, { ...setup.auth, errors });
    app.all('/me', (request) => (me(), { sub: request.auth?.claims.sub }));
    app.get('/hello', { config: { jwtGate: { optional: true } } }, (request) => {
      setup.handled('hello');
      return { sub: request.auth?.claims.sub };
    });
    app.get('/admin', { preHandler: requireRoles('admin') }, admin);
    return app;
  }
  app.all('/me', { onRequest: jwtAuth({ ...setup.auth, errors }) }, (request) => (me(), { sub: request.auth?.claims.sub }));
  app.get('/hello', { onRequest: jwtAuth({ ...setup.optionalAuth, errors }) }, (request) => {
    setup.handled('hello');
    return { sub: request.auth?.claims.sub };
  });
  app.get('/admin', { onRequest: jwtAuth({ ...setup.auth, errors }), preHandler: requireRoles('admin') }, admin);
  return app;
}

for (const plugin of [false, true]) {
  const style = plugin ? 'the jwtGate plugin' : 'route hooks';
  attacks(`Fastify 5 with ${style} over HTTP`, { errorBody: 'json', start: async (setup) => listening(await createApp(setup, plugin, false)) });
  attacks(`Fastify 5 with ${style} and setErrorHandler over HTTP`, { errorBody: 'json', start: async (setup) => listening(await createApp(setup, plugin, true)) });
}
attacks('Fastify 5 with the jwtGate plugin through app.inject', { errorBody: 'json', start: async (setup) => injected(await createApp(setup, true, false)) });

fuzz('Fastify 5 with route hooks', { errorBody: 'json', start: async (setup) => listening(await createApp(setup, false, false)) });

faults('Fastify 5 with route hooks', { errorBody: 'json', start: async (setup) => listening(await createApp(setup, false, false)) });
faults('Fastify 5 with the jwtGate plugin and setErrorHandler', { errorBody: 'json', start: async (setup) => listening(await createApp(setup, true, true)) });
