import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import Koa from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { isAuthError, jwtAuth, type AuthError } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const expiredChallenge = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';

describe('jwtAuth (Koa)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const valid = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });

  for (const [name, Framework] of [['Koa 3', Koa], ['Koa 2', Koa2]] as const) {
    describe(name, () => {
      it('attaches the verified token on success', async () => {
        let ran = 0;
        const app = new Framework().use(jwtAuth(options)).use((ctx) => {
          ran++;
          ctx.body = { sub: ctx.state.auth.claims.sub, token: ctx.state.auth.token };
        });
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${valid}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ sub: 'alice', token: valid });
        expect(ran).toBe(1);
      });

      it('verifies the Authorization an earlier middleware wrote into ctx.request.headers, through app.callback()', async () => {
        const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob' });
        let ran = 0;
        const app = new Framework()
          .use((ctx, next) => {
            // A gateway's header moved into Authorization, replacing the headers object.
            const forwarded = ctx.request.headers['x-forwarded-token'];
            if (typeof forwarded === 'string') ctx.request.headers = { ...ctx.request.headers, authorization: `Bearer ${forwarded}` };
            return next();
          })
          .use(jwtAuth(options))
          .use((ctx) => {
            ran++;
            ctx.body = { sub: ctx.state.auth.claims.sub };
          });
        const moved = await request(app.callback()).get('/').set('x-forwarded-token', bob).set('authorization', `Bearer ${expired}`);
        expect([moved.status, moved.body]).toEqual([200, { sub: 'bob' }]);
        const untouched = await request(app.callback()).get('/').set('authorization', `Bearer ${expired}`);
        expect([untouched.status, untouched.headers['www-authenticate']]).toEqual([401, expiredChallenge]);
        expect(ran).toBe(1);
      });

      it('answers a refusal itself by default: status, challenge, JSON body; the handler does not run', async () => {
        let ran = 0;
        let caught = 0;
        const app = new Framework()
          .use(async (ctx, next) => {
            try {
              await next();
            } catch {
              caught++;
              ctx.status = 500;
            }
          })
          .use(jwtAuth(options))
          .use(() => void ran++);
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
        expect([ran, caught]).toEqual([0, 0]);
      });

      it("errors: 'next' throws to Koa's default error handler: status, challenge, text body", async () => {
        let ran = 0;
        const app = new Framework().use(jwtAuth({ ...options, errors: 'next' })).use(() => void ran++);
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(ran).toBe(0);
      });

      it("errors: 'next' throws the AuthError itself, so an error middleware can read its code and JSON body", async () => {
        const seen: AuthError[] = [];
        const app = new Framework()
          .use(async (ctx, next) => {
            try {
              await next();
            } catch (error) {
              if (!isAuthError(error)) throw error;
              seen.push(error);
              ctx.set(error.headers);
              ctx.status = error.status;
              ctx.body = error.body;
            }
          })
          .use(jwtAuth({ ...options, errors: 'next' }));
        const res = await request(app.callback()).get('/').set('authorization', `Bearer ${expired}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(expiredChallenge);
        expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
        expect(seen.map((error) => [error.code, error.expose])).toEqual([['ERR_TOKEN_EXPIRED', true]]);
      });

      it('answers 503 without a challenge when keys are unavailable, and does not expose the message', async () => {
        const keys = await startJwksServer();
        keys.behaviour = { kind: 'status', status: 500 };
        try {
          const es = await createTestKey('ES256');
          const app = new Framework().use(jwtAuth({ issuer: keys.issuer, audience, jwksUri: keys.jwksUri }));
          app.silent = true;
          const token = await signToken(es, { iss: keys.issuer, aud: audience });
          const res = await request(app.callback()).get('/').set('authorization', `Bearer ${token}`);
          expect(res.status).toBe(503);
          expect(res.headers['www-authenticate']).toBeUndefined();
          expect(res.body).toEqual({ error: 'temporarily_unavailable', error_description: 'Verification keys are temporarily unavailable' });
        } finally {
          await keys.close();
        }
      });

      it('leaves ctx.state.auth unset for an anonymous request under optional authentication', async () => {
        const app = new Framework().use(jwtAuth({ ...options, optional: true })).use((ctx) => {
          ctx.body = { has: 'auth' in ctx.state };
        });
        expect((await request(app.callback()).get('/')).body).toEqual({ has: false });
      });
    });
  }
});
