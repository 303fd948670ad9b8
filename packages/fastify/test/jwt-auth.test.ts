import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { getAuth, isAuthError, jwtAuth, type AuthErrorCode } from '../src/index.js';
import { closeApps, send } from './targets.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const expiredChallenge = 'Bearer realm="api", error="invalid_token", error_description="The access token expired"';

describe('jwtAuth (Fastify route hook)', async () => {
  afterEach(closeApps);
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const valid = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const expired = await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('attaches the verified token on success, as onRequest or preHandler', async () => {
    const ran: string[] = [];
    const auth = jwtAuth<{ sub: string }>(options);
    const app = Fastify()
      .get('/on-request', { onRequest: auth }, (request) => (ran.push('on-request'), { sub: request.auth?.claims.sub, token: request.auth?.token }))
      .get('/pre-handler', { preHandler: auth }, (request) => (ran.push('pre-handler'), { sub: auth.getAuth(request).claims.sub, token: getAuth(request).token }));
    for (const url of ['/on-request', '/pre-handler']) {
      const res = await send(app, { url, headers: bearer(valid) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ sub: 'alice', token: valid });
    }
    expect(ran).toEqual(['on-request', 'pre-handler']);
  });

  it('refuses with the full RFC 6750 response, without running the handler', async () => {
    let ran = 0;
    const app = Fastify().get('/me', { onRequest: jwtAuth(options) }, () => (ran++, {}));
    const res = await send(app, { url: '/me', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(expiredChallenge);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(ran).toBe(0);
  });

  it('refuses in onRequest before the body is read: a request without a token never reaches the parser', async () => {
    let ran = 0;
    const app = Fastify().post('/orders', { onRequest: jwtAuth(options) }, () => (ran++, {}));
    const res = await send(app, { method: 'POST', url: '/orders', headers: { 'content-type': 'application/json' }, payload: '{"broken' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(ran).toBe(0);
  });

  it("errors: 'next' hands the AuthError to setErrorHandler", async () => {
    const seen: AuthErrorCode[] = [];
    const app = Fastify().get('/me', { onRequest: jwtAuth({ ...options, errors: 'next' }) }, () => ({}));
    app.setErrorHandler((error, _request, reply) => {
      if (!isAuthError(error)) return reply.code(500).send({ error: 'unexpected' });
      seen.push(error.code);
      return reply.code(error.status).headers(error.headers).send(error.body);
    });
    const res = await send(app, { url: '/me', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(expiredChallenge);
    expect(seen).toEqual(['ERR_TOKEN_EXPIRED']);
  });

  it("errors: 'next' under Fastify's default error handler keeps the status and the challenge", async () => {
    const app = Fastify().get('/me', { onRequest: jwtAuth({ ...options, errors: 'next' }) }, () => ({}));
    const res = await send(app, { url: '/me', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(expiredChallenge);
    expect(res.json()).toMatchObject({ statusCode: 401, code: 'ERR_TOKEN_EXPIRED' });
    expect(res.body).not.toContain(expired.split('.')[1]);
  });

  it('answers itself by default, so a catch-all setErrorHandler never turns a 401 into a 500', async () => {
    let caught = 0;
    const app = Fastify().get('/me', { onRequest: jwtAuth(options) }, () => ({}));
    app.setErrorHandler((_error, _request, reply) => (caught++, reply.code(500).send('oops')));
    const res = await send(app, { url: '/me', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(expiredChallenge);
    expect(caught).toBe(0);
  });

  it('authenticates a whole scope through addHook, leaving sibling scopes alone', async () => {
    const app = Fastify();
    app.register(async (api) => {
      api.addHook('onRequest', jwtAuth(options));
      api.get('/api/me', (request) => ({ sub: request.auth?.claims.sub }));
    });
    app.get('/health', () => ({ status: 'ok' }));
    expect((await send(app, { url: '/api/me', headers: bearer(valid) })).json()).toEqual({ sub: 'alice' });
    expect((await send(app, '/api/me')).statusCode).toBe(401);
    expect((await send(app, '/health')).statusCode).toBe(200);
  });

  it('answers 503 without a challenge when keys are unavailable', async () => {
    const keys = await startJwksServer();
    keys.behaviour = { kind: 'status', status: 500 };
    try {
      const es = await createTestKey('ES256');
      const app = Fastify().get('/me', { onRequest: jwtAuth({ issuer: keys.issuer, audience, jwksUri: keys.jwksUri }) }, () => ({}));
      const res = await send(app, { url: '/me', headers: bearer(await signToken(es, { iss: keys.issuer, aud: audience })) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(res.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    } finally {
      await keys.close();
    }
  });

  it('getAuth refuses with 500 ERR_CONFIG_INVALID where no hook authenticated the request', async () => {
    const app = Fastify().get('/me', (request) => getAuth(request).claims);
    const res = await send(app, { url: '/me', headers: bearer(valid) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });

  it('refuses bad options when created', () => {
    expect(() => jwtAuth({ issuer, audience } as never)).toThrow(TypeError);
    expect(() => jwtAuth({ ...options, credentialsRequired: false } as never)).toThrow(TypeError);
  });
});
