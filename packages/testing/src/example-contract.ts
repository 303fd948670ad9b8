import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { createTestKey, rawToken } from './keys.js';
import { rawRequest, startProcess, type StartedProcess } from './process.js';

const REALM_CHALLENGE = /^Bearer realm="[^"]+"$/;

function challengeError(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : /error="([^"]+)"/.exec(value)?.[1];
}

/** Options of {@link exampleContract}. */
export interface ExampleContractOptions {
  /** The example's directory (its `pnpm start` runs there). */
  cwd: string;
  /** A label for the test names. */
  name: string;
}

/**
 * The HTTP contract of the example servers, run against the example started as a real process
 * (`tsx src/server.ts`), once with `JWT_SECRET` (HS256) and once with a generated ES256 key.
 */
export function exampleContract({ cwd, name }: ExampleContractOptions): void {
  for (const mode of ['HS256', 'ES256'] as const) {
    describe(`${name} example (${mode})`, () => {
      const secret = 'an-example-secret-of-at-least-32-bytes-xxxxxxxx';
      const audience = 'jwt-gate-example';
      let server: StartedProcess;
      let issuer: string;

      beforeAll(async () => {
        server = await startProcess({
          command: process.execPath,
          args: ['--import', 'tsx', 'src/server.ts'],
          cwd,
          env: mode === 'HS256' ? { JWT_SECRET: secret } : {},
        });
        issuer = server.baseUrl;
      });
      afterAll(async () => {
        await server?.stop();
      });

      const get = (path: string, headers: [string, string][] = []) => rawRequest(`${server.baseUrl}${path}`, { headers });
      const login = (body: string) =>
        rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body });
      const tokenFor = async (username: string) =>
        (await login(JSON.stringify({ username, password: `${username}-password` }))).json<{ access_token: string }>().access_token;

      function expectError(res: { status: number; headers: Record<string, string | string[] | undefined>; text: string }, status: number, error?: string) {
        expect(res.status).toBe(status);
        const challenge = res.headers['www-authenticate'] as string;
        expect(challenge).toMatch(/^Bearer realm="[^"]+"/);
        expect(challengeError(challenge)).toBe(error);
        const body = JSON.parse(res.text) as { error: string; error_description: string };
        expect(typeof body.error).toBe('string');
        expect(typeof body.error_description).toBe('string');
        if (error !== undefined) expect(body.error).toBe(error);
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
          const res = await login(body);
          expect(res.status).toBe(400);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
        }
      });

      it('GET /me answers with the verified claims', async () => {
        const res = await get('/me', [['authorization', `Bearer ${await tokenFor('bob')}`]]);
        expect(res.status).toBe(200);
        expect(res.json()).toMatchObject({ sub: 'bob', scope: 'profile:read', roles: ['user'], claims: { sub: 'bob', iss: issuer } });
      });

      it('GET /me without a token: 401 with a bare challenge', async () => {
        const res = await get('/me');
        expectError(res, 401);
        expect(res.headers['www-authenticate']).toMatch(REALM_CHALLENGE);
        const query = await get(`/me?access_token=${await tokenFor('bob')}`);
        expectError(query, 401);
      });

      it('GET /me refuses malformed, forged and oversized tokens with 401 invalid_token', async () => {
        const good = await tokenFor('bob');
        const [h, p] = good.split('.');
        const other = await createTestKey('ES256');
        const forged = await new SignJWT({ ...decodeJwt(good), sub: 'alice' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(other.privateKey);
        const none = rawToken('{"alg":"none","typ":"at+jwt"}', JSON.stringify(decodeJwt(good)), '');
        for (const token of [`${h}.${p}.AAAA`, 'abc.def.ghi', forged, `${none}x`, `${good}=`, 'x'.repeat(9000)]) {
          const res = await get('/me', [['authorization', `Bearer ${token}`]]);
          expectError(res, 401, 'invalid_token');
          expect(res.text).not.toContain(token.slice(0, 40));
        }
      });

      it('GET /me refuses two Authorization headers and a broken scheme with 400 invalid_request', async () => {
        const token = await tokenFor('bob');
        expectError(await get('/me', [['authorization', `Bearer ${token}`], ['authorization', `Bearer ${token}`]]), 400, 'invalid_request');
        expectError(await get('/me', [['authorization', `Bearer  ${token}`]]), 400, 'invalid_request');
      });

      it('GET /admin: 200 for alice, 403 insufficient_scope for bob', async () => {
        expect((await get('/admin', [['authorization', `Bearer ${await tokenFor('alice')}`]])).status).toBe(200);
        expectError(await get('/admin', [['authorization', `Bearer ${await tokenFor('bob')}`]]), 403, 'insufficient_scope');
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

      if (mode === 'HS256') {
        it('HS256 mode refuses expired and wrong-audience tokens signed with the right secret', async () => {
          const key = new TextEncoder().encode(secret);
          const now = Math.floor(Date.now() / 1000);
          const sign = (claims: Record<string, unknown>) =>
            new SignJWT({ iss: issuer, aud: audience, sub: 'alice', roles: ['admin'], iat: now, exp: now + 600, ...claims })
              .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
              .sign(key);
          expect((await get('/me', [['authorization', `Bearer ${await sign({})}`]])).status).toBe(200);
          expectError(await get('/me', [['authorization', `Bearer ${await sign({ exp: now - 60 })}`]]), 401, 'invalid_token');
          expectError(await get('/me', [['authorization', `Bearer ${await sign({ aud: 'another-api' })}`]]), 401, 'invalid_token');
          expectError(await get('/me', [['authorization', `Bearer ${await sign({ iss: 'https://evil.example' })}`]]), 401, 'invalid_token');
        });
      }
    });
  }
}
