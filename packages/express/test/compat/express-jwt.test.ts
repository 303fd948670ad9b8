// The behaviours auth0/express-jwt's own tests check (test/*.test.ts), each asserted through
// jwtAuth configured by fromExpressJwt over real requests, or marked as a deliberate difference
// with jwt-gate's own answer asserted. The migration guide lists the same cases.

import { b64url, createTestKey, hmacRaw, listenerTarget, peerSuite, randomSecret, rawToken, signLikePeers, signToken, startJwksServer } from '@jwt-gate/testing';
import express, { type NextFunction, type Request, type Response } from 'express';
import { unless } from 'express-unless';
import request from 'supertest';
import { expect } from 'vitest';
import { AuthError, assertGuarded, isAuthError, jwtAuth, markAuthentication, requireRoles } from '../../src/index.js';
import { fromExpressJwt, type ExpressJwtOptions } from './from-express-jwt.js';

const guide = new URL('../../../../docs/migrating-from-express-jwt.md', import.meta.url);
const secret = randomSecret(32);
const other = randomSecret(32);
const past = 1382412921;

/** An app with the middleware on GET /, answering the claims; failures reach an error handler like express-jwt's README one. */
function appWith(options: ExpressJwtOptions, errors: unknown[] = []) {
  return express()
    .get('/', jwtAuth(fromExpressJwt(options)), (req, res) => res.json({ claims: req.auth?.claims ?? null }))
    .use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
      errors.push(error);
      if (!isAuthError(error)) return next(error);
      res.status(error.status).set(error.headers).json({ code: error.code });
    });
}

const hs = (extra: Partial<ExpressJwtOptions> = {}): ExpressJwtOptions => ({ secret, algorithms: ['HS256'], ...extra });
const get = (options: ExpressJwtOptions, authorization?: string, errors?: unknown[]) => {
  const test = request(appWith(options, errors)).get('/');
  return authorization === undefined ? test : test.set('authorization', authorization);
};

/** Runs the middleware on a request object express did not build, as express-jwt's tests do; resolves with what reached next. */
function callWith(options: ExpressJwtOptions, req: object): Promise<unknown> {
  const middleware = jwtAuth(fromExpressJwt(options));
  return new Promise((resolve) => middleware(req as Request, {} as Response, ((error?: unknown) => resolve(error)) as NextFunction));
}

peerSuite('express-jwt', guide, ({ group, met, differs }) => {
  group('jwt.test.ts', () => {
    group('failure tests', () => {
      met('should throw if options not sent', () => {
        expect(() => jwtAuth(undefined as never)).toThrow(TypeError);
      });

      differs('should throw if algorithms is not sent', 'the allow-list follows from the key', async () => {
        const app = express().get('/', jwtAuth({ secret, issuer: null, audience: null, requireExpiration: false }), (_req, res) => res.end());
        expect((await request(app).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(200);
        // HS256 alone is implied by a secret: the same secret's HS384 token is refused.
        const hs384 = await signLikePeers(secret, { foo: 'bar' }, { alg: 'HS384' });
        expect((await request(app).get('/').set('authorization', `Bearer ${hs384}`)).status).toBe(401);
      });

      met('should throw if algorithms is not an array', () => {
        const options = fromExpressJwt(hs({ algorithms: 'HS256' as never }));
        expect(() => jwtAuth(options)).toThrow(TypeError);
      });

      met('should throw if no authorization header and credentials are required', async () => {
        const res = await get(hs({ credentialsRequired: true }));
        expect([res.status, res.body.code, res.headers['www-authenticate']]).toEqual([401, 'ERR_TOKEN_MISSING', 'Bearer realm="api"']);
      });

      met('support unless skip', async () => {
        const auth = Object.assign(jwtAuth(fromExpressJwt(hs())), { unless });
        const app = express()
          .use(markAuthentication(auth.unless({ path: ['/index.html'] })))
          .get('/index.html', (_req, res) => res.send('public'))
          .get('/admin', requireRoles('admin'), (_req, res) => res.send('admin'));
        // The guard behind the wrapped middleware is recognised at start-up.
        expect(() => assertGuarded(app)).not.toThrow();
        expect((await request(app).get('/index.html')).status).toBe(200);
        expect((await request(app).get('/admin')).status).toBe(401);
      });

      differs('should skip on CORS preflight', 'a preflight carries no credentials and is refused like any request; cors() in front answers it', async () => {
        const preflight = (app: express.Express) => request(app).options('/').set('origin', 'https://app.example').set('access-control-request-method', 'GET').set('access-control-request-headers', 'sasa, sras,  authorization');
        const app = express().options('/', jwtAuth(fromExpressJwt(hs())), (_req, res) => res.end());
        expect((await preflight(app)).status).toBe(401);
        // A CORS middleware in front (cors() does this) answers the preflight before authentication.
        const withCors = express()
          .use((req, res, next) => (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined ? res.status(204).end() : next()))
          .options('/', jwtAuth(fromExpressJwt(hs())), (_req, res) => res.end());
        expect((await preflight(withCors)).status).toBe(204);
      });

      met('should throw if authorization header is malformed', async () => {
        const res = await get(hs(), 'wrong');
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MISSING']);
      });

      met('should throw if authorization header is not Bearer', async () => {
        const res = await get(hs(), 'Basic foobar');
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MISSING']);
      });

      met('should next if authorization header is not Bearer and credentialsRequired is false', async () => {
        const res = await get(hs({ credentialsRequired: false }), 'Basic foobar');
        expect([res.status, res.body]).toEqual([200, { claims: null }]);
      });

      met('should throw if authorization header is not well-formatted jwt', async () => {
        const res = await get(hs(), 'Bearer wrongjwt');
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
        expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      });

      met('should throw if jwt is an invalid json', async () => {
        const res = await get(hs(), `Bearer ${rawToken('{"alg":"HS256","typ":"JWT"}', '{"foo":"bar"', 'Zm9v')}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
      });

      met('should throw if authorization header is not valid jwt', async () => {
        const res = await get(hs({ secret: other }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      met('should throw if audience is not expected', async () => {
        const token = await signLikePeers(secret, { foo: 'bar', aud: 'expected-audience', exp: Math.floor(Date.now() / 1000) + 500 });
        const res = await get(hs({ audience: 'not-expected-audience' }), `Bearer ${token}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_AUDIENCE_INVALID']);
      });

      met('should throw if token is expired', async () => {
        const errors: unknown[] = [];
        const res = await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`, errors);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_EXPIRED']);
        expect(errors[0]).toMatchObject({ code: 'ERR_TOKEN_EXPIRED', claim: 'exp' });
      });

      differs('should not throw if token is expired but the expired handler let it thru', 'an expired token is never let through', async () => {
        const seen: string[] = [];
        const app = express().get('/', jwtAuth({ ...fromExpressJwt(hs()), onError: (error) => seen.push(error.code) }), (_req, res) => res.end());
        const res = await request(app).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`);
        expect(res.status).toBe(401);
        expect(seen).toEqual(['ERR_TOKEN_EXPIRED']);
      });

      met('should throw if token is expired and the expired handler rethrows it', async () => {
        // onExpired's place is onError, which sees the refusal before it is answered.
        const seen: string[] = [];
        const app = express()
          .get('/', jwtAuth({ ...fromExpressJwt(hs()), onError: (error) => seen.push(error.code) }), (_req, res) => res.end())
          .use((error: AuthError, _req: Request, res: Response, _next: NextFunction) => res.status(error.status).json({ code: error.code }));
        const res = await request(app).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`);
        expect([res.status, res.body.code, seen]).toEqual([401, 'ERR_TOKEN_EXPIRED', ['ERR_TOKEN_EXPIRED']]);
      });

      met('should throw if token issuer is wrong', async () => {
        const res = await get(hs({ issuer: 'http://wrong' }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'http://foo' })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_ISSUER_INVALID']);
      });

      met('should use errors thrown from custom getToken function', async () => {
        const errors: unknown[] = [];
        const thrown = new AuthError('ERR_TOKEN_MALFORMED', { message: 'Invalid token!' });
        const res = await get(hs({ getToken: () => { throw thrown; } }), undefined, errors);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
        expect(errors[0]).toBe(thrown);
      });

      met('should throw error when signature is wrong', async () => {
        const [header, , signature] = (await signLikePeers(secret, { foo: 'bar', iss: 'http://www' })).split('.');
        const res = await get(hs(), `Bearer ${header}.${b64url('{"foo":"bar","edg":"ar"}')}.${signature}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      met('should throw error if token is expired even with when credentials are not required', async () => {
        const res = await get(hs({ credentialsRequired: false }), `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_EXPIRED']);
      });

      met('should throw error if token is invalid even with when credentials are not required', async () => {
        const res = await get(hs({ secret: other, credentialsRequired: false }), `Bearer ${await signLikePeers(secret, { foo: 'bar', exp: past })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });
    });

    group('work tests', () => {
      met('should work if authorization header is valid jwt', async () => {
        const res = await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      differs('should work with custom and nested request property', 'the result is always req.auth, typed; copy it in one line where old code reads another property', async () => {
        expect(() => jwtAuth({ ...fromExpressJwt(hs()), requestProperty: 'auth.payload' } as never)).toThrow(/requestProperty/);
        const app = express()
          .use(jwtAuth(fromExpressJwt(hs())), (req, _res, next) => {
            Object.assign(req, { user: { payload: req.auth?.claims } });
            next();
          })
          .get('/', (req, res) => res.json((req as Request & { user: unknown }).user));
        const res = await request(app).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
        expect(res.body.payload.foo).toBe('bar');
      });

      met('should work if authorization header is valid with a buffer secret', async () => {
        const bytes = Buffer.from(crypto.getRandomValues(new Uint8Array(48)));
        const res = await get(hs({ secret: bytes }), `Bearer ${await signLikePeers(bytes, { foo: 'bar' })}`);
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      met('should work if Authorization header is capitalized (lambda environment)', async () => {
        const req = { headers: { Authorization: `Bearer ${await signLikePeers(secret, { foo: 'bar' })}` } };
        expect(await callWith(hs(), req)).toBeUndefined();
        expect((req as unknown as Request).auth?.claims['foo']).toBe('bar');
      });

      met('should work if no authorization header and credentials are not required', async () => {
        expect(await callWith(hs({ credentialsRequired: false }), { headers: {} })).toBeUndefined();
      });

      met('should not work if no authorization header', async () => {
        expect(await callWith(hs(), { headers: {} })).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401 });
      });

      met('should produce a stack trace that includes the failure reason', async () => {
        const error = (await callWith(hs({ secret: other }), { headers: { authorization: `Bearer ${await signLikePeers(secret, { foo: 'bar' })}` } })) as AuthError;
        expect(error.code).toBe('ERR_SIGNATURE_INVALID');
        expect(error.stack?.startsWith(`AuthError: ${error.message}`)).toBe(true);
      });

      met('should work with a custom getToken function', async () => {
        const app = appWith(hs({ getToken: (req) => req.query['token'] as string | undefined }));
        const res = await request(app).get('/').query({ token: await signLikePeers(secret, { foo: 'bar' }) });
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      met('should work with an async getToken function', async () => {
        const app = appWith(hs({ getToken: async (req) => req.query['token'] as string | undefined }));
        const res = await request(app).get('/').query({ token: await signLikePeers(secret, { foo: 'bar' }) });
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      differs('should work with a secretCallback function that accepts header argument', 'keys are looked up by the unverified iss alone, so the token must name one', async () => {
        const asked: unknown[] = [];
        const options = hs({ secret: (_req, token) => (asked.push(token), secret) });
        expect((await get(options, `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).body.code).toBe('ERR_ISSUER_INVALID');
        const res = await get(options, `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'a' })}`);
        expect([res.status, res.body.claims.foo, asked]).toEqual([200, 'bar', [{ header: {}, payload: { iss: 'a' } }]]);
      });
    });
  });

  group('multitenancy.test.ts', () => {
    group('multitenancy', () => {
      const tenants: Record<string, string> = { a: randomSecret(32) };
      const callback: ExpressJwtOptions['secret'] = (_req, token) => {
        const found = tenants[token.payload['iss'] as string];
        if (found === undefined) throw new Error('Could not find secret for issuer.');
        return found;
      };

      met('should retrieve secret using callback', async () => {
        const res = await get(hs({ secret: callback }), `Bearer ${await signLikePeers(tenants['a'] as string, { foo: 'bar', iss: 'a' })}`);
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      met('should throw if an error ocurred when retrieving the token', async () => {
        const errors: unknown[] = [];
        const res = await get(hs({ secret: callback }), `Bearer ${await signLikePeers(secret, { foo: 'bar', iss: 'inexistent' })}`, errors);
        // A key lookup that fails is not the client's fault: 503, the callback's error as the cause.
        expect([res.status, res.body.code]).toEqual([503, 'ERR_KEYS_UNAVAILABLE']);
        expect((errors[0] as AuthError).cause).toMatchObject({ message: 'Could not find secret for issuer.' });
      });

      met('should fail if token is revoked', async () => {
        const res = await get(hs({ secret: callback, isRevoked: async () => true }), `Bearer ${await signLikePeers(tenants['a'] as string, { foo: 'bar', iss: 'a' })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_REVOKED']);
      });
    });
  });

  group('revocation.test.ts', () => {
    group('revoked jwts', () => {
      const revokedId = '1234';
      const options = hs({ isRevoked: async (_req, token) => token.payload['jti'] === revokedId });

      met('should throw if token is revoked', async () => {
        const res = await get(options, `Bearer ${await signLikePeers(secret, { jti: revokedId, foo: 'bar' })}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_REVOKED']);
        expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      });

      met('should work if token is not revoked', async () => {
        const res = await get(options, `Bearer ${await signLikePeers(secret, { jti: '1233', foo: 'bar' })}`);
        expect([res.status, res.body.claims.foo]).toEqual([200, 'bar']);
      });

      met('should throw if error occurs checking if token is revoked', async () => {
        const errors: unknown[] = [];
        const failing = hs({ isRevoked: async () => { throw new Error('An error ocurred'); } });
        const res = await get(failing, `Bearer ${await signLikePeers(secret, { jti: revokedId, foo: 'bar' })}`, errors);
        // Never an accept; a check that cannot answer is a 503, with its error as the cause.
        expect([res.status, res.body.code]).toEqual([503, 'ERR_REVOCATION_UNAVAILABLE']);
        expect((errors[0] as AuthError).cause).toMatchObject({ message: 'An error ocurred' });
      });
    });
  });

  group('string_token.test.ts', () => {
    group('string tokens', () => {
      differs('should work with a valid string token', 'a JWT payload is a JSON object (RFC 7519 §7.2)', async () => {
        // What jsonwebtoken signs for jwt.sign('foo', secret).
        const token = await hmacRaw(secret, '{"alg":"HS256","typ":"JWT"}', '"foo"');
        const res = await get(hs(), `Bearer ${token}`);
        expect([res.status, res.body.code]).toEqual([401, 'ERR_TOKEN_MALFORMED']);
      });
    });
  });

  group('UnauthorizedError.test.ts', () => {
    group('Unauthorized Error', () => {
      const error = new AuthError('ERR_INVALID_REQUEST', { cause: new Error('a') });

      met('should be an instance of UnauthorizedError', () => {
        expect(error).toBeInstanceOf(AuthError);
        expect(isAuthError(error)).toBe(true);
      });

      met('should contains the error code', () => {
        expect([error.code, error.status]).toEqual(['ERR_INVALID_REQUEST', 400]);
      });

      met('should contains the error message', () => {
        expect(error.message).toEqual(expect.any(String));
        expect((error.cause as Error).message).toBe('a');
      });
    });
  });
});

// What express-jwt does beyond what its tests check, as its README describes it.
peerSuite('express-jwt (README)', guide, ({ group, met, differs }) => {
  group('README', () => {
    differs('`secret` of any length', 'HMAC secrets shorter than the hash are refused at creation (RFC 7518 §3.2)', () => {
      expect(() => jwtAuth(fromExpressJwt(hs({ secret: 'shhhhhh' })))).toThrow(TypeError);
      expect(() => jwtAuth(fromExpressJwt(hs({ secret: 'x'.repeat(31) })))).toThrow(TypeError);
      expect(() => jwtAuth(fromExpressJwt(hs({ secret: 'x'.repeat(32) })))).not.toThrow();
    });

    met('tokens without `exp` are accepted (jsonwebtoken does not require it)', async () => {
      // The mapping sets requireExpiration: false; jwt-gate's default refuses them.
      expect((await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(200);
      const strict = express().get('/', jwtAuth({ secret, issuer: null, audience: null }), (_req, res) => res.end());
      const res = await request(strict).get('/').set('authorization', `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`);
      expect(res.status).toBe(401);
    });

    met('tokens without `iss` are accepted unless `issuer` is set', async () => {
      expect((await get(hs(), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).status).toBe(200);
      expect((await get(hs({ issuer: 'https://a' }), `Bearer ${await signLikePeers(secret, { foo: 'bar' })}`)).body.code).toBe('ERR_ISSUER_INVALID');
    });

    met('failures go to next(err), with a status, for an error handler', async () => {
      const errors: unknown[] = [];
      const res = await get(hs(), 'Bearer wrongjwt', errors);
      expect(res.status).toBe(401);
      expect(errors[0]).toMatchObject({ name: 'AuthError', status: 401, code: 'ERR_TOKEN_MALFORMED' });
    });

    differs('without an error handler of the app, Express answers an HTML page with err.status', "jwt-gate's default, errors: 'respond', answers the RFC 6750 response itself", async () => {
      const app = express().get('/', jwtAuth({ secret, issuer: null, audience: null, requireExpiration: false }), (_req, res) => res.end());
      const res = await request(app).get('/').set('authorization', 'Bearer wrongjwt');
      expect([res.status, res.headers['www-authenticate'], res.body.error]).toEqual([401, expect.stringMatching(/^Bearer realm="api", error="invalid_token"/), 'invalid_token']);
    });

    met('`secret: jwksRsa.expressJwtSecret({ jwksUri })` verifies RS256 tokens from a JWKS', async () => {
      const key = await createTestKey('RS256');
      const jwks = await startJwksServer({ keys: [key.publicJwk as never] });
      try {
        const app = express().get('/', jwtAuth({ jwksUri: jwks.jwksUri, issuer: 'https://auth.example.com/', audience: 'orders-api' }), (req, res) => res.json(req.auth?.claims));
        const token = await signToken(key, { iss: 'https://auth.example.com/', aud: 'orders-api', sub: 'alice' });
        const res = await request(app).get('/').set('authorization', `Bearer ${token}`);
        expect([res.status, res.body.sub]).toEqual([200, 'alice']);
        // The endpoint down before any key was fetched: 503, never a 401 or an accept.
        jwks.behaviour = { kind: 'status', status: 500 };
        const fresh = express().get('/', jwtAuth({ jwksUri: jwks.jwksUri, issuer: 'https://auth.example.com/', audience: 'orders-api' }), (_req, res) => res.end());
        expect((await request(fresh).get('/').set('authorization', `Bearer ${token}`)).status).toBe(503);
      } finally {
        await jwks.close();
      }
    });

    met('query-string tokens are read only by your own getToken', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      expect((await request(appWith(hs())).get('/').query({ token })).status).toBe(401);
      expect((await request(appWith(hs({ getToken: (req) => req.query['token'] as string }))).get('/').query({ token })).status).toBe(200);
    });

    differs('the decoded payload is `req.auth`', 'req.auth is { claims, header, issuer, token }', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      const req = { headers: { authorization: `Bearer ${token}` } } as unknown as Request;
      await callWith(hs(), req);
      expect(req.auth).toMatchObject({ claims: { foo: 'bar' }, header: { alg: 'HS256', typ: 'JWT' }, issuer: '', token });
    });

    differs('two Authorization headers: the first is used', 'refused with 400, so no proxy in front can disagree on which one counts', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      const target = await listenerTarget(appWith(hs()));
      try {
        const res = await target.request({ method: 'GET', path: '/', headers: [['authorization', `Bearer ${token}`], ['authorization', `Bearer ${token}`]] });
        expect([res.status, JSON.parse(res.text).code]).toEqual([400, 'ERR_MULTIPLE_TOKENS']);
      } finally {
        await target.close();
      }
    });

    differs('`Authorization: Bearer a b` (three parts) is a 401 credentials_bad_format', 'a malformed Bearer header is a 400 invalid_request (RFC 6750 §3.1)', async () => {
      const res = await get(hs(), 'Bearer a b');
      expect([res.status, res.body.code, res.headers['www-authenticate']]).toEqual([400, 'ERR_INVALID_REQUEST', expect.stringMatching(/error="invalid_request"/)]);
    });

    met('`getToken` is read instead of the Authorization header', async () => {
      const token = await signLikePeers(secret, { foo: 'bar' });
      const app = appWith(hs({ getToken: (req) => req.get('x-token') }));
      expect((await request(app).get('/').set('x-token', token).set('authorization', 'Basic YTpi')).status).toBe(200);
      expect((await request(app).get('/').set('authorization', `Bearer ${token}`)).status).toBe(401);
    });
  });
});
