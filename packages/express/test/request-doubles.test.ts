// Requests Express did not build: serverless-http (AWS Lambda, which fills `headers` and leaves
// `rawHeaders` empty), node-mocks-http, and plain `{ headers }` objects, beside a real request
// through supertest. The adapter reads `req.headers`, so each is authenticated as a real request
// would be.

import { createTestKey, signToken } from '@jwt-gate/testing';
import express, { type NextFunction, type Request, type Response } from 'express';
import httpMocks from 'node-mocks-http';
import serverless from 'serverless-http';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { getAuth, jwtAuth, requireRoles, type AuthError } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('requests Express did not build', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });
  const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });

  it('behind serverless-http (API Gateway events): a valid token passes, others get the RFC 6750 answer', async () => {
    const app = express().get('/me', jwtAuth(options), requireRoles('admin'), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
    const handler = serverless(app);
    const event = (headers: Record<string, string>) => ({
      httpMethod: 'GET',
      path: '/me',
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      queryStringParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { identity: { sourceIp: '203.0.113.7' } },
    });
    const ok = (await handler(event({ Authorization: `Bearer ${alice}` }), {})) as { statusCode: number; body: string };
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ sub: 'alice' });
    const denied = (await handler(event({ Authorization: `Bearer ${bob}` }), {})) as { statusCode: number; headers: Record<string, string> };
    expect(denied.statusCode).toBe(403);
    const missing = (await handler(event({}), {})) as { statusCode: number; headers: Record<string, string> };
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('over real HTTP with supertest, as the doubles below stand in for: claims on success, 403 and 401 answered', async () => {
    const app = express().get('/me', jwtAuth(options), requireRoles('admin'), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
    const ok = await request(app).get('/me').set('authorization', `Bearer ${alice}`);
    expect([ok.status, ok.body]).toEqual([200, { sub: 'alice' }]);
    expect((await request(app).get('/me').set('authorization', `Bearer ${bob}`)).status).toBe(403);
    const missing = await request(app).get('/me');
    expect([missing.status, missing.headers['www-authenticate']]).toEqual([401, 'Bearer realm="api"']);
  });

  it('with node-mocks-http: sets req.auth and getAuth, and answers refusals on the mock response', async () => {
    const middleware = jwtAuth(options);
    const req = httpMocks.createRequest({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${alice}` } });
    const res = httpMocks.createResponse();
    await new Promise<void>((resolve) => middleware(req as unknown as Request, res as unknown as Response, () => resolve()));
    expect(req.auth?.claims.sub).toBe('alice');
    expect(middleware.getAuth(req as unknown as Request).claims.sub).toBe('alice');

    const refused = httpMocks.createResponse();
    middleware(httpMocks.createRequest({ headers: { authorization: 'Bearer not.a.token' } }) as unknown as Request, refused as unknown as Response, () => undefined);
    await vi.waitFor(() => expect(refused._isEndCalled()).toBe(true));
    expect(refused.statusCode).toBe(401);
    expect(refused._getJSONData()).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
  });

  it('with a plain { headers } object: authenticated, and a request without headers is a clear configuration error', async () => {
    const middleware = jwtAuth({ ...options, errors: 'next' });
    const run = (req: object) => new Promise<unknown>((resolve) => middleware(req as Request, {} as Response, ((error?: unknown) => resolve(error)) as NextFunction));
    const req = { headers: { authorization: `Bearer ${alice}` } };
    expect(await run(req)).toBeUndefined();
    expect((req as Request).auth?.claims.sub).toBe('alice');
    // Names in any letter case, as a Lambda event's headers have them; the same header twice is refused.
    const event = { headers: { Authorization: `Bearer ${bob}` } };
    expect(await run(event)).toBeUndefined();
    expect((event as unknown as Request).auth?.claims.sub).toBe('bob');
    expect(await run({ headers: { authorization: `Bearer ${alice}`, Authorization: `Bearer ${bob}` } })).toMatchObject({ code: 'ERR_MULTIPLE_TOKENS', status: 400 });
    expect(await run({ headers: {} })).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401 });
    const error = (await run({ url: '/me' })) as AuthError;
    expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    expect(error.message).toMatch(/headers/);
  });
});
