// The behaviours honojs/hono's own tests of its `jwt` middleware check
// (src/middleware/jwt/index.test.ts), each asserted through jwtAuth configured by fromHonoJwt
// with app.request(), or marked as a deliberate difference with jwt-gate's own answer asserted.
// The migration guide lists the same cases.

import { createTestKey, peerSuite, randomSecret, signLikePeers } from '@jwt-gate/testing';
import { Hono, type MiddlewareHandler } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { expect, expectTypeOf } from 'vitest';
import { jwtAuth, type JWTPayload } from '../../src/index.js';
import { fromHonoJwt, type HonoJwtOptions } from './from-hono-jwt.js';
import { protectedApp } from './protected-app.js';

const guide = new URL('../../../../docs/migrating-from-hono-jwt.md', import.meta.url);
const secret = randomSecret(32);
const cookieSecret = 'cookie_secret';
// What hono's tests sign: no iat, no exp.
const credential = await signLikePeers(secret, { message: 'hello world' }, { iat: null });
const garbled = `ss${credential.slice(2)}`;
const header = (value: string, name = 'authorization') => ({ [name]: value });
const middleware = (extra: Partial<HonoJwtOptions> = {}) => jwtAuth(fromHonoJwt({ secret, alg: 'HS256', ...extra })) as MiddlewareHandler;
const challenge = (res: Response) => res.headers.get('www-authenticate');

/** A request the protected handler never saw, answered `status` with this challenge. */
async function refused(app: ReturnType<typeof protectedApp>, res: Response, status: number, expected: string | RegExp) {
  expect(res.status).toBe(status);
  if (typeof expected === 'string') expect(challenge(res)).toBe(expected);
  else expect(challenge(res)).toMatch(expected);
  expect(app.ran()).toBe(0);
}

/** The protected handler ran once and answered hono's test payload. */
async function accepted(app: ReturnType<typeof protectedApp>, res: Response, body: unknown = { message: 'hello world' }) {
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(body);
  expect(app.ran()).toBe(1);
}

const bare = 'Bearer realm="api"';
const invalidToken = /^Bearer realm="api", error="invalid_token"/;
const invalidRequest = /^Bearer realm="api", error="invalid_request"/;

/** A cookie set by hono's setSignedCookie, as the Cookie header a browser sends back. */
async function signedCookie(name: string, value: string, prefix?: 'host'): Promise<string> {
  const app = new Hono().get('/', async (c) => {
    await setSignedCookie(c, name, value, cookieSecret, prefix === undefined ? {} : { prefix });
    return c.text('ok');
  });
  return ((await app.request('/')).headers.get('set-cookie') as string).split(';')[0] as string;
}

peerSuite('hono jwt', guide, ({ group, met, differs }) => {
  group('jwt/index.test.ts', () => {
    group('Credentials in header', () => {
      met('Should not authorize (no token)', async () => {
        const app = protectedApp(middleware());
        await refused(app, await app.get('/auth/a'), 401, bare);
      });
      met('Should authorize', async () => {
        const app = protectedApp(middleware());
        await accepted(app, await app.get('/auth/a', header(`Bearer ${credential}`)));
      });
      met('Should authorize with lowercase bearer scheme', async () => {
        const app = protectedApp(middleware());
        await accepted(app, await app.get('/auth/a', header(`bearer ${credential}`)));
      });
      met('Should authorize with mixed-case Bearer scheme', async () => {
        const app = protectedApp(middleware());
        await accepted(app, await app.get('/auth/a', header(`bEaReR ${credential}`)));
      });
      differs('Should not authorize with non-Bearer scheme', 'another scheme is no bearer credentials: 401 with a bare challenge (RFC 6750 §3.1)', async () => {
        const app = protectedApp(middleware());
        await refused(app, await app.get('/auth/a', header(`Basic ${credential}`)), 401, bare);
      });
      met('Should not authorize invalid token with Bearer scheme', async () => {
        const app = protectedApp(middleware());
        await refused(app, await app.get('/auth/a', header(`Bearer ${garbled}`)), 401, invalidToken);
      });
      differs('Should not authorize (`Bearer invalid token`)', 'a malformed Bearer header is a 400 invalid_request (RFC 6750 §3.1)', async () => {
        const app = protectedApp(middleware());
        await refused(app, await app.get('/auth/a', header('Bearer invalid token')), 400, invalidRequest);
      });
      met('Should not authorize - nested', async () => {
        const app = protectedApp(() => middleware(), true);
        await refused(app, await app.get('/auth/a'), 401, bare);
      });
      met('Should authorize - nested', async () => {
        const app = protectedApp(() => middleware(), true);
        await accepted(app, await app.get('/auth/a', header(`Bearer ${credential}`)));
      });
    });

    group('Credentials in custom header', () => {
      const name = 'x-custom-auth-header';
      const custom = () => middleware({ headerName: name });
      met('Should not authorize (no token)', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a'), 401, bare);
      });
      met('Should not authorize even if default authorization header present', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a', header(`Bearer ${credential}`)), 401, bare);
      });
      met('Should authorize', async () => {
        const app = protectedApp(custom());
        await accepted(app, await app.get('/auth/a', header(`Bearer ${credential}`, name)));
      });
      met('Should authorize with lowercase bearer scheme', async () => {
        const app = protectedApp(custom());
        await accepted(app, await app.get('/auth/a', header(`bearer ${credential}`, name)));
      });
      met('Should authorize with mixed-case Bearer scheme in custom header', async () => {
        const app = protectedApp(custom());
        await accepted(app, await app.get('/auth/a', header(`bEaReR ${credential}`, name)));
      });
      differs('Should not authorize with non-Bearer scheme in custom header', 'the header holds a token or `Bearer <token>`; anything else is a 400 invalid_request', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a', header(`Basic ${credential}`, name)), 400, invalidRequest);
      });
      met('Should not authorize invalid token with Bearer scheme in custom header', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a', header(`Bearer ${garbled}`, name)), 401, invalidToken);
      });
      differs('Should not authorize Unicode even if default authorization header present', 'no token is a 401 with a bare challenge, not invalid_request (RFC 6750 §3.1)', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a', header(`Basic ${garbled}`)), 401, bare);
      });
      differs('Should not authorize (`Bearer invalid token`)', 'a malformed value is a 400 invalid_request (RFC 6750 §3.1)', async () => {
        const app = protectedApp(custom());
        await refused(app, await app.get('/auth/a', header('Bearer invalid token', name)), 400, invalidRequest);
      });
      met('Should not authorize - nested', async () => {
        const app = protectedApp(custom, true);
        await refused(app, await app.get('/auth/a'), 401, bare);
      });
      met('Should not authorize - nested even if default authorization header present', async () => {
        const app = protectedApp(custom, true);
        await refused(app, await app.get('/auth/a', header(`Bearer ${credential}`)), 401, bare);
      });
      met('Should authorize - nested', async () => {
        const app = protectedApp(custom, true);
        await accepted(app, await app.get('/auth/a', header(`Bearer ${credential}`, name)));
      });
    });

    group('Credentials in cookie', () => {
      const cookie = () => middleware({ cookie: 'access_token' });
      met('Should not authorize (no cookie)', async () => {
        const app = protectedApp(cookie());
        await refused(app, await app.get('/auth/a'), 401, bare);
      });
      met('Should authorize', async () => {
        const app = protectedApp(cookie());
        await accepted(app, await app.get('/auth/a', header(`access_token=${credential}`, 'cookie')));
      });
      met('Should authorize Unicode', async () => {
        const app = protectedApp(cookie());
        await accepted(app, await app.get('/auth/a', header(`access_token=${credential}`, 'cookie')));
      });
      met('Should not authorize Unicode', async () => {
        const app = protectedApp(cookie());
        await refused(app, await app.get('/auth/a', header(`access_token=${garbled}`, 'cookie')), 401, invalidToken);
      });
      met('Should not authorize (`invalid token` cookie)', async () => {
        const app = protectedApp(cookie());
        await refused(app, await app.get('/auth/a', header('access_token=invalid token', 'cookie')), 401, invalidToken);
      });
    });

    group('Error handling with `cause`', () => {
      met('Should not authorize', async () => {
        const app = new Hono();
        app.use('/auth/*', middleware());
        app.get('/auth/*', (c) => c.text('Authorized'));
        app.onError((error, c) => {
          if (error instanceof HTTPException && error.cause instanceof Error) return c.json({ name: error.cause.name, code: (error.cause as { code?: string }).code }, 401);
          return c.text(error.message, 401);
        });
        const res = await app.request('http://localhost/auth', { headers: header('Bearer abc.def.ghi') });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ name: 'AuthError', code: 'ERR_TOKEN_MALFORMED' });
      });
    });

    for (const [describe, prefix] of [['Credentials in signed cookie with prefix Options', 'host'], ['Credentials in signed cookie without prefix Options', undefined]] as const) {
      group(describe, () => {
        const signed = () => middleware({ cookie: { key: 'cookie_name', secret: cookieSecret, ...(prefix === undefined ? {} : { prefixOptions: prefix }) } });
        met('Should not authorize', async () => {
          const app = protectedApp(signed());
          await refused(app, await app.get('/auth/a'), 401, bare);
        });
        met('Should authorize', async () => {
          const app = protectedApp(signed());
          const cookie = await signedCookie('cookie_name', credential, prefix);
          expect(cookie.startsWith(prefix === undefined ? 'cookie_name=' : '__Host-cookie_name=')).toBe(true);
          await accepted(app, await app.get('/auth/a', header(cookie, 'cookie')));
        });
      });
    }

    for (const [describe, prefix] of [['Credentials in cookie object with prefix Options', 'host'], ['Credentials in cookie object without prefix Options', undefined]] as const) {
      group(describe, () => {
        const plain = () => middleware({ cookie: { key: 'cookie_name', ...(prefix === undefined ? {} : { prefixOptions: prefix }) } });
        met('Should not authorize', async () => {
          const app = protectedApp(plain());
          await refused(app, await app.get('/auth/a'), 401, bare);
        });
        met('Should authorize', async () => {
          const app = protectedApp(plain());
          await accepted(app, await app.get('/auth/a', header(`${prefix === undefined ? '' : '__Host-'}cookie_name=${credential}`, 'cookie')));
        });
      });
    }

    group('Security: Algorithm Confusion Attack Prevention', () => {
      differs('Should throw error when alg option is not provided', 'the allow-list follows from the key (HS256 for a secret), never from the token', async () => {
        const app = protectedApp(jwtAuth({ secret, issuer: null, audience: null, requireExpiration: false }) as MiddlewareHandler);
        await accepted(app, await app.get('/auth/a', header(`Bearer ${credential}`)));
        const hs384 = await signLikePeers(secret, { message: 'hello world' }, { alg: 'HS384', iat: null });
        expect((await app.get('/auth/a', header(`Bearer ${hs384}`))).status).toBe(401);
      });
      met('Should reject tokens with mismatched algorithm', async () => {
        // An HS256 token signed with the RSA public key as its secret, where RS256 is configured.
        const rsa = await createTestKey('RS256');
        const app = protectedApp(middleware({ secret: rsa.publicJwk as HonoJwtOptions['secret'], alg: 'RS256' }));
        const confused = await signLikePeers(rsa.publicPem as string, { message: 'hello world' }, { iat: null });
        await refused(app, await app.get('/auth/a', header(`Bearer ${confused}`)), 401, invalidToken);
        // A secret with RS256 cannot verify anything: refused at creation.
        expect(() => middleware({ alg: 'RS256' })).toThrow(TypeError);
      });
      differs('Should require explicit alg specification in middleware options', 'algorithms may be left to the key', () => {
        expect(() => jwtAuth({ secret, issuer: null, audience: null })).not.toThrow();
        expect(() => middleware({ alg: 'HS256' })).not.toThrow();
      });
    });

    group('Type tests', () => {
      met('Should infer correct payload type when JwtVariables<T> is specified', async () => {
        interface User extends JWTPayload {
          id: string;
          email: string;
          isAdmin: boolean;
        }
        const app = new Hono().get('/', jwtAuth<User>({ secret, issuer: null, audience: null, requireExpiration: false }), (c) => {
          expectTypeOf(c.var.auth.claims).toEqualTypeOf<User>();
          return c.json({ email: c.var.auth.claims.email });
        });
        const token = await signLikePeers(secret, { id: '1', email: 'a@example.com', isAdmin: false });
        expect(await (await app.request('/', { headers: header(`Bearer ${token}`) })).json()).toEqual({ email: 'a@example.com' });
      });
      differs('Should infer unknown when JwtVariables is used without type parameter in Variables', 'the claims default to JWTPayload, not any', () => {
        const app = new Hono().get('/', jwtAuth({ secret, issuer: null, audience: null }), (c) => {
          expectTypeOf(c.var.auth.claims).toEqualTypeOf<JWTPayload>();
          return c.text('ok');
        });
        expect(app).toBeInstanceOf(Hono);
      });
    });

    group('WWW-Authenticate realm', () => {
      differs('Should default to the request URL', 'the default realm is "api": a fixed protection space, and no client-supplied text in the header', async () => {
        const app = protectedApp(middleware());
        await refused(app, await app.get('/auth/page?a=1'), 401, bare);
      });
      differs('Should use the configured realm', 'the realm is used; a request without a token gets a bare challenge (RFC 6750 §3.1)', async () => {
        const app = protectedApp(middleware({ realm: 'my-api' }));
        await refused(app, await app.get('/auth/page?a=1'), 401, 'Bearer realm="my-api"');
      });
      met('Should use the configured realm for an invalid token', async () => {
        const app = protectedApp(middleware({ realm: 'my-api' }));
        await refused(app, await app.get('/auth/page', header('Bearer invalid-token')), 401, /^Bearer realm="my-api", error="invalid_token"/);
      });
      differs('Should escape double quotes in the realm', 'a realm with quotes or backslashes is refused at creation', () => {
        expect(() => middleware({ realm: 'my "quoted" api' })).toThrow(TypeError);
      });
    });
  });
});
