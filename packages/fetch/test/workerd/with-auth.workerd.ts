// Runs inside workerd (@cloudflare/vitest-pool-workers): the Worker of worker.ts, reached
// through workerd's own dispatch, verifies tokens against keys it fetches over HTTP, from
// inside workerd, from the JWKS server of global-setup.ts.

import { exports } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { createIssuer, importSigningKey, type JWTPayload } from '../../src/index.js';
import { currentRuntime } from '../which-runtime.js';

const { issuer: issuerId, downIssuer, privateJwk } = inject('workerdKeys');

async function sign(claims: JWTPayload, options: { issuer?: string; expiresIn?: number } = {}): Promise<string> {
  const key = await importSigningKey(JSON.parse(privateJwk));
  const issuer = createIssuer({ issuer: options.issuer ?? issuerId, audience: 'orders-api', privateKey: key, expiresIn: options.expiresIn ?? 300 });
  return issuer.sign(claims);
}
const get = (path: string, token?: string) => exports.default.fetch(`https://api.example/${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('withAuth inside workerd', () => {
  it('runs in workerd', () => {
    expect(currentRuntime()).toBe('workerd');
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
    expect(typeof (globalThis as { WebSocketPair?: unknown }).WebSocketPair).toBe('function');
  });

  it('accepts a token whose key the Worker fetched from the JWKS server, and lets only an admin into /admin', async () => {
    const alice = await sign({ sub: 'alice', roles: ['admin'] });
    const me = await get('me', alice);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'alice', runtime: 'workerd' });
    expect((await get('admin', alice)).status).toBe(200);
    const bob = await get('admin', await sign({ sub: 'bob', roles: ['user'] }));
    expect(bob.status).toBe(403);
    expect(bob.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
  });

  it('refuses with the RFC 6750 response: no token, a bad one; 503 while the keys are unavailable', async () => {
    const missing = await get('me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const bad = await get('me', 'not.a.token');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    const unavailable = await get('me', await sign({ sub: 'carol' }, { issuer: downIssuer }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('www-authenticate')).toBeNull();
  });
});
