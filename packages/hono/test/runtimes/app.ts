// The Hono app the runtime suites (workerd, the Edge Runtime) run inside each runtime: jwtAuth
// with keys fetched from a JWKS server over HTTP, a requireRoles guard, and an issuer whose
// JWKS endpoint fails. /me names the runtime that answers, from what only it defines.

import { Hono } from 'hono';
import { jwtAuth, requireRoles } from '../../src/index.js';

/** Where the app's keys come from: a working JWKS server and a failing one. */
export interface RuntimeKeys {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly downIssuer: string;
  readonly downJwksUri: string;
}

/** The audience and realm of the app's tokens and challenges. */
export const AUDIENCE = 'orders-api';
export const REALM = 'api';

function runtimeName(): string {
  const globals = globalThis as { EdgeRuntime?: unknown; WebSocketPair?: unknown; navigator?: { userAgent?: string } };
  if (typeof globals.EdgeRuntime === 'string') return 'edge-runtime';
  if (globals.navigator?.userAgent === 'Cloudflare-Workers' && typeof globals.WebSocketPair === 'function') return 'workerd';
  return 'other';
}

export function createApp(keys: RuntimeKeys): Hono {
  const auth = jwtAuth({
    issuers: [
      { issuer: keys.issuer, jwksUri: keys.jwksUri },
      { issuer: keys.downIssuer, jwksUri: keys.downJwksUri },
    ],
    audience: AUDIENCE,
    realm: REALM,
  });
  return new Hono()
    .get('/me', auth, (c) => c.json({ sub: c.var.auth.claims.sub, runtime: runtimeName() }))
    .get('/admin', auth, requireRoles('admin'), (c) => c.json({ admin: c.var.auth.claims.sub }));
}
