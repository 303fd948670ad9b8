import { createTestKey, signToken } from '@jwt-gate/testing';
import express, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import { createServer, IncomingMessage } from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { getAuth, isAuthError, jwtAuth, type AuthError, type AuthErrorCode, type Verifier } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const expiredChallenge = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';

describe('jwtAuth (Express)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const valid = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });

  for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
    describe(name, () => {
      it('attaches the verified token on success', async () => {
        let ran = 0;
        const app = framework().get('/me', jwtAuth(options), (req, res) => {
          ran++;
          res.json({ sub: req.auth?.claims.sub, token: getAuth(req).token });
        });
        const res = await request(app).get('/me').set('authorization', `Bearer ${valid}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ sub: 'alice', token: valid });
        expect(ran).toBe(1);
      });

      it('answers a refused HEAD request with the status, challenge, type and length of the GET answer, and no body', async () => {
        const app = framework().get('/me', jwtAuth(options), (_req, res) => res.end());
        const get = await request(app).get('/me').set('authorization', `Bearer ${expired}`);
        const head = await request(app).head('/me').set('authorization', `Bearer ${expired}`);
        expect(get.status).toBe(401);
        expect(get.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(Number(get.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(get.body)));
        for (const name of ['www-authenticate', 'content-type', 'content-length']) expect(head.headers[name], name).toBe(get.headers[name]);
        expect(head.status).toBe(401);
        expect(head.text ?? '').toBe('');
      });

      it('answers a failure itself when the app has no error handler, without running the handler', async () => {
        let ran = 0;
        const app = framework().get('/me', jwtAuth(options), (_req, res) => {
          ran++;
          res.end();
        });
        const res = await request(app).get('/me').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
        expect(ran).toBe(0);
      });

      it("errors: 'next' hands a failure to the app's error handler, also one on a parent app", async () => {
        const seen: AuthErrorCode[] = [];
        const handler = (error: unknown, _req: Request, res: Response, next: NextFunction) => {
          if (!isAuthError(error)) return next(error);
          seen.push(error.code);
          res.status(error.status).set(error.headers).json({ handled: true });
        };
        const api = framework().get('/me', jwtAuth({ ...options, errors: 'next' }), (_req, res) => res.end());
        const app = framework().use('/api', api).use(handler);
        const res = await request(app).get('/api/me').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.body).toEqual({ handled: true });
        expect(seen).toEqual(['ERR_TOKEN_EXPIRED']);
      });

      it("errors: 'next' reaches an error handler inside a router", async () => {
        const router = framework.Router().get('/me', jwtAuth({ ...options, errors: 'next' }), (_req, res) => res.end());
        router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => void res.status(418).json({ handled: isAuthError(error) }));
        const res = await request(framework().use(router)).get('/me');
        expect(res.status).toBe(418);
        expect(res.body).toEqual({ handled: true });
      });

      it("errors: 'next' always calls next(error): Express's final handler keeps status and challenge", async () => {
        let ran = 0;
        const app = framework().get('/me', jwtAuth({ ...options, errors: 'next' }), () => void ran++);
        app.set('env', 'test');
        const res = await request(app).get('/me').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(ran).toBe(0);
      });

      it('answers itself by default, so a catch-all error handler never turns a 401 into a 500', async () => {
        let handled = 0;
        const app = framework()
          .get('/me', jwtAuth(options), (_req, res) => res.end())
          .use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => void (handled++, res.status(500).end()));
        const res = await request(app).get('/me');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(res.body).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
        expect(handled).toBe(0);
      });

      it('keeps req.auth a plain property: set by jwtAuth, overwritten by the app, replaced by a later jwtAuth', async () => {
        const seen: unknown[] = [];
        const other = await signToken(key, { iss: issuer, aud: audience, sub: 'bob' });
        const app = framework()
          .get('/me', jwtAuth(options), (req, res) => {
            seen.push(req.auth?.claims.sub, Object.hasOwn(req, 'auth'));
            req.auth = { ...req.auth!, claims: { sub: 'changed' } };
            res.json({ sub: req.auth.claims.sub, own: Object.keys(req).includes('auth') });
          })
          .get(
            '/earlier',
            (req, _res, next) => {
              req.auth = { claims: { sub: 'set earlier' } } as never;
              next();
            },
            jwtAuth(options),
            (req, res) => res.json({ sub: req.auth?.claims.sub }),
          )
          .get('/anonymous', jwtAuth({ ...options, optional: true }), (req, res) => res.json({ auth: req.auth === undefined }))
          .get('/open', (req, res) => res.json({ auth: req.auth === undefined }));
        const me = await request(app).get('/me').set('authorization', `Bearer ${valid}`);
        expect(me.body).toEqual({ sub: 'changed', own: true });
        expect(seen).toEqual(['alice', true]);
        expect((await request(app).get('/earlier').set('authorization', `Bearer ${other}`)).body).toEqual({ sub: 'bob' });
        expect((await request(app).get('/anonymous')).body).toEqual({ auth: true });
        // One request's result never shows on another's req.
        expect((await request(app).get('/open')).body).toEqual({ auth: true });
        expect((await request(app).get('/me').set('authorization', `Bearer ${other}`)).body).toEqual({ sub: 'changed', own: true });
        expect(seen).toEqual(['alice', true, 'bob', true]);
      });

      it('passes an unexpected failure (not an AuthError) to next, never answering 401', async () => {
        const broken: Verifier = {
          verify: () => Promise.reject(new Error('store exploded')),
          ready: () => Promise.resolve(),
          realm: 'api',
          issuers: [issuer],
          exportCache: () => ({}),
        };
        let ran = 0;
        const app = framework().get('/me', jwtAuth({ verifier: broken }), () => void ran++);
        app.set('env', 'test');
        const res = await request(app).get('/me').set('authorization', `Bearer ${valid}`);
        expect(res.status).toBe(500);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(ran).toBe(0);
      });
    });
  }

  it('getAuth throws ERR_TOKEN_MISSING on an anonymous request and ERR_CONFIG_INVALID without jwtAuth', async () => {
    const codes: string[] = [];
    const tryGetAuth = (req: Request, res: Response) => {
      try {
        getAuth(req);
      } catch (error) {
        codes.push((error as AuthError).code);
      }
      res.end();
    };
    const app = express()
      .get('/anonymous', jwtAuth({ ...options, optional: true, realm: 'orders' }), tryGetAuth)
      .get('/unprotected', tryGetAuth);
    await request(app).get('/anonymous');
    await request(app).get('/unprotected');
    expect(codes).toEqual(['ERR_TOKEN_MISSING', 'ERR_CONFIG_INVALID']);
  });

  it("sets req.auth as a property on a request Express did not build, and never touches Node's own classes", async () => {
    const middleware = jwtAuth(options);
    const server = createServer((req, res) => {
      middleware(req as Request, res as Response, () => {
        const auth = (req as Request).auth;
        res.end(JSON.stringify({ sub: auth?.claims.sub, own: Object.hasOwn(req, 'auth') }));
      });
    });
    const res = await request(server).get('/').set('authorization', `Bearer ${valid}`);
    expect(JSON.parse(res.text)).toEqual({ sub: 'alice', own: true });
    expect(Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'auth')).toBeUndefined();
  });

  it('refuses a wrong errors option at creation', () => {
    expect(() => jwtAuth({ ...options, errors: 'throw' as 'next' })).toThrow(TypeError);
  });
});
