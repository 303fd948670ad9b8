// @jwt-gate/fetch inside the Vercel Edge Runtime (@edge-runtime/vm), where Next.js middleware and
// edge route handlers run: the handlers of workerd/worker.ts, bundled for the edge (no Node
// modules), evaluated in an EdgeVM and reached through its fetch events. They fetch their keys
// from a JWKS server over HTTP, from inside the VM.

import { EdgeVM } from '@edge-runtime/vm';
import { createTestKey, signToken, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWTPayload } from '../src/index.js';
import type { Env } from './workerd/worker.js';

const audience = 'orders-api';

describe('withAuth inside the Edge Runtime', () => {
  let keys: JwksServer;
  let down: JwksServer;
  let key: TestKey;
  let vm: EdgeVM;

  beforeAll(async () => {
    key = await createTestKey('ES256');
    keys = await startJwksServer({ keys: [key.publicJwk as never] });
    down = await startJwksServer();
    down.behaviour = { kind: 'status', status: 500 };
    // Bundled the way an edge deployment is: browser and edge conditions, the workspace's
    // packages from their sources (the tsconfig's paths), any Node import a build error.
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('edge-entry.ts', import.meta.url))],
      tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      logLevel: 'silent',
    });
    const env: Env = { ISSUER: keys.issuer, JWKS_URI: keys.jwksUri, DOWN_ISSUER: down.issuer, DOWN_JWKS_URI: down.jwksUri };
    vm = new EdgeVM();
    vm.evaluate(`globalThis.JWT_GATE_ENV = ${JSON.stringify(env)};`);
    vm.evaluate(bundle.outputFiles[0]?.text ?? '');
  });
  afterAll(async () => {
    await keys?.close();
    await down?.close();
  });

  const sign = (claims: JWTPayload) => signToken(key, { iss: keys.issuer, aud: audience, ...claims });
  const get = (path: string, token?: string) => vm.dispatchFetch(`https://api.example/${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('runs in the Edge Runtime, without Node', () => {
    expect(vm.evaluate('typeof EdgeRuntime')).toBe('string');
    expect(vm.evaluate('typeof process')).toBe('undefined');
    expect(vm.evaluate('typeof require')).toBe('undefined');
  });

  it('accepts a token whose key it fetched from the JWKS server, once, and lets only an admin into /admin', async () => {
    const alice = await sign({ sub: 'alice', roles: ['admin'] });
    const me = await get('me', alice);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'alice', runtime: 'edge-runtime' });
    expect((await get('admin', alice)).status).toBe(200);
    expect(keys.hits.get('/jwks.json')).toBe(1);
    const bob = await get('admin', await sign({ sub: 'bob', roles: ['user'] }));
    expect(bob.status).toBe(403);
    expect(bob.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="insufficient_scope"/);
  });

  it('refuses with the RFC 6750 response: no token, an expired one; 503 while the keys are unavailable', async () => {
    const missing = await get('me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const expired = await get('me', await signToken(key, { iss: keys.issuer, aud: audience, sub: 'alice' }, { expiresIn: -60 }));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    const other = await createTestKey('ES256');
    const unavailable = await get('me', await signToken(other, { iss: down.issuer, aud: audience, sub: 'carol' }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('www-authenticate')).toBeNull();
  });
});
