// The Hono app as a Worker, configured from its bindings the way a deployed Worker is: built
// once per environment, its keys fetched from JWKS_URI on the first token. The Workers tests
// call it through workerd's own dispatch (exports.default.fetch).

import type { Hono } from 'hono';
import { createApp } from '../runtimes/app.js';

interface Env {
  ISSUER: string;
  JWKS_URI: string;
  DOWN_ISSUER: string;
  DOWN_JWKS_URI: string;
}

const apps = new WeakMap<Env, Hono>();

export default {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response> {
    let app = apps.get(env);
    if (app === undefined) {
      app = createApp({ issuer: env.ISSUER, jwksUri: env.JWKS_URI, downIssuer: env.DOWN_ISSUER, downJwksUri: env.DOWN_JWKS_URI });
      apps.set(env, app);
    }
    return app.fetch(request, env, ctx as never);
  },
};
