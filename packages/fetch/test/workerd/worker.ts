// A Worker protected by @jwt-gate/fetch, configured from its bindings the way a deployed Worker
// is: the routes are built once per environment, their keys fetched from JWKS_URI on the first
// token. The Workers tests call it through workerd's own dispatch (exports.default.fetch); the
// Edge Runtime test runs the same module there, from its fetch events. /me names the runtime
// that answers.

import { jwtAuth, requireRoles, withAuth, type Authenticate } from '../../src/index.js';
import { currentRuntime } from '../which-runtime.js';

export interface Env {
  ISSUER: string;
  JWKS_URI: string;
  DOWN_ISSUER: string;
  DOWN_JWKS_URI: string;
}

type Handler = (request: Request, env: Env) => Promise<Response>;

const apps = new WeakMap<Env, Map<string, Handler>>();

function routesFor(env: Env): Map<string, Handler> {
  let routes = apps.get(env);
  if (routes === undefined) {
    const auth: Authenticate = jwtAuth({
      issuers: [
        { issuer: env.ISSUER, jwksUri: env.JWKS_URI },
        { issuer: env.DOWN_ISSUER, jwksUri: env.DOWN_JWKS_URI },
      ],
      audience: 'orders-api',
      realm: 'api',
    });
    routes = new Map<string, Handler>([
      ['/me', withAuth((_request, { claims }) => Response.json({ sub: claims.sub, runtime: currentRuntime() }), auth)],
      ['/admin', withAuth(requireRoles('admin')((_request, { claims }) => Response.json({ admin: claims.sub })), auth)],
    ]);
    apps.set(env, routes);
  }
  return routes;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const route = routesFor(env).get(new URL(request.url).pathname);
    return route === undefined ? new Response('Not found', { status: 404 }) : route(request, env);
  },
};
