import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import { conformance } from './conformance/suite.js';
import { bearerChallengeOnly, exampleServer, namingMetadata } from './conformance/example-server.js';
import { REALM } from './conformance/fixture.js';
import { urlTarget } from './conformance/harness.js';
import { tokenRefreshFlows } from './conformance/token-refresh.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';
import { createTestKey, signToken, type TestKey } from './keys.js';
import { rawRequest, startProcess, type RawResponse, type StartedProcess } from './process.js';
import { canBind, rawBodyRequest } from './raw-body-request.js';
import { readmeWalkthrough } from './readme-walkthrough.js';
import { sharedStateContract } from './shared-state-contract.js';
import { dpopContract } from './dpop-contract.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
/** A challenge without an error, naming the metadata of the example at `origin` (RFC 9728 §5.1). */
const realmChallenge = (origin: string) => new RegExp(`^Bearer realm="[^"]+", resource_metadata="${escapeRegExp(origin + WELL_KNOWN)}"$`);

/** A body sent to a token endpoint, with the text of it that must not come back. */
interface BodyProbe {
  readonly headers: [string, string][];
  readonly body?: Buffer;
  readonly chunked?: boolean;
  readonly echo?: string;
}

/** A token endpoint, with a body it takes and the description of its 400 for a body without its fields. */
interface TokenEndpoint {
  readonly path: string;
  readonly fields: Record<string, string>;
  readonly wrongTypes: readonly string[];
  readonly missing: string;
}

const TOKEN_ENDPOINTS: readonly TokenEndpoint[] = [
  { path: '/login', fields: { username: 'bob', password: 'bob-password' }, wrongTypes: ['{"username":1,"password":2}', '{"username":"bob"}'], missing: 'username and password are required' },
  { path: '/token/refresh', fields: { refresh_token: 'not-a-refresh-token' }, wrongTypes: ['{"refresh_token":1}', '{"refresh_token":""}'], missing: 'refresh_token is required' },
];

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const NOT_JSON = 'The request body must be JSON in UTF-8 (Content-Type: application/json)';

/** One row of the table every example holds to: a kind of body, and the one answer it gets (always `invalid_request`). */
interface BodyRow {
  readonly name: string;
  readonly status: number;
  readonly description: (endpoint: TokenEndpoint) => string;
  readonly probes: (endpoint: TokenEndpoint) => readonly BodyProbe[];
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const payloadOf = ({ fields }: TokenEndpoint) => JSON.stringify(fields);

/**
 * How the token endpoints answer a body they cannot take: checked in this order, the format
 * (Content-Type, charset, Content-Encoding) before a byte is read, then the size, the JSON, its
 * fields. The descriptions are part of the contract: every example answers the same JSON body.
 */
const BODY_TABLE: readonly BodyRow[] = [
  {
    name: 'a Content-Type other than application/json (text, a form, none, a +json type, two of them)',
    status: 415,
    description: () => NOT_JSON,
    probes: (endpoint) => [
      { headers: [['content-type', 'text/plain']], body: utf8(payloadOf(endpoint)) },
      { headers: [['content-type', 'text/plain; charset=utf-8']], body: utf8(payloadOf(endpoint)) },
      { headers: [['content-type', 'application/x-www-form-urlencoded']], body: utf8(new URLSearchParams(endpoint.fields).toString()) },
      { headers: [], body: utf8(payloadOf(endpoint)) },
      { headers: [['content-type', 'application/vnd.api+json']], body: utf8(payloadOf(endpoint)) },
      { headers: [['content-type', 'application/x-probe-type-7d1']], body: utf8(payloadOf(endpoint)), echo: 'x-probe-type-7d1' },
      { headers: [JSON_TYPE, ['content-type', 'text/plain']], body: utf8(payloadOf(endpoint)) },
    ],
  },
  {
    name: 'a charset other than UTF-8 (unknown, latin1, UTF-16)',
    status: 415,
    description: () => NOT_JSON,
    probes: (endpoint) => [
      { headers: [['content-type', 'application/json; charset=x-probe-charset-7d1']], body: utf8(payloadOf(endpoint)), echo: 'x-probe-charset-7d1' },
      { headers: [['content-type', 'application/json; charset=latin1']], body: Buffer.from(payloadOf(endpoint), 'latin1') },
      { headers: [['content-type', 'application/json; charset=utf-16le']], body: Buffer.from(payloadOf(endpoint), 'utf16le') },
    ],
  },
  {
    name: 'a Content-Encoding (gzip, deflate, garbage under gzip, an unknown coding)',
    status: 415,
    description: () => 'The request body must not be compressed (no Content-Encoding)',
    probes: (endpoint) => [
      { headers: [JSON_TYPE, ['content-encoding', 'gzip']], body: gzipSync(payloadOf(endpoint)) },
      { headers: [JSON_TYPE, ['content-encoding', 'deflate']], body: deflateSync(payloadOf(endpoint)) },
      { headers: [JSON_TYPE, ['content-encoding', 'gzip']], body: utf8('x-probe-garbage-7d1, not gzip') },
      { headers: [JSON_TYPE, ['content-encoding', 'br2']], body: utf8(payloadOf(endpoint)) },
      { headers: [JSON_TYPE, ['content-encoding', 'x-probe-coding-7d1']], body: utf8(payloadOf(endpoint)), echo: 'x-probe-coding-7d1' },
    ],
  },
  {
    name: 'a body over 4 KiB (with a Content-Length, or in chunks)',
    status: 413,
    description: () => 'The request body is too large',
    probes: (endpoint) => {
      const body = utf8(JSON.stringify({ ...endpoint.fields, padding: 'x'.repeat(5000) }));
      return [{ headers: [JSON_TYPE], body }, { headers: [JSON_TYPE], body, chunked: true }];
    },
  },
  {
    name: 'a body that is not valid JSON (broken, cut short, blank, with a __proto__ key)',
    status: 400,
    description: () => 'The request body is not valid JSON',
    probes: (endpoint) => [
      { headers: [JSON_TYPE], body: utf8('{"x-probe-json-7d1'), echo: 'x-probe-json-7d1' },
      { headers: [JSON_TYPE], body: utf8(payloadOf(endpoint).slice(0, -1)) },
      { headers: [JSON_TYPE], body: utf8(`${payloadOf(endpoint)}x`) },
      { headers: [JSON_TYPE], body: utf8('  ') },
      { headers: [JSON_TYPE], body: utf8(`${payloadOf(endpoint).slice(0, -1)},"__proto__":{"roles":["admin"]}}`) },
      { headers: [JSON_TYPE], body: utf8(`{"nested":{"\\u005f_proto__":{"roles":["admin"]}},${payloadOf(endpoint).slice(1)}`) },
    ],
  },
  {
    name: "JSON without the endpoint's string fields (not an object, wrong types, empty)",
    status: 400,
    description: (endpoint) => endpoint.missing,
    probes: (endpoint) => [
      ...['[]', '"bob"', 'null', '1', '{}', ...endpoint.wrongTypes].map((text) => ({ headers: [JSON_TYPE], body: utf8(text) })),
      { headers: [JSON_TYPE], body: Buffer.alloc(0) },
      { headers: [JSON_TYPE] },
    ],
  },
];

/** The spellings of a JSON body every example takes. */
const acceptedBodies = (endpoint: TokenEndpoint): readonly BodyProbe[] => [
  { headers: [JSON_TYPE], body: utf8(payloadOf(endpoint)) },
  { headers: [['content-type', 'application/json; charset=utf-8']], body: utf8(payloadOf(endpoint)) },
  { headers: [['content-type', 'Application/JSON;charset="UTF-8"'], ['content-encoding', 'identity']], body: utf8(payloadOf(endpoint)) },
  { headers: [JSON_TYPE], body: utf8(payloadOf(endpoint)), chunked: true },
];

/** Nothing in a refusal but the refusal: no stack line, no HTML, no server path, nothing the client sent. */
function expectNothingLeaked(res: RawResponse, cwd: string, echo?: string): void {
  const seen = `${res.text}\n${String(res.headers['www-authenticate'] ?? '')}`;
  expect(seen).not.toMatch(/\bat \S+ \(|^[\t ]+at /m);
  expect(seen).not.toMatch(/<[!/a-z]/i);
  expect(seen).not.toMatch(/(?:^|[\s"'(=:])\/[\w.@-]+\//);
  expect(seen).not.toContain('node_modules');
  expect(seen).not.toContain(cwd);
  if (echo !== undefined) expect(seen.toLowerCase()).not.toContain(echo.toLowerCase());
}

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
 * (where the refresh-token flows run again); POST /logout, and with `REDIS_URL` several
 * instances acting as one, through a Redis outage; and the README's curl walk-through, as written.
 */
export function exampleContract({ cwd, name, joinsRepeatedHeaders = false }: ExampleContractOptions): void {
  conformance(`${name} example`, exampleServer({ cwd, joinsRepeatedHeaders }));
  sharedStateContract({ name, cwd });
  dpopContract({ name, cwd });
  readmeWalkthrough({ name, cwd });
  protectedResourceContract({ name, cwd });

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

      it('a route that does not exist: 404 as JSON, the path not repeated', async () => {
        for (const path of ['/probe-7d1', '/probe-7d1/me?x=probe-7d1']) {
          const res = await get(path);
          expect(res.status, path).toBe(404);
          expect(res.headers['content-type'], path).toMatch(/^application\/json/);
          expect(res.json(), path).toEqual({ error: 'not_found', error_description: expect.any(String) });
          expect(res.text, path).not.toContain('probe-7d1');
        }
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
          expect(res.headers['www-authenticate']).toMatch(realmChallenge(server.baseUrl));
          expect(res.json()).toMatchObject({ error: 'invalid_grant' });
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
        describe('refresh tokens', () =>
          tokenRefreshFlows(() => {
            const target = urlTarget(server.baseUrl, async () => {});
            return { ...target, request: async (request) => bearerChallengeOnly(namingMetadata(await target.request(request), server.baseUrl)) };
          }));
      }
    });
  }

  describe(`${name} example: the token endpoints' request bodies`, () => {
    let server: StartedProcess;
    beforeAll(async () => {
      server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { JWT_SECRET: 'an-example-secret-of-at-least-32-bytes-xxxxxxxx' } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    const send = (endpoint: TokenEndpoint, { headers, body, chunked = false }: BodyProbe) =>
      rawBodyRequest(`${server.baseUrl}${endpoint.path}`, { headers, ...(body === undefined ? {} : { body }), chunked });

    for (const endpoint of TOKEN_ENDPOINTS) {
      for (const row of BODY_TABLE) {
        it(`POST ${endpoint.path}: ${row.name} is ${row.status} invalid_request, the same JSON in every example`, async () => {
          const description = row.description(endpoint);
          for (const probe of row.probes(endpoint)) {
            const res = await send(endpoint, probe);
            const sent = `${JSON.stringify(probe.headers)} ${probe.body?.toString('latin1').slice(0, 80) ?? '(no body)'}`;
            expect(res.status, sent).toBe(row.status);
            expect(res.headers['content-type'], sent).toMatch(/^application\/json/);
            expect(res.json(), sent).toEqual({ error: 'invalid_request', error_description: description });
            expect(res.headers['www-authenticate'], sent).toBe(`Bearer realm="${REALM}", error="invalid_request", error_description="${description}"`);
            expectNothingLeaked(res, cwd, probe.echo);
          }
        });
      }

      it(`POST ${endpoint.path}: takes application/json in every spelling the table allows, sent whole or in chunks`, async () => {
        for (const probe of acceptedBodies(endpoint)) {
          const res = await send(endpoint, probe);
          if (endpoint.path === '/login') expect(res.status, JSON.stringify(probe)).toBe(200);
          else expect(res.json(), JSON.stringify(probe)).toMatchObject({ error: 'invalid_grant' });
        }
      });
    }
  });

  describe(`${name} example: failed logins are throttled per username and client`, () => {
    let server: StartedProcess;
    beforeAll(async () => {
      server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { JWT_SECRET: 'an-example-secret-of-at-least-32-bytes-xxxxxxxx' } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    const login = (username: string, password: string, localAddress?: string) =>
      rawBodyRequest(`${server.baseUrl}/login`, { headers: [JSON_TYPE], body: utf8(JSON.stringify({ username, password })), ...(localAddress ? { localAddress } : {}) });

    function expectWrongPassword(res: RawResponse): void {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(realmChallenge(server.baseUrl));
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    }

    function expectSlowDown(res: RawResponse): void {
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      const seconds = Number(res.headers['retry-after']);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: 'slow_down', error_description: expect.any(String) });
      expectNothingLeaked(res, cwd);
    }

    /** Wrong passwords until the 429 (the 11th attempt, or at once if the pair is locked already). */
    async function lockOut(username: string): Promise<void> {
      for (let attempt = 1; attempt <= 11; attempt++) {
        const res = await login(username, `wrong-${attempt}`);
        if (res.status === 429) return expectSlowDown(res);
        expectWrongPassword(res);
      }
      expect.fail(`${username} was not throttled after 11 failed logins`);
    }

    it('POST /login: 10 wrong passwords are each 401 invalid_grant, then the right one is 429 slow_down with Retry-After', async () => {
      for (let attempt = 1; attempt <= 10; attempt++) expectWrongPassword(await login('alice', `wrong-${attempt}`));
      expectSlowDown(await login('alice', 'alice-password'));
      expectSlowDown(await login('alice', 'wrong-11'));
    });

    it('POST /login: unknown usernames are counted like known ones (a 429 tells nothing about who exists)', async () => {
      for (let attempt = 1; attempt <= 10; attempt++) expectWrongPassword(await login('mallory', `wrong-${attempt}`));
      expectSlowDown(await login('mallory', 'wrong-11'));
    });

    it('POST /login: another username from the same client is not throttled', async () => {
      await lockOut('alice');
      expect((await login('bob', 'bob-password')).status).toBe(200);
    });

    it('POST /login: the same username from another client address is not throttled', async ({ skip }) => {
      skip(!(await canBind('127.0.0.2')), '127.0.0.2 is not a local address here');
      await lockOut('alice');
      expect((await login('alice', 'alice-password', '127.0.0.2')).status).toBe(200);
      expectSlowDown(await login('alice', 'alice-password'));
    });

    it('POST /login: a successful login clears the failures counted for its username and client', async () => {
      for (let round = 1; round <= 2; round++) {
        for (let attempt = 1; attempt <= 9; attempt++) expectWrongPassword(await login('bob', `wrong-${round}-${attempt}`));
        expect((await login('bob', 'bob-password')).status).toBe(200);
      }
    });

    it('POST /login: 70 successful logins in a row from one client all answer 200', async () => {
      for (let attempt = 1; attempt <= 70; attempt++) expect((await login('bob', 'bob-password')).status, `login ${attempt}`).toBe(200);
    });
  });
}

/**
 * RFC 9728 in every example: the metadata document at `/.well-known/oauth-protected-resource`
 * (`resource` from `RESOURCE_URL`, default the server's own origin; `authorization_servers`
 * `[JWT_ISSUER]`; `bearer_methods_supported` `["header"]`; the DPoP algorithms its DPoP
 * challenges name, where it takes DPoP), and every 401 challenge naming it.
 */
function protectedResourceContract({ name, cwd }: { name: string; cwd: string }): void {
  const env = { JWT_SECRET: 'an-example-secret-of-at-least-32-bytes-xxxxxxxx' };
  for (const configured of [false, true]) {
    describe(`${name} example: RFC 9728 protected-resource metadata${configured ? ' (RESOURCE_URL and JWT_ISSUER set)' : ''}`, () => {
      const resourceUrl = 'https://api.jwt-gate.example.test';
      const issuerUrl = 'https://auth.jwt-gate.example.test';
      let server: StartedProcess;
      beforeAll(async () => {
        server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: configured ? { ...env, RESOURCE_URL: resourceUrl, JWT_ISSUER: issuerUrl } : env });
      });
      afterAll(async () => {
        await server?.stop();
      });
      const resource = () => (configured ? resourceUrl : server.baseUrl);

      it('GET /.well-known/oauth-protected-resource answers the JSON document, readable from any origin', async () => {
        const res = await rawRequest(`${server.baseUrl}${WELL_KNOWN}`);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json\b/);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        const document = res.json<Record<string, unknown>>();
        expect(document).toMatchObject({ resource: resource(), authorization_servers: [configured ? issuerUrl : server.baseUrl], bearer_methods_supported: ['header'] });
        // The DPoP algorithms published are those the server's DPoP challenge names, and none without DPoP.
        const challenge = String((await rawRequest(`${server.baseUrl}/me`)).headers['www-authenticate']);
        const dpopChallenge = challenge.split(', DPoP ')[1];
        const algs = dpopChallenge === undefined ? undefined : /algs="([^"]*)"/.exec(dpopChallenge)?.[1];
        if (algs === undefined) expect(document).not.toHaveProperty('dpop_signing_alg_values_supported');
        else expect(document['dpop_signing_alg_values_supported']).toEqual(algs.split(' '));
      });

      it('every 401 challenge names the document: no token, a bad token, a wrong password', async () => {
        const parameter = `resource_metadata="${resource()}${WELL_KNOWN}"`;
        const responses = [
          await rawRequest(`${server.baseUrl}/me`),
          await rawRequest(`${server.baseUrl}/me`, { headers: [['authorization', 'Bearer a.b.c']] }),
          await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [JSON_TYPE], body: JSON.stringify({ username: 'alice', password: 'wrong' }) }),
        ];
        for (const res of responses) {
          expect(res.status).toBe(401);
          const challenges = String(res.headers['www-authenticate']).split(', DPoP ');
          expect(challenges[0]).toMatch(/^Bearer realm="[^"]+"/);
          for (const part of challenges) expect(part.endsWith(`, ${parameter}`) || part.includes(`, ${parameter},`)).toBe(true);
        }
        // Without a token, the Bearer challenge is the realm and the metadata alone.
        const missing = String(responses[0]?.headers['www-authenticate']).split(', DPoP ')[0] as string;
        expect(missing).toMatch(new RegExp(`^Bearer realm="[^"]+", ${escapeRegExp(parameter)}$`));
      });
    });
  }
}
