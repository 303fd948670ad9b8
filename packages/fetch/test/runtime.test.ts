// This file runs wherever the package's test script runs the suite: Node, then Deno and Bun
// (JWT_GATE_RUNTIME names the one expected). It proves where it runs, then serves withAuth with
// that runtime's own server, verifying tokens against a key set it fetches from a local JWKS
// server over HTTP.

import { createTestKey, signToken, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth, requireRoles, withAuth, type JWTPayload } from '../src/index.js';
import { currentRuntime, expectedRuntime, serveNatively, serveOnNodeHttp, type Served } from './runtime.js';

const audience = 'orders-api';
const runtime = currentRuntime();

describe(`withAuth on ${runtime}`, () => {
  let keys: JwksServer;
  let down: JwksServer;
  let key: TestKey;
  let served: Served;
  const token = (claims: JWTPayload, options: { expiresIn?: number } = {}) => signToken(key, { iss: keys.issuer, aud: audience, ...claims }, options);
  const get = (path: string, token?: string) => fetch(`${served.origin}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    key = await createTestKey('ES256');
    keys = await startJwksServer({ keys: [key.publicJwk as never] });
    down = await startJwksServer();
    down.behaviour = { kind: 'status', status: 500 };
    const options = { issuers: [{ issuer: keys.issuer, jwksUri: keys.jwksUri }, { issuer: down.issuer, jwksUri: down.jwksUri }], audience, realm: 'api' };
    // One authenticate function shared by both routes, so they share its JWKS cache.
    const auth = jwtAuth(options);
    const me = withAuth((_request, result) => Response.json({ sub: result.claims.sub, runtime: currentRuntime() }), auth);
    const admin = withAuth(requireRoles('admin')((_request, result) => Response.json({ admin: result.claims.sub })), auth);
    const handler = (request: Request) => (new URL(request.url).pathname === '/admin' ? admin(request) : me(request));
    served = (await serveNatively(handler)) ?? (await serveOnNodeHttp(handler));
  });
  afterAll(async () => {
    await served?.close();
    await keys?.close();
    await down?.close();
  });

  it('runs in the runtime the test script asked for', () => {
    expect(runtime).toBe(expectedRuntime());
    const { Deno, Bun } = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
    if (runtime === 'deno') expect(Deno?.version.deno).toMatch(/^\d+\.\d+\.\d+/);
    if (runtime === 'bun') expect(Bun?.version).toMatch(/^\d+\.\d+\.\d+/);
    if (runtime === 'node') expect(process.release.name).toBe('node');
  });

  it("accepts a token whose key comes from the remote JWKS, fetched once, through the runtime's own server", async () => {
    const alice = await token({ sub: 'alice', roles: ['admin'] });
    const res = await get('/me', alice);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'alice', runtime });
    expect((await get('/admin', alice)).status).toBe(200);
    expect(keys.hits.get('/jwks.json')).toBe(1);
  });

  it('refuses with the RFC 6750 response: no token, an expired one, a role missing, keys unavailable', async () => {
    const missing = await get('/me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const expired = await get('/me', await token({ sub: 'alice' }, { expiresIn: -60 }));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
    const bob = await get('/admin', await token({ sub: 'bob', roles: ['user'] }));
    expect(bob.status).toBe(403);
    expect(await bob.json()).toEqual({ error: 'insufficient_scope', error_description: expect.any(String) });
    const other = await createTestKey('ES256');
    const unavailable = await get('/me', await signToken(other, { iss: down.issuer, aud: audience, sub: 'carol' }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('www-authenticate')).toBeNull();
  });
});
