import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isAuthError, jwtAuth, jwtGate, requireRoles, type AuthErrorCode, type JWK } from '../src/index.js';
import { closeApps, send } from './targets.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('the jwtGate plugin', async () => {
  afterEach(closeApps);
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });
  const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function app(register: (instance: FastifyInstance) => Promise<void> | void): Promise<FastifyInstance> {
    const instance = Fastify();
    await register(instance);
    await instance.ready();
    return instance;
  }

  it('authenticates every route of its scope; config.jwtGate opens a route or makes it optional', async () => {
    const ran: string[] = [];
    const server = await app(async (instance) => {
      await instance.register(jwtGate, options);
      instance.get('/me', (request) => (ran.push('me'), { sub: request.auth?.claims.sub }));
      instance.get('/health', { config: { jwtGate: false } }, (request) => (ran.push('health'), { auth: request.auth }));
      instance.get('/hello', { config: { jwtGate: { optional: true } } }, (request) => (ran.push('hello'), { sub: request.auth?.claims.sub ?? null }));
    });
    expect((await send(server, { url: '/me', headers: bearer(alice) })).json()).toEqual({ sub: 'alice' });
    const missing = await send(server, '/me');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect((await send(server, '/health')).json()).toEqual({ auth: null });
    expect((await send(server, { url: '/health', headers: bearer('not-even-a-token') })).statusCode).toBe(200);
    expect((await send(server, '/hello')).json()).toEqual({ sub: null });
    expect((await send(server, { url: '/hello', headers: bearer(bob) })).json()).toEqual({ sub: 'bob' });
    expect((await send(server, { url: '/hello', headers: bearer('garbage') })).statusCode).toBe(401);
    expect(ran).toEqual(['me', 'health', 'health', 'hello', 'hello']);
  });

  it('takes optional: true for the scope, and { optional: false } on a route', async () => {
    const server = await app(async (instance) => {
      await instance.register(jwtGate, { ...options, optional: true });
      instance.get('/hello', (request) => ({ sub: request.auth?.claims.sub ?? null }));
      instance.get('/me', { config: { jwtGate: { optional: false } } }, (request) => ({ sub: request.auth?.claims.sub }));
    });
    expect((await send(server, '/hello')).json()).toEqual({ sub: null });
    expect((await send(server, '/me')).statusCode).toBe(401);
    expect((await send(server, { url: '/me', headers: bearer(bob) })).json()).toEqual({ sub: 'bob' });
  });

  it('stays in the encapsulated plugin it is registered in, and guards its routes in preHandler', async () => {
    const server = await app((instance) => {
      instance.register(async (api) => {
        await api.register(jwtGate, options);
        api.get('/admin', { preHandler: requireRoles('admin') }, (request) => ({ sub: request.auth?.claims.sub }));
      }, { prefix: '/api' });
      // Outside the plugin's scope nothing is authenticated, and request.auth is not even declared.
      instance.get('/open', (request) => ({ declared: request.auth !== undefined }));
    });
    expect((await send(server, { url: '/api/admin', headers: bearer(alice) })).json()).toEqual({ sub: 'alice' });
    const denied = await send(server, { url: '/api/admin', headers: bearer(bob) });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"');
    expect((await send(server, '/api/admin')).statusCode).toBe(401);
    expect((await send(server, { url: '/open', headers: bearer('garbage') })).json()).toEqual({ declared: false });
    expect((await send(server, '/api/nowhere')).statusCode).toBe(404);
  });

  it('on the app itself, also authenticates requests that match no route', async () => {
    const server = await app(async (instance) => {
      await instance.register(jwtGate, options);
      instance.get('/me', () => ({}));
    });
    expect((await send(server, '/nowhere')).statusCode).toBe(401);
    expect((await send(server, { url: '/nowhere', headers: bearer(alice) })).statusCode).toBe(404);
  });

  it("errors: 'next' hands refusals of the plugin and its guards to the scope's setErrorHandler; onError sees each", async () => {
    const seen: AuthErrorCode[] = [];
    const reported: [AuthErrorCode, string][] = [];
    const server = await app(async (instance) => {
      instance.setErrorHandler((error, _request, reply) => {
        if (!isAuthError(error)) return reply.code(500).send({ error: 'unexpected' });
        seen.push(error.code);
        return reply.code(error.status).headers(error.headers).send(error.body);
      });
      await instance.register(jwtGate, { ...options, errors: 'next', onError: (error, request) => reported.push([error.code, request.url]) });
      instance.get('/admin', { preHandler: requireRoles('admin') }, () => ({}));
    });
    expect((await send(server, '/admin')).statusCode).toBe(401);
    expect((await send(server, { url: '/admin', headers: bearer(bob) })).statusCode).toBe(403);
    expect((await send(server, { url: '/admin', headers: bearer(alice) })).statusCode).toBe(200);
    expect(seen).toEqual(['ERR_TOKEN_MISSING', 'ERR_INSUFFICIENT_SCOPE']);
    expect(reported).toEqual([
      ['ERR_TOKEN_MISSING', '/admin'],
      ['ERR_INSUFFICIENT_SCOPE', '/admin'],
    ]);
  });

  it('shares one verifier between required and optional routes: the remote key set is fetched once', async () => {
    const keys = await startJwksServer();
    try {
      const es = await createTestKey('ES256');
      keys.keys = [es.publicJwk as JWK];
      const token = await signToken(es, { iss: keys.issuer, aud: audience, sub: 'erin' });
      const server = await app(async (instance) => {
        await instance.register(jwtGate, { issuer: keys.issuer, audience, jwksUri: keys.jwksUri });
        instance.get('/me', (request) => ({ sub: request.auth?.claims.sub }));
        instance.get('/hello', { config: { jwtGate: { optional: true } } }, (request) => ({ sub: request.auth?.claims.sub }));
      });
      expect((await send(server, { url: '/me', headers: bearer(token) })).json()).toEqual({ sub: 'erin' });
      expect((await send(server, { url: '/hello', headers: bearer(token) })).json()).toEqual({ sub: 'erin' });
      expect(keys.hits.get('/jwks.json')).toBe(1);
    } finally {
      await keys.close();
    }
  });

  it('refuses at start-up a config.jwtGate it does not know, and bad options', async () => {
    for (const config of [{ jwtGate: true }, { jwtGate: { optinal: true } }, { jwtGate: { optional: 'yes' } }, { jwtGate: null }]) {
      const instance = Fastify();
      await instance.register(jwtGate, options);
      expect(() => instance.get('/me', { config: config as never }, () => ({}))).toThrow(TypeError);
    }
    await expect(Fastify().register(jwtGate, { issuer, audience } as never)).rejects.toThrow(TypeError);
    await expect(Fastify().register(jwtGate, { ...options, cookie: { name: 'at', signed: 'a-secret' } })).rejects.toThrow(TypeError);
  });

  it('refuses at start-up a route guard on a route it leaves open, unless jwtAuth() comes first among its hooks', async () => {
    const instance = Fastify();
    await instance.register(jwtGate, options);
    let error: unknown;
    try {
      instance.get('/admin', { config: { jwtGate: false }, preHandler: requireRoles('admin') }, () => ({}));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    instance.get('/other-issuer', { config: { jwtGate: false }, onRequest: jwtAuth(options), preHandler: requireRoles('admin') }, () => ({}));
    await instance.ready();
    expect((await send(instance, { url: '/other-issuer', headers: bearer(alice) })).statusCode).toBe(200);
  });

  it('refuses, never passes, a route whose config.jwtGate no start-up check saw', async () => {
    const instance = Fastify();
    // Added before the plugin loads: the route check cannot see it, the request hook can.
    instance.register(jwtGate, options);
    instance.get('/odd', { config: { jwtGate: 'off' as never } }, () => ({}));
    const res = await send(instance, { url: '/odd', headers: bearer(alice) });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
  });
});
