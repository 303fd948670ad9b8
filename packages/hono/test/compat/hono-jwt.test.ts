// The behaviours honojs/hono's own tests of its `jwt` middleware check
// (src/middleware/jwt/index.test.ts), each asserted through jwtAuth configured by fromHonoJwt
// with app.request(), or marked as a deliberate difference with jwt-gate's own answer asserted.
// The migration guide lists the same cases.

import { createTestKey, peerSuite, randomSecret, signLikePeers } from '@jwt-gate/testing';
import { Hono, type MiddlewareHandler } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { expect, expectTypeOf } from 'vitest';
import { jwtAuth, type JWTPayload } from '../../src/index.js';
import { fromHonoJwt, type HonoJwtOptions } from './from-hono-jwt.js';
import { accepts, bare, causeCase, header, invalidRequest, invalidToken, nested, realmCases, refuses } from './protected-app.js';

const guide = new URL('../../../../docs/migrating-from-hono-jwt.md', import.meta.url);
const secret = randomSecret(32);
const cookieSecret = 'cookie_secret';
// What hono's tests sign: no iat, no exp.
const credential = await signLikePeers(secret, { message: 'hello world' }, { iat: null });
const garbled = `ss${credential.slice(2)}`;
const middleware = (extra: Partial<HonoJwtOptions> = {}) => jwtAuth(fromHonoJwt({ secret, alg: 'HS256', ...extra })) as MiddlewareHandler;

/** A cookie set by hono's setSignedCookie, as the Cookie header a browser sends back. */
async function signedCookie(name: string, value: string, prefix?: 'host'): Promise<string> {
  const app = new Hono().get('/', async (c) => {
    await setSignedCookie(c, name, value, cookieSecret, prefix === undefined ? {} : { prefix });
    return c.text('ok');
  });
  return ((await app.request('/')).headers.get('set-cookie') as string).split(';')[0] as string;
}

peerSuite('hono jwt', guide, (cases) => {
  const { group, met, differs } = cases;
  group('jwt/index.test.ts', () => {
    group('Credentials in header', () => {
      met('Should not authorize (no token)', () => refuses(middleware(), {}, 401, bare));
      met('Should authorize', () => accepts(middleware(), header(`Bearer ${credential}`)));
      met('Should authorize with lowercase bearer scheme', () => accepts(middleware(), header(`bearer ${credential}`)));
      met('Should authorize with mixed-case Bearer scheme', () => accepts(middleware(), header(`bEaReR ${credential}`)));
      differs('Should not authorize with non-Bearer scheme', 'another scheme is no bearer credentials: 401 with a bare challenge (RFC 6750 §3.1)', () =>
        refuses(middleware(), header(`Basic ${credential}`), 401, bare),
      );
      met('Should not authorize invalid token with Bearer scheme', () => refuses(middleware(), header(`Bearer ${garbled}`), 401, invalidToken));
      differs('Should not authorize (`Bearer invalid token`)', 'a malformed Bearer header is a 400 invalid_request (RFC 6750 §3.1)', () =>
        refuses(middleware(), header('Bearer invalid token'), 400, invalidRequest),
      );
      met('Should not authorize - nested', () => refuses(nested(() => middleware()), {}, 401, bare));
      met('Should authorize - nested', () => accepts(nested(() => middleware()), header(`Bearer ${credential}`)));
    });

    group('Credentials in custom header', () => {
      const name = 'x-custom-auth-header';
      const custom = () => middleware({ headerName: name });
      met('Should not authorize (no token)', () => refuses(custom(), {}, 401, bare));
      met('Should not authorize even if default authorization header present', () => refuses(custom(), header(`Bearer ${credential}`), 401, bare));
      met('Should authorize', () => accepts(custom(), header(`Bearer ${credential}`, name)));
      met('Should authorize with lowercase bearer scheme', () => accepts(custom(), header(`bearer ${credential}`, name)));
      met('Should authorize with mixed-case Bearer scheme in custom header', () => accepts(custom(), header(`bEaReR ${credential}`, name)));
      differs('Should not authorize with non-Bearer scheme in custom header', 'the header holds a token or `Bearer <token>`; anything else is a 400 invalid_request', () =>
        refuses(custom(), header(`Basic ${credential}`, name), 400, invalidRequest),
      );
      met('Should not authorize invalid token with Bearer scheme in custom header', () => refuses(custom(), header(`Bearer ${garbled}`, name), 401, invalidToken));
      differs('Should not authorize Unicode even if default authorization header present', 'no token is a 401 with a bare challenge, not invalid_request (RFC 6750 §3.1)', () =>
        refuses(custom(), header(`Basic ${garbled}`), 401, bare),
      );
      differs('Should not authorize (`Bearer invalid token`)', 'a malformed value is a 400 invalid_request (RFC 6750 §3.1)', () =>
        refuses(custom(), header('Bearer invalid token', name), 400, invalidRequest),
      );
      met('Should not authorize - nested', () => refuses(nested(custom), {}, 401, bare));
      met('Should not authorize - nested even if default authorization header present', () => refuses(nested(custom), header(`Bearer ${credential}`), 401, bare));
      met('Should authorize - nested', () => accepts(nested(custom), header(`Bearer ${credential}`, name)));
    });

    group('Credentials in cookie', () => {
      const cookie = () => middleware({ cookie: 'access_token' });
      met('Should not authorize (no cookie)', () => refuses(cookie(), {}, 401, bare));
      met('Should authorize', () => accepts(cookie(), header(`access_token=${credential}`, 'cookie')));
      met('Should authorize Unicode', () => accepts(cookie(), header(`access_token=${credential}`, 'cookie')));
      met('Should not authorize Unicode', () => refuses(cookie(), header(`access_token=${garbled}`, 'cookie'), 401, invalidToken));
      met('Should not authorize (`invalid token` cookie)', () => refuses(cookie(), header('access_token=invalid token', 'cookie'), 401, invalidToken));
    });

    group('Error handling with `cause`', () => causeCase(cases, () => middleware()));

    for (const [describe, prefix] of [['Credentials in signed cookie with prefix Options', 'host'], ['Credentials in signed cookie without prefix Options', undefined]] as const) {
      group(describe, () => {
        const signed = () => middleware({ cookie: { key: 'cookie_name', secret: cookieSecret, ...(prefix === undefined ? {} : { prefixOptions: prefix }) } });
        met('Should not authorize', () => refuses(signed(), {}, 401, bare));
        met('Should authorize', async () => {
          const cookie = await signedCookie('cookie_name', credential, prefix);
          expect(cookie.startsWith(prefix === undefined ? 'cookie_name=' : '__Host-cookie_name=')).toBe(true);
          await accepts(signed(), header(cookie, 'cookie'));
        });
      });
    }

    for (const [describe, prefix] of [['Credentials in cookie object with prefix Options', 'host'], ['Credentials in cookie object without prefix Options', undefined]] as const) {
      group(describe, () => {
        const plain = () => middleware({ cookie: { key: 'cookie_name', ...(prefix === undefined ? {} : { prefixOptions: prefix }) } });
        met('Should not authorize', () => refuses(plain(), {}, 401, bare));
        met('Should authorize', () => accepts(plain(), header(`${prefix === undefined ? '' : '__Host-'}cookie_name=${credential}`, 'cookie')));
      });
    }

    group('Security: Algorithm Confusion Attack Prevention', () => {
      differs('Should throw error when alg option is not provided', 'the allow-list follows from the key (HS256 for a secret), never from the token', async () => {
        const inferred = () => jwtAuth({ secret, issuer: null, audience: null, requireExpiration: false }) as MiddlewareHandler;
        await accepts(inferred(), header(`Bearer ${credential}`));
        const hs384 = await signLikePeers(secret, { message: 'hello world' }, { alg: 'HS384', iat: null });
        await refuses(inferred(), header(`Bearer ${hs384}`), 401, invalidToken);
      });
      met('Should reject tokens with mismatched algorithm', async () => {
        // An HS256 token signed with the RSA public key as its secret, where RS256 is configured.
        const rsa = await createTestKey('RS256');
        const confused = await signLikePeers(rsa.publicPem as string, { message: 'hello world' }, { iat: null });
        await refuses(middleware({ secret: rsa.publicJwk as HonoJwtOptions['secret'], alg: 'RS256' }), header(`Bearer ${confused}`), 401, invalidToken);
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

    group('WWW-Authenticate realm', () => realmCases(cases, (realm) => middleware(realm === undefined ? {} : { realm })));
  });
});
