// The behaviours honojs/hono's own tests of its `jwk` middleware check
// (src/middleware/jwk/index.test.ts), each asserted through jwtAuth configured by honoJwk with
// app.request() and a real local JWKS server, or marked as a deliberate difference with
// jwt-gate's own answer asserted. The migration guide lists the same cases.

import { b64url, createTestKey, peerSuite, signToken, startJwksServer, type TestKey } from '@jwt-gate/testing';
import { Hono, type MiddlewareHandler } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { afterAll, expect, vi } from 'vitest';
import { jwtAuth, type JWK } from '../../src/index.js';
import { honoJwk, type HonoJwkOptions } from './from-hono-jwt.js';
import { accepts, bare, causeCase, header, invalidRequest, invalidToken, nested, realmCases, refuses, send } from './protected-app.js';

const guide = new URL('../../../../docs/migrating-from-hono-jwt.md', import.meta.url);
const first = await createTestKey('RS256', { kid: 'hono-test-kid-1' });
const second = await createTestKey('RS256', { kid: 'hono-test-kid-2' });
const keys = [first.publicJwk, second.publicJwk] as JWK[];
const server = await startJwksServer({ keys });
const testSecret = 'Shhh';

// What hono's tests sign: the claims alone, no iat, no exp, a kid.
const sign = (key: TestKey, claims: Record<string, unknown> = { message: 'hello world' }, protectedHeader?: Record<string, unknown>) =>
  signToken(key, claims, { expiresIn: null, issuedAt: null, ...(protectedHeader === undefined ? {} : { header: protectedHeader }) });
const bearer = async (key: TestKey = first, claims?: Record<string, unknown>) => header(`Bearer ${await sign(key, claims)}`);
const garbled = 'ssyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJtZXNzYWdlIjoiaGVsbG8gd29ybGQifQ.B54pAqIiLbu170tGQ1rY06Twv__0qSHTA0ioQPIOvFE';
const jwk = (extra: Partial<HonoJwkOptions> = {}) => honoJwk({ keys, alg: ['RS256'], ...extra });

/** A JWS the way hono's tests build one by hand: a header of our choosing (or none), signed by `key`. */
async function handMade(key: TestKey, protectedHeader: Record<string, unknown> | null, claims: Record<string, unknown>): Promise<string> {
  const payload = b64url(JSON.stringify(claims));
  const input = protectedHeader === null ? payload : `${b64url(JSON.stringify(protectedHeader))}.${payload}`;
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey as CryptoKey, new TextEncoder().encode(input)));
  return `${input}.${b64url(signature)}`;
}

afterAll(() => server.close());

peerSuite('hono jwk', guide, (cases) => {
  const { group, met, differs } = cases;
  group('jwk/index.test.ts', () => {
    group('verifyWithJwks', () => {
      met('Should throw error on missing keys/jwks_uri options', () => {
        expect(() => jwtAuth({ issuer: null, audience: null, algorithms: ['RS256'] } as never)).toThrow(TypeError);
      });
    });

    group('options.allow_anon = true', () => {
      const anon = () => jwk({ allow_anon: true });
      met('Should skip JWK if no token is present', async () => {
        await accepts(anon(), {}, { message: 'hello anon' });
      });
      met('Should authorize if token is present', async () => {
        await accepts(anon(), await bearer());
      });
      differs('Should not authorize if a non-Bearer scheme is present', 'another scheme is no bearer credentials: anonymous under optional, as in express-jwt and koa-jwt', async () => {
        await accepts(anon(), header(`Basic ${await sign(first)}`), { message: 'hello anon' });
      });
      met('Should not authorize if an invalid Bearer token is present', async () => {
        await refuses(anon(), header(`Bearer ${garbled}`), 401, invalidToken);
      });
    });

    group('Credentials in header', () => {
      met('Should throw an error if the middleware is missing both keys and jwks_uri (empty)', () => {
        expect(() => honoJwk({ alg: ['RS256'] })).toThrow(TypeError);
      });
      differs('Should throw an error when crypto.subtle is missing', 'on Node, keys are node:crypto key objects: nothing is missing', async () => {
        const token = await sign(first);
        const subtle = vi.spyOn(globalThis.crypto, 'subtle', 'get').mockReturnValue({ importKey: undefined } as never);
        try {
          await accepts(jwk(), header(`Bearer ${token}`));
        } finally {
          subtle.mockRestore();
        }
      });
      for (const [title, behaviour] of [
        ['Should return a server error if options.jwks_uri returns a 404', { kind: 'status', status: 404 }],
        ['Should return a server error if the remotely fetched keys from options.jwks_uri are missing', { kind: 'body', body: '{}' }],
        ['Should return a server error if the remotely fetched keys from options.jwks_uri are malformed', { kind: 'body', body: '{"keys":"bad-keys"}' }],
      ] as const) {
        differs(title, 'keys that cannot be had are a 503 (retryable), never a 500 or a 401', async () => {
          const failing = await startJwksServer({ keys });
          failing.behaviour = behaviour;
          try {
            await refuses(honoJwk({ jwks_uri: failing.jwksUri, alg: ['RS256'] }), await bearer(), 503, null);
          } finally {
            await failing.close();
          }
        });
      }
      met('Should not authorize requests with missing access token', async () => {
        await refuses(jwk(), {}, 401, bare);
      });
      met('Should authorize from a static array passed to options.keys (key 1)', async () => {
        await accepts(jwk(), await bearer());
      });
      met('Should authorize from a static array passed to options.keys (key 2)', async () => {
        await accepts(jwk(), await bearer(second));
      });
      met('Should not authorize a token without header', async () => {
        await refuses(jwk(), header(`Bearer ${await handMade(second, null, { message: 'hello world' })}`), 401, invalidToken);
      });
      differs('Should not authorize a token with missing "kid" in header', '`kid` is optional (RFC 7515 §4.1.4): the keys allowing the algorithm are tried, at most four', async () => {
        await accepts(jwk(), header(`Bearer ${await handMade(second, { alg: 'RS256', typ: 'JWT' }, { message: 'hello world' })}`));
      });
      met('Should not authorize a token with invalid "kid" in header', async () => {
        await refuses(jwk(), header(`Bearer ${await sign(second, undefined, { kid: 'invalid-kid' })}`), 401, invalidToken);
      });
      met('Should authorize with Unicode payload from a static array passed to options.keys', async () => {
        await accepts(jwk(), header(`bearer ${await sign(first)}`));
      });
      met('Should authorize with mixed-case Bearer scheme', async () => {
        await accepts(jwk(), header(`bEaReR ${await sign(first)}`));
      });
      met('Should authorize from a function passed to options.keys', async () => {
        const fetched = async () => ((await (await fetch(server.jwksUri)).json()) as { keys: JWK[] }).keys;
        await accepts(jwk({ keys: fetched }), await bearer());
      });
      met('Should authorize from keys remotely fetched from options.jwks_uri', async () => {
        await accepts(honoJwk({ jwks_uri: server.jwksUri, alg: ['RS256'] }), await bearer());
      });
      differs('Should authorize from keys and hard-coded and remotely fetched from options.jwks_uri', 'one key source per issuer: publish every key in the JWKS', async () => {
        expect(() => jwk({ jwks_uri: () => server.jwksUri })).toThrow(TypeError);
        await accepts(honoJwk({ jwks_uri: () => server.jwksUri, alg: ['RS256'] }), await bearer());
      });
      differs('Should not authorize requests with non-Bearer scheme in header', 'another scheme is no bearer credentials: 401 with a bare challenge (RFC 6750 §3.1)', async () => {
        await refuses(jwk(), header(`Basic ${await sign(first)}`), 401, bare);
      });
      met('Should not authorize requests with invalid token in Bearer header', async () => {
        await refuses(jwk(), header(`Bearer ${garbled}`), 401, invalidToken);
      });
      differs('Should not authorize requests with malformed token structure in header', 'a malformed Bearer header is a 400 invalid_request (RFC 6750 §3.1)', async () => {
        await refuses(jwk(), header('Bearer invalid token'), 400, invalidRequest);
      });
      met('Should not authorize requests without authorization in nested JWK middleware', async () => {
        await refuses(nested(() => jwk()), {}, 401, bare);
      });
      met('Should authorize requests with authorization in nested JWK middleware', async () => {
        await accepts(nested(() => jwk()), await bearer());
      });
    });

    group('Credentials in custom header', () => {
      const name = 'x-custom-auth-header';
      const custom = () => jwk({ headerName: name });
      met('Should not authorize', async () => {
        await refuses(custom(), {}, 401, bare);
      });
      met('Should not authorize even if default authorization header present', async () => {
        await refuses(custom(), await bearer(), 401, bare);
      });
      met('Should authorize', async () => {
        await accepts(custom(), header(`Bearer ${await sign(second)}`, name));
      });
      met('Should authorize with mixed-case Bearer scheme in custom header', async () => {
        await accepts(custom(), header(`bEaReR ${await sign(second)}`, name));
      });
      differs('Should not authorize with non-Bearer scheme in custom header', 'the header holds a token or `Bearer <token>`; anything else is a 400 invalid_request', async () => {
        await refuses(custom(), header(`Basic ${await sign(second)}`, name), 400, invalidRequest);
      });
      met('Should not authorize invalid token with Bearer scheme in custom header', async () => {
        await refuses(custom(), header(`Bearer ${garbled}`, name), 401, invalidToken);
      });
    });

    group('Credentials in cookie', () => {
      const cookie = (value: HonoJwkOptions['cookie'] = 'access_token') => jwk({ cookie: value });
      met('Should not authorize requests with missing access token', async () => {
        await refuses(cookie(), {}, 401, bare);
      });
      met('Should authorize cookie from a static array passed to options.keys', async () => {
        await accepts(cookie(), header(`access_token=${await sign(first)}`, 'cookie'));
      });
      met('Should authorize prefixed cookie from a static array passed to options.keys', async () => {
        await accepts(cookie({ key: 'access_token', prefixOptions: 'host' }), header(`__Host-access_token=${await sign(first)}`, 'cookie'));
      });
      met('Should authorize unprefixed cookie from a static array passed to options.keys', async () => {
        await accepts(cookie({ key: 'access_token' }), header(`access_token=${await sign(first)}`, 'cookie'));
      });
      met('Should authorize with Unicode payload from a static array passed to options.keys', async () => {
        await accepts(cookie(), header(`access_token=${await sign(first)}`, 'cookie'));
      });
      met('Should not authorize requests with invalid Unicode payload in cookie', async () => {
        await refuses(cookie(), header(`access_token=${garbled}`, 'cookie'), 401, invalidToken);
      });
      met('Should not authorize requests with malformed token structure in cookie', async () => {
        await refuses(cookie(), header('access_token=invalid token', 'cookie'), 401, invalidToken);
      });
    });

    group('Credentials in a signed cookie', () => {
      /** The Cookie header for a token signed with setSignedCookie, as hono's test takes it from Set-Cookie. */
      const signedCookie = async (prefix?: 'host') => {
        const token = await sign(first, { message: 'signed hello world' });
        const app = new Hono().get('/', async (c) => {
          await setSignedCookie(c, 'access_token', token, testSecret, prefix === undefined ? {} : { prefix });
          return c.text('OK');
        });
        return (await app.request('/')).headers.get('set-cookie') as string;
      };
      met('Should authorize signed cookie', async () => {
        await accepts(jwk({ cookie: { key: 'access_token', secret: testSecret } }), header(await signedCookie(), 'cookie'), { message: 'signed hello world' });
      });
      met('Should authorize prefixed signed cookie', async () => {
        await accepts(jwk({ cookie: { key: 'access_token', secret: testSecret, prefixOptions: 'host' } }), header(await signedCookie('host'), 'cookie'), { message: 'signed hello world' });
      });
      met('Should not authorize an unsigned cookie', async () => {
        await refuses(jwk({ cookie: { key: 'access_token', secret: testSecret } }), header(`access_token=${await sign(first, { message: 'unsigned hello world' })}`, 'cookie'), 401, bare);
      });
    });

    group('Error handling with `cause`', () => causeCase(cases, () => jwk()));

    group('Verification of token attributes', () => {
      const inFuture = () => Date.now() / 1000 + 100;
      const inPast = () => Date.now() / 1000 - 100;
      const withIssuer = () => jwk({ verification: { iss: 'http://issuer.test' } });
      met('Should validate exp/nbf/iat and pass when good by default', async () => {
        const payload = { exp: inFuture(), nbf: inPast(), iat: inPast(), iss: 'http://not-checked.test' };
        await accepts(jwk(), header(`Bearer ${await sign(first, payload)}`), payload);
      });
      met('Should validate exp and fail when bad', async () => {
        await refuses(jwk(), header(`Bearer ${await sign(first, { exp: inPast() })}`), 401, invalidToken);
      });
      met('Should validate nbf and fail when bad', async () => {
        await refuses(jwk(), header(`Bearer ${await sign(first, { nbf: inFuture() })}`), 401, invalidToken);
      });
      met('Should validate iat and fail when bad', async () => {
        await refuses(jwk(), header(`Bearer ${await sign(first, { iat: inFuture() })}`), 401, invalidToken);
      });
      met('Should validate iss when supplied', async () => {
        await accepts(withIssuer(), header(`Bearer ${await sign(first, { iss: 'http://issuer.test' })}`), { iss: 'http://issuer.test' });
      });
      met('Should reject missing iss when required', async () => {
        await refuses(withIssuer(), header(`Bearer ${await sign(first, {})}`), 401, invalidToken);
      });
      met('Should reject iss when different', async () => {
        await refuses(withIssuer(), header(`Bearer ${await sign(first, { iss: 'http://bad-issuer.test' })}`), 401, invalidToken);
      });
    });

    group('Algorithm whitelist (options.alg)', () => {
      met('Should authorize RS256 token when RS256 is in whitelist', async () => {
        await accepts(jwk(), await bearer());
      });
      met('Should reject token when algorithm is not in whitelist', async () => {
        // An ES256 token naming an RSA key's kid.
        const es = await createTestKey('ES256', { kid: first.kid });
        await refuses(jwk(), header(`Bearer ${await sign(es)}`), 401, invalidToken);
      });
      differs('Should authorize RS256 token when multiple algorithms are in whitelist', 'an algorithm no configured key can verify is refused at creation; with jwks_uri the list may name keys still to come', async () => {
        expect(() => jwk({ alg: ['RS256', 'ES256'] })).toThrow(TypeError);
        await accepts(honoJwk({ jwks_uri: server.jwksUri, alg: ['RS256', 'ES256'] }), await bearer());
      });
    });

    group('WWW-Authenticate realm', () => realmCases(cases, (realm) => jwk(realm === undefined ? {} : { realm })));
  });
});

// What hono's jwt and jwk middleware do beyond what their tests check, as their documentation and code show.
peerSuite('hono (docs)', guide, ({ group, met, differs }) => {
  group('docs', () => {
    differs('`secret` of any length', 'HMAC secrets shorter than the hash are refused at creation (RFC 7518 §3.2)', async () => {
      const { fromHonoJwt } = await import('./from-hono-jwt.js');
      expect(() => jwtAuth(fromHonoJwt({ secret: 'it-is-very-secret', alg: 'HS256' }))).toThrow(TypeError);
    });

    met('tokens without `exp` are accepted', async () => {
      // The mapping sets requireExpiration: false; jwt-gate's default refuses them.
      await accepts(jwk(), await bearer());
      await refuses(jwtAuth({ jwks: { keys }, issuer: null, audience: null }) as MiddlewareHandler, await bearer(), 401, invalidToken);
    });

    differs('`verification: { exp: false, nbf: false, iat: false }` turns a check off', 'exp, nbf and iat are always checked when present', () => {
      expect(() => jwk({ verification: { exp: false } as never })).toThrow(TypeError);
    });

    met('`verification.aud` checks the audience', async () => {
      const audience = () => jwk({ verification: { aud: 'orders-api' } });
      await refuses(audience(), await bearer(first, { aud: 'billing-api' }), 401, invalidToken);
      await accepts(audience(), await bearer(first, { aud: 'orders-api' }), { aud: 'orders-api' });
    });

    differs('`verification.iss` may be a RegExp', 'issuers are exact strings: list them (issuers) or look them up (resolveIssuer)', async () => {
      const resolving = jwtAuth({ resolveIssuer: (iss) => (/^https:\/\/[a-z]+\.auth\.test\/$/.test(iss) ? { jwks: { keys } } : null), audience: null, requireExpiration: false });
      await accepts(resolving as MiddlewareHandler, await bearer(first, { iss: 'https://acme.auth.test/' }), { iss: 'https://acme.auth.test/' });
    });

    differs('the payload is `c.get(\'jwtPayload\')`', 'the result is c.var.auth: { claims, header, issuer, token }', async () => {
      const token = await sign(first);
      const app = new Hono().get('/', jwk() as MiddlewareHandler, (c) => c.json({ claims: c.get('auth' as never), payload: c.get('jwtPayload' as never) ?? null }));
      const body = (await (await app.request('/', { headers: header(`Bearer ${token}`) })).json()) as { claims: { claims: unknown; token: string }; payload: unknown };
      expect([body.claims.claims, body.claims.token, body.payload]).toEqual([{ message: 'hello world' }, token, null]);
    });

    differs('the header is read first, and the cookie only without it', 'a token in both is a 400: one place per token', async () => {
      const token = await sign(first);
      await refuses(jwk({ cookie: 'access_token' }), { authorization: `Bearer ${token}`, cookie: `access_token=${token}` }, 400, invalidRequest);
    });

    met('`jwks_uri: (c) => ...` takes the JWKS URL from the request (Workers env)', async () => {
      await accepts(honoJwk({ jwks_uri: (c) => c.req.header('x-tenant-jwks') as string, alg: ['RS256'] }), { ...await bearer(), 'x-tenant-jwks': server.jwksUri });
    });

    differs('the JWKS is fetched on every request', 'fetched once and cached, refetched on an unknown kid at most once per cooldown', async () => {
      const counted = await startJwksServer({ keys });
      try {
        const auth = honoJwk({ jwks_uri: counted.jwksUri, alg: ['RS256'] });
        for (let i = 0; i < 3; i++) expect((await send(auth, await bearer())).res.status).toBe(200);
        expect(counted.hits.get('/jwks.json')).toBe(1);
      } finally {
        await counted.close();
      }
    });

    met('refusals are thrown as HTTPExceptions carrying the response, for app.onError', async () => {
      const app = new Hono();
      app.use('/auth/*', jwk());
      app.get('/auth/*', (c) => c.text('ok'));
      app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.text('server error', 500)));
      const res = await app.request('http://localhost/auth/a');
      expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, bare]);
    });

    differs('an app.onError that answers 500 to everything turns a refusal into a 500', "jwt-gate's default, errors: 'respond', returns the RFC 6750 response, which app.onError never sees", async () => {
      const app = new Hono();
      app.use('/auth/*', jwtAuth({ jwks: { keys }, issuer: null, audience: null, requireExpiration: false }));
      app.get('/auth/*', (c) => c.text('ok'));
      app.onError((_error, c) => c.text('server error', 500));
      const res = await app.request('http://localhost/auth/a');
      expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, bare]);
    });
  });
});
