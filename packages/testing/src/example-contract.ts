import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { conformance } from './conformance/suite.js';
import { exampleServer } from './conformance/example-server.js';
import { urlTarget } from './conformance/harness.js';
import { tokenRefreshFlows } from './conformance/token-refresh.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';
import { createTestKey, signToken, type TestKey } from './keys.js';
import { rawRequest, startProcess, type RawResponse, type StartedProcess } from './process.js';

const REALM_CHALLENGE = /^Bearer realm="[^"]+"$/;

/** Options of {@link exampleContract}. */
export interface ExampleContractOptions {
  /** The example's directory (its `pnpm start` runs there). */
  cwd: string;
  /** A label for the test names. */
  name: string;
  /** True where the server sees repeated request headers comma-joined (Hono on `@hono/node-server`). */
  joinsRepeatedHeaders?: boolean;
}

/**
 * The HTTP contract of the example servers, each started as a real process (`tsx src/server.ts`):
 * the shared conformance scenarios (HS256 with `JWT_SECRET`, a second trusted issuer whose JWKS
 * endpoint fails) and refresh-token flows, then logging in, publishing keys and single sign-on,
 * once with `JWT_SECRET` and once with a generated ES256 key and a working identity provider
 * (where the refresh-token flows run again).
 */
export function exampleContract({ cwd, name, joinsRepeatedHeaders = false }: ExampleContractOptions): void {
  conformance(`${name} example`, exampleServer({ cwd, joinsRepeatedHeaders }));

  for (const mode of ['HS256', 'ES256'] as const) {
    describe(`${name} example: logging in and keys (${mode})`, () => {
      const secret = 'an-example-secret-of-at-least-32-bytes-xxxxxxxx';
      const audience = 'jwt-gate-example';
      let server: StartedProcess;
      let idp: JwksServer;
      let idpKey: TestKey;
      let issuer: string;

      beforeAll(async () => {
        idpKey = await createTestKey('ES256');
        idp = await startJwksServer({ keys: [idpKey.publicJwk as JWK] });
        server = await startProcess({
          command: process.execPath,
          args: ['--import', 'tsx', 'src/server.ts'],
          cwd,
          env: mode === 'HS256' ? { JWT_SECRET: secret } : { TRUSTED_ISSUER: idp.issuer, TRUSTED_JWKS_URI: idp.jwksUri },
        });
        issuer = server.baseUrl;
      });
      afterAll(async () => {
        await server?.stop();
        await idp?.close();
      });

      const get = (path: string, headers: [string, string][] = []) => rawRequest(`${server.baseUrl}${path}`, { headers });
      const login = (body: string) =>
        rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body });
      const tokenFor = async (username: string) =>
        (await login(JSON.stringify({ username, password: `${username}-password` }))).json<{ access_token: string }>().access_token;

      function expectError(res: RawResponse, status: number, error: string) {
        expect(res.status).toBe(status);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
        expect(res.json()).toEqual({ error, error_description: expect.any(String) });
      }

      it('GET /health answers 200 {"status":"ok"}', async () => {
        const res = await get('/health');
        expect(res.status).toBe(200);
        expect(res.json()).toEqual({ status: 'ok' });
      });

      it('POST /login signs a 15-minute at+jwt access token', async () => {
        const res = await login(JSON.stringify({ username: 'alice', password: 'alice-password' }));
        expect(res.status).toBe(200);
        const body = res.json<{ access_token: string; token_type: string; expires_in: number }>();
        expect(body.token_type).toBe('Bearer');
        expect(body.expires_in).toBe(900);
        const header = decodeProtectedHeader(body.access_token);
        expect(header.typ).toBe('at+jwt');
        expect(header.alg).toBe(mode);
        const claims = decodeJwt(body.access_token);
        expect(claims).toMatchObject({ iss: issuer, aud: audience, sub: 'alice', scope: 'profile:read profile:write admin', roles: ['admin'] });
        expect((claims.exp as number) - (claims.iat as number)).toBe(900);
        expect(typeof claims.jti).toBe('string');
      });

      it('POST /login refuses bad credentials with 401 invalid_grant', async () => {
        for (const body of [{ username: 'alice', password: 'nope' }, { username: 'mallory', password: 'x' }, { username: '__proto__', password: 'x' }]) {
          const res = await login(JSON.stringify(body));
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toMatch(REALM_CHALLENGE);
          expect(res.json()).toMatchObject({ error: 'invalid_grant' });
        }
      });

      it('POST /login refuses a malformed body with 400', async () => {
        for (const body of ['{bad', '[]', '{"username":1,"password":2}', '']) {
          expectError(await login(body), 400, 'invalid_request');
        }
      });

      it('the token from POST /login opens GET /me, GET /hello and, for alice only, GET /admin', async () => {
        const bob = await tokenFor('bob');
        const me = await get('/me', [['authorization', `Bearer ${bob}`]]);
        expect(me.status).toBe(200);
        expect(me.json()).toEqual({ sub: 'bob', scope: 'profile:read', roles: ['user'], claims: decodeJwt(bob) });
        expect((await get('/hello', [['authorization', `Bearer ${bob}`]])).json()).toEqual({ message: 'Hello, bob' });
        expectError(await get('/admin', [['authorization', `Bearer ${bob}`]]), 403, 'insufficient_scope');
        const admin = await get('/admin', [['authorization', `Bearer ${await tokenFor('alice')}`]]);
        expect(admin.status).toBe(200);
        expect(admin.json()).toEqual({ message: 'Hello, admin alice' });
      });

      it('GET /me refuses a token signed with another key', async () => {
        const claims = decodeJwt(await tokenFor('bob'));
        const other = await createTestKey(mode);
        const forged = await new SignJWT({ ...claims, sub: 'alice', roles: ['admin'] }).setProtectedHeader({ alg: mode, typ: 'at+jwt' }).sign(other.privateKey);
        expectError(await get('/me', [['authorization', `Bearer ${forged}`]]), 401, 'invalid_token');
      });

      it('GET /.well-known/jwks.json publishes only public keys', async () => {
        const res = await get('/.well-known/jwks.json');
        expect(res.status).toBe(200);
        const { keys } = res.json<{ keys: Record<string, unknown>[] }>();
        if (mode === 'HS256') expect(keys).toEqual([]);
        else {
          expect(keys).toHaveLength(1);
          expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
          expect(keys[0]).not.toHaveProperty('d');
        }
      });

      if (mode === 'ES256') {
        it("accepts the identity provider's tokens through its JWKS (single sign-on)", async () => {
          const sso = await signToken(idpKey, { iss: idp.issuer, aud: audience, sub: 'erin@idp', scope: 'profile:read' }, { header: { typ: 'at+jwt' } });
          const me = await get('/me', [['authorization', `Bearer ${sso}`]]);
          expect(me.status).toBe(200);
          expect(me.json()).toMatchObject({ sub: 'erin@idp', scope: 'profile:read', claims: { iss: idp.issuer } });
          expect((await get('/hello', [['authorization', `Bearer ${sso}`]])).json()).toEqual({ message: 'Hello, erin@idp' });
          expectError(await get('/admin', [['authorization', `Bearer ${sso}`]]), 403, 'insufficient_scope');
          const elsewhere = await signToken(idpKey, { iss: idp.issuer, aud: 'another-api', sub: 'erin@idp' }, { header: { typ: 'at+jwt' } });
          expectError(await get('/me', [['authorization', `Bearer ${elsewhere}`]]), 401, 'invalid_token');
          expect(idp.hits.get('/jwks.json')).toBe(1);
        });

        // The conformance run above holds the token endpoint to its flows with HS256; here with a generated ES256 key.
        describe('refresh tokens', () => tokenRefreshFlows(() => urlTarget(server.baseUrl, async () => {})));
      }
    });
  }
}
