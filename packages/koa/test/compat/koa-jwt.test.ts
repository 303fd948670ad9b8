// The behaviours koajs/jwt's own tests check (test/test.js), each asserted through jwtAuth
// configured by fromKoaJwt over real requests to app.callback(), or marked as a deliberate
// difference with jwt-gate's own answer asserted. The migration guide lists the same cases.

import { createTestKey, peerSuite, randomSecret, signLikePeers, signToken, startJwksServer } from '@jwt-gate/testing';
import Koa, { type Middleware } from 'koa';
import unless from 'koa-unless';
import request from 'supertest';
import { expect } from 'vitest';
import { AuthError, assertGuarded, jwtAuth, markAuthentication, requireRoles, type AuthResult } from '../../src/index.js';
import { fromKoaJwt, type KoaJwtOptions } from './from-koa-jwt.js';

const guide = new URL('../../../../docs/migrating-from-koa-jwt.md', import.meta.url);
const secret = randomSecret(32);
const other = randomSecret(32);
const past = 1382412921;

/**
 * An app like koa-jwt's tests build: the middleware, then a handler answering the claims. Refusals
 * reach Koa's own error handler; `errors` collects what was thrown on the way.
 */
function appWith(middleware: Middleware, errors: unknown[] = []): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      errors.push(error);
      throw error;
    }
  });
  app.use(middleware);
  app.use((ctx) => {
    ctx.body = (ctx.state as { auth?: AuthResult }).auth?.claims;
  });
  return app;
}

const hs = (extra: Partial<KoaJwtOptions> = {}): KoaJwtOptions => ({ secret, ...extra });
const get = (options: KoaJwtOptions, authorization?: string, errors?: unknown[]) => {
  const test = request(appWith(jwtAuth(fromKoaJwt(options)), errors).callback()).get('/');
  return authorization === undefined ? test : test.set('authorization', authorization);
};
const codeOf = (errors: unknown[]) => (errors[0] as AuthError | undefined)?.code;

peerSuite('koa-jwt', guide, ({ group, met, differs }) => {
  group('test.js', () => {
    group('failure tests', () => {
      met('should throw 401 if no authorization header', async () => {
        const res = await get(hs());
        expect([res.status, res.headers['www-authenticate']]).toEqual([401, 'Bearer realm="api"']);
      });

      met('should throw 401 if no authorization header (debug: true)', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ debug: true }), undefined, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_MISSING']);
      });

      met('should return 401 if authorization header is malformed', async () => {
        expect((await get(hs(), 'wrong')).status).toBe(401);
      });

      met('should return 401 if authorization header does not start with Bearer', async () => {
        expect((await get(hs(), 'Bearskin Jacket')).status).toBe(401);
      });

      met('should allow provided getToken function to throw', async () => {
        // koa-jwt's ctx.throw(401, ...) is, in jwt-gate, an AuthError thrown from getToken.
        const errors: unknown[] = [];
        const res = await get(hs({ getToken: () => { throw new AuthError('ERR_TOKEN_MALFORMED'); } }), undefined, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
      });

      met('should throw if getToken function returns invalid jwt', async () => {
        const token = await signLikePeers(other, { foo: 'bar' });
        const errors: unknown[] = [];
        const res = await get(hs({ getToken: () => token }), undefined, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      met('should throw if authorization header is not well-formatted jwt', async () => {
        const errors: unknown[] = [];
        const res = await get(hs(), 'Bearer wrongjwt', errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
        expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      });

      met('should throw if authorization header is not valid jwt', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: other }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      met('should throw if authorization header is not valid jwt according to any secret', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: [other, randomSecret(32)] }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      differs('should throw non-descriptive errors when debug is false', 'the client gets the RFC 6750 error and a fixed description per code, never token or key text', async () => {
        const token = await signLikePeers(secret, { foo: 'bar' });
        const res = await get(hs({ secret: other, debug: false }), `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The token signature is invalid"');
        for (const part of token.split('.')) expect(res.text).not.toContain(part);
      });

      met('should throw if opts.cookies is set and the specified cookie is not well-formatted jwt', async () => {
        const errors: unknown[] = [];
        const app = appWith(jwtAuth(fromKoaJwt(hs({ cookie: 'jwt', debug: true }))), errors);
        const res = await request(app.callback()).get('/').set('cookie', `jwt=bad${await signLikePeers(secret, { foo: 'bar' })};`);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
      });

      met('should throw if audience is not expected', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ audience: 'not-expected-audience' }), `Bearer ${await signLikePeers(secret, { foo: 'bar', aud: 'expected-audience' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_AUDIENCE_INVALID']);
      });

      met('should throw if token is expired', async () => {
        const errors: unknown[] = [];
        const res = await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_EXPIRED']);
      });

      met('should throw with original jsonwebtoken error as originalError property', async () => {
        // What failed travels on the thrown error itself: its code and the claim.
        const errors: unknown[] = [];
        await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`, errors);
        expect(errors[0]).toMatchObject({ name: 'AuthError', code: 'ERR_TOKEN_EXPIRED', claim: 'exp', status: 401 });
      });

      met('should throw if token issuer is wrong', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ issuer: 'http://wrong' }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'http://foo' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_ISSUER_INVALID']);
      });

      differs('should throw if secret neither provided by options or middleware', 'a missing key is a configuration error at start-up, not a 401 per request', () => {
        expect(() => jwtAuth(fromKoaJwt({} as KoaJwtOptions))).toThrow(TypeError);
      });

      met('should throw if secret both provided by options (right secret) and middleware (wrong secret)', async () => {
        // koa-jwt's test gives only a wrong secret in the options.
        const errors: unknown[] = [];
        const res = await get(hs({ secret: other }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'http://foo' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      differs('should throw 401 if isRevoked throw error', 'a revocation check that cannot answer is a 503, never an accept', async () => {
        const errors: unknown[] = [];
        const failing = hs({ isRevoked: () => Promise.reject(new Error('Token revocation check error')) });
        const res = await get(failing, `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([503, 'ERR_REVOCATION_UNAVAILABLE']);
        expect((errors[0] as AuthError).cause).toMatchObject({ message: 'Token revocation check error' });
      });

      met('should throw 401 if revoked token', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ isRevoked: () => Promise.resolve(true) }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_REVOKED']);
      });

      differs('should throw if secret provider rejects', 'a key lookup that fails is a 503: not the client’s fault, and retryable', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: () => Promise.reject(new Error('Not supported')) }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([503, 'ERR_KEYS_UNAVAILABLE']);
      });

      met('should throw if secret provider used but token invalid', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: () => Promise.resolve(secret) }), 'Bearer dodgytoken', errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
      });

      met('should throw if secret provider returns a secret that does not match jwt', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: () => Promise.resolve(other) }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      met('should throw if no secret provider returns a secret that matches jwt', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: () => Promise.resolve([other, randomSecret(32)]) }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`, errors);
        expect([res.status, codeOf(errors)]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });
    });

    group('passthrough tests', () => {
      met('should continue if `passthrough` is true', async () => {
        const res = await get(hs({ passthrough: true, debug: true }));
        expect([res.status, res.text]).toEqual([204, '']);
      });

      met('should continue if `passthrough` is true with bad auth header format', async () => {
        const res = await get(hs({ passthrough: true, debug: true }), 'liver and onions');
        expect([res.status, res.text]).toEqual([204, '']);
      });
    });

    group('success tests', () => {
      met('should work if authorization header is valid jwt', async () => {
        const res = await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should work if authorization header contains leading and/or trailing whitespace', async () => {
        const res = await get(hs(), `     Bearer ${await signLikePeers(secret, { foo: 'bar' })}     `);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should work if authorization header is valid jwt according to one of the secrets', async () => {
        const res = await get(hs({ secret: [secret, other] }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should work if the provided getToken function returns a valid jwt', async () => {
        const app = appWith(jwtAuth(fromKoaJwt(hs({ getToken: (ctx) => ctx.request.query['token'] as string | undefined }))));
        const res = await request(app.callback()).get('/').query({ token: await signLikePeers(secret, { foo: 'bar' }) });
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      differs('should use the first resolved token', 'a token in two places (cookie and header) is refused with 400, whichever is valid', async () => {
        const errors: unknown[] = [];
        const app = appWith(jwtAuth(fromKoaJwt(hs({ cookie: 'jwt' }))), errors);
        const res = await request(app.callback())
          .get('/')
          .set('cookie', `jwt=${await signLikePeers(secret, { foo: 'bar' })};`)
          .set('authorization', `Bearer ${await signLikePeers(other, { foo: 'bar' })}`);
        expect([res.status, codeOf(errors)]).toEqual([400, 'ERR_MULTIPLE_TOKENS']);
      });

      met('should work if opts.cookies is set and the specified cookie contains valid jwt', async () => {
        const app = appWith(jwtAuth(fromKoaJwt(hs({ cookie: 'jwt' }))));
        const res = await request(app.callback()).get('/').set('cookie', `jwt=${await signLikePeers(secret, { foo: 'bar' })};`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      differs('should use provided key for decoded data', 'the result is always ctx.state.auth, typed through the middleware', async () => {
        expect(() => jwtAuth({ ...fromKoaJwt(hs()), key: 'jwtdata' } as never)).toThrow(TypeError);
        const res = await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect(res.body.foo).toBe('bar');
      });

      differs('should work if secret is provided by middleware', 'keys are configuration, never request state; per-tenant keys come from resolveIssuer', async () => {
        const app = appWith(jwtAuth(fromKoaJwt(hs({ secret: other }))));
        app.middleware.unshift((ctx, next) => {
          ctx.state['secret'] = secret;
          return next();
        });
        expect((await request(app.callback()).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(401);
      });

      met('should work if secret is provided by secret provider function', async () => {
        const res = await get(hs({ secret: () => Promise.resolve(secret) }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should work if a valid secret is provided by one of the secret provider functions', async () => {
        const res = await get(hs({ secret: () => Promise.resolve([other, secret]) }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should not overwrite ctx.state.token on successful token verification if opts.tokenKey is undefined', async () => {
        const app = new Koa()
          .use((ctx, next) => {
            ctx.state = { token: 'DONT_CLOBBER_ME' };
            return next();
          })
          .use(jwtAuth(fromKoaJwt(hs())))
          .use((ctx) => {
            ctx.body = { token: ctx.state['token'] };
          });
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect(res.body).toEqual({ token: 'DONT_CLOBBER_ME' });
      });

      differs('should populate the raw token to ctx.state, in key from opts.tokenKey', 'the raw token is always ctx.state.auth.token', async () => {
        const token = await signLikePeers(secret, { foo: 'bar' });
        const app = new Koa().use(jwtAuth(fromKoaJwt(hs()))).use((ctx) => {
          ctx.body = { token: ctx.state.auth?.token };
        });
        expect((await request(app.callback()).get('/').set('authorization', `Bearer ${token}`)).body).toEqual({ token });
      });

      differs('should use middleware secret if both middleware and options provided', 'ctx.state.secret is never read', async () => {
        const app = appWith(jwtAuth(fromKoaJwt(hs())));
        app.middleware.unshift((ctx, next) => {
          ctx.state['secret'] = other;
          return next();
        });
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });
    });

    group('unless tests', () => {
      const guarded = (options: KoaJwtOptions) => {
        const wrapped = markAuthentication(unless.call(jwtAuth(fromKoaJwt(options)) as Middleware, { path: ['/public'] }));
        const app = appWith(wrapped);
        app.use(requireRoles('admin'));
        return app;
      };

      met('should pass if the route is excluded', async () => {
        const app = new Koa().use(markAuthentication(unless.call(jwtAuth(fromKoaJwt(hs())) as Middleware, { path: ['/public'] }))).use((ctx) => {
          ctx.body = { success: true };
        });
        const res = await request(app.callback()).get('/public').set('authorization', 'wrong');
        expect([res.status, res.body]).toEqual([200, { success: true }]);
        // A guard behind the wrapped middleware is recognised at start-up.
        expect(() => assertGuarded(guarded(hs()))).not.toThrow();
      });

      met('should fail if the route is not excluded', async () => {
        expect((await request(guarded(hs()).callback()).get('/private').set('authorization', 'wrong')).status).toBe(401);
      });

      met('should pass if the route is not excluded and the token is present', async () => {
        const app = appWith(markAuthentication(unless.call(jwtAuth(fromKoaJwt(hs())) as Middleware, { path: ['/public'] })));
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });

      met('should work if authorization header is valid jwt and is not revoked', async () => {
        const res = await get(hs({ isRevoked: () => Promise.resolve(false) }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.foo]).toEqual([200, 'bar']);
      });
    });
  });
});

// What koa-jwt does beyond what its tests check, as its README and code describe it.
peerSuite('koa-jwt (README)', guide, ({ group, met, differs }) => {
  group('README', () => {
    differs('`secret` of any length', 'HMAC secrets shorter than the hash are refused at creation (RFC 7518 §3.2)', () => {
      expect(() => jwtAuth(fromKoaJwt(hs({ secret: 'shared-secret' })))).toThrow(TypeError);
      expect(() => jwtAuth(fromKoaJwt(hs({ secret: 'x'.repeat(32) })))).not.toThrow();
    });

    met('tokens without `exp` are accepted (jsonwebtoken does not require it)', async () => {
      // The mapping sets requireExpiration: false; jwt-gate's default refuses them.
      expect((await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(200);
      const strict = appWith(jwtAuth({ secret, issuer: null, audience: null }));
      expect((await request(strict.callback()).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(401);
    });

    met('tokens without `iss` are accepted unless `issuer` is set', async () => {
      expect((await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(200);
      expect((await get(hs({ issuer: 'https://a' }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(401);
    });

    met('refusals are thrown with status 401 to Koa’s error handling', async () => {
      const errors: unknown[] = [];
      const res = await get(hs(), undefined, errors);
      expect(res.status).toBe(401);
      expect(errors[0]).toMatchObject({ status: 401, expose: true, code: 'ERR_TOKEN_MISSING' });
    });

    differs('refusals always reach the app’s error middleware', "jwt-gate's default, errors: 'respond', answers the RFC 6750 response itself", async () => {
      const errors: unknown[] = [];
      const app = appWith(jwtAuth({ secret, issuer: null, audience: null, requireExpiration: false }), errors);
      const res = await request(app.callback()).get('/').set('authorization', 'Bearer wrongjwt');
      expect([res.status, res.body.error, errors]).toEqual([401, 'invalid_token', []]);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
    });

    differs('`passthrough` lets an invalid token through, with ctx.state.jwtOriginalError', 'optional: true lets only a missing token through; an invalid one is refused', async () => {
      const res = await get(hs({ passthrough: true }), 'Bearer wrongjwt');
      expect(res.status).toBe(401);
    });

    met('`secret: koaJwtSecret({ jwksUri })` verifies RS256 tokens from a JWKS', async () => {
      const key = await createTestKey('RS256');
      const jwks = await startJwksServer({ keys: [key.publicJwk as never] });
      try {
        const app = appWith(jwtAuth({ jwksUri: jwks.jwksUri, issuer: 'https://auth.example.com/', audience: 'orders-api' }));
        const token = await signToken(key, { iss: 'https://auth.example.com/', aud: 'orders-api', sub: 'alice' });
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${token}`);
        expect([res.status, res.body.sub]).toEqual([200, 'alice']);
      } finally {
        await jwks.close();
      }
    });

    met('query-string tokens are read only by your own getToken', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      expect((await request(appWith(jwtAuth(fromKoaJwt(hs()))).callback()).get('/').query({ token })).status).toBe(401);
      const reading = appWith(jwtAuth(fromKoaJwt(hs({ getToken: (ctx) => ctx.query['token'] as string }))));
      expect((await request(reading.callback()).get('/').query({ token })).status).toBe(200);
    });

    met('`isRevoked(ctx, decodedToken, token)` sees the claims and the raw token', async () => {
      const seen: unknown[] = [];
      const token = await signLikePeers(secret, { foo: 'bar' });
      const res = await get(hs({ isRevoked: async (_ctx, decoded, raw) => (seen.push(decoded['foo'], raw), false) }), `Bearer ${token}`);
      expect([res.status, seen]).toEqual([200, ['bar', token]]);
    });

    differs('`Authorization: Bearer a b` is a 401', 'a malformed Bearer header is a 400 invalid_request (RFC 6750 §3.1)', async () => {
      const errors: unknown[] = [];
      const res = await get(hs(), 'Bearer a b', errors);
      expect([res.status, codeOf(errors)]).toEqual([400, 'ERR_INVALID_REQUEST']);
    });

    differs('`getToken` wins over the cookie and the header', 'every configured place is read; a token in two is a 400', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      const app = appWith(jwtAuth(fromKoaJwt(hs({ getToken: (ctx) => ctx.get('x-token') || undefined }))));
      expect((await request(app.callback()).get('/').set('x-token', token)).status).toBe(200);
      expect((await request(app.callback()).get('/').set('x-token', token).set('authorization', `Bearer ${token}`)).status).toBe(400);
    });
  });
});
