// The same src/server.ts under Bun and Deno, each started as a real process with its own server
// (Bun.serve, Deno.serve): it says which runtime serves it, logs in and answers /me and /admin,
// and accepts an identity provider's token whose key it fetches, from inside that runtime, from
// a JWKS server over HTTP. The full contract runs on Node (contract.test.ts).

import { fileURLToPath } from 'node:url';
import { createTestKey, rawRequest, signToken, startJwksServer, startProcess, type JwksServer, type StartedProcess, type TestKey } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

const RUNTIMES = [
  { name: 'Bun', command: bin('bun'), args: ['src/server.ts'] },
  // Deno loads the workspace packages' built files (dist), which the test task builds first.
  { name: 'Deno', command: bin('deno'), args: ['run', '--allow-net', '--allow-env', '--allow-read', 'src/server.ts'] },
] as const;

for (const runtime of RUNTIMES) {
  describe(`Fetch example on ${runtime.name}`, () => {
    let server: StartedProcess;
    let idp: JwksServer;
    let idpKey: TestKey;

    beforeAll(async () => {
      idpKey = await createTestKey('ES256');
      idp = await startJwksServer({ keys: [idpKey.publicJwk as never] });
      server = await startProcess({ command: runtime.command, args: [...runtime.args], cwd, env: { TRUSTED_ISSUER: idp.issuer, TRUSTED_JWKS_URI: idp.jwksUri }, timeoutMs: 60_000 });
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
      await idp?.close();
    });

    const login = async (username: string) => {
      const res = await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body: JSON.stringify({ username, password: `${username}-password` }) });
      expect(res.status).toBe(200);
      return res.json<{ access_token: string }>().access_token;
    };
    const get = (path: string, token?: string) => rawRequest(`${server.baseUrl}${path}`, { headers: token === undefined ? [] : [['authorization', `Bearer ${token}`]] });

    it(`is served by ${runtime.name}'s own server`, () => {
      expect(server.output()).toContain(`jwt-gate fetch example on ${runtime.name}, ${server.baseUrl}`);
    });

    it('logs in, answers /me with the verified claims, and lets only an admin into /admin', async () => {
      const alice = await login('alice');
      const me = await get('/me', alice);
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ sub: 'alice', roles: ['admin'], claims: { iss: server.baseUrl, aud: 'jwt-gate-example' } });
      expect((await get('/admin', alice)).status).toBe(200);
      const bob = await get('/admin', await login('bob'));
      expect(bob.status).toBe(403);
      expect(bob.headers['www-authenticate']).toMatch(/^Bearer realm="jwt-gate-example", error="insufficient_scope"/);
      const none = await get('/me');
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="jwt-gate-example", resource_metadata="[^"]+", DPoP realm="jwt-gate-example"/);
      const metadata = await get('/.well-known/oauth-protected-resource');
      expect(metadata.status).toBe(200);
      expect(metadata.json()).toMatchObject({ resource: server.baseUrl, authorization_servers: [server.baseUrl] });
    });

    it("accepts the identity provider's token, its key fetched from the JWKS server", async () => {
      const token = await signToken(idpKey, { iss: idp.issuer, aud: 'jwt-gate-example', sub: 'carol' }, { header: { typ: 'at+jwt' } });
      const me = await get('/me', token);
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ sub: 'carol', claims: { iss: idp.issuer } });
      expect(idp.hits.get('/jwks.json')).toBe(1);
    });
  });
}
