// Token sources beyond the Authorization header, on Express: a cookie cookie-parser signed,
// getToken over the Express request, and the onError hook.

import { createTestKey, signToken } from '@jwt-gate/testing';
import cookieParser from 'cookie-parser';
import { sign } from 'cookie-signature';
import express, { type Request } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { getAuth, jwtAuth, requireRoles } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const cookieSecret = 'a-cookie-parser-secret';

describe('token sources (Express)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });

  it('reads a cookie cookie-parser signed, and refuses one whose signature failed as an invalid token', async () => {
    const app = express()
      .use(cookieParser(cookieSecret))
      .get('/me', jwtAuth({ ...options, cookie: { name: 'at', signed: true } }), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
    const signed = `s:${sign(alice, cookieSecret)}`;
    const ok = await request(app).get('/me').set('cookie', `at=${encodeURIComponent(signed)}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ sub: 'alice' });
    const tampered = await request(app).get('/me').set('cookie', `at=${encodeURIComponent(`s:${sign(alice, 'another-secret')}`)}`);
    expect(tampered.status).toBe(401);
    expect(tampered.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    // An unsigned cookie of that name is not a signed one.
    expect((await request(app).get('/me').set('cookie', `at=${alice}`)).status).toBe(401);
    // Both a signed cookie and a header: two transports.
    expect((await request(app).get('/me').set('cookie', `at=${encodeURIComponent(signed)}`).set('authorization', `Bearer ${alice}`)).status).toBe(400);
  });

  it('answers a signed cookie without cookie-parser in front with 500, and a secret option at creation with a TypeError', async () => {
    const app = express().get('/me', jwtAuth({ ...options, cookie: { name: 'at', signed: true } }), (_req, res) => res.end());
    const res = await request(app).get('/me');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'server_error', error_description: 'Authentication is misconfigured' });
    expect(() => jwtAuth({ ...options, cookie: { name: 'at', signed: 'secret' } })).toThrow(TypeError);
  });

  it('takes the token from getToken over the Express request, sync or async', async () => {
    for (const getToken of [(req: Request) => req.get('x-token'), async (req: Request) => req.get('x-token')]) {
      const app = express().get('/me', jwtAuth({ ...options, getToken }), (req, res) => res.json({ sub: req.auth?.claims.sub }));
      expect((await request(app).get('/me').set('x-token', alice)).body).toEqual({ sub: 'alice' });
      expect((await request(app).get('/me').set('x-token', alice).set('authorization', `Bearer ${alice}`)).status).toBe(400);
    }
  });

  it('calls onError with each refusal of the middleware and its guards, the Express request beside it', async () => {
    const seen: [string, string][] = [];
    const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });
    const auth = jwtAuth({ ...options, onError: (error, req) => seen.push([error.code, req.path]) });
    const app = express().get('/admin', auth, requireRoles('admin'), (_req, res) => res.end());
    await request(app).get('/admin');
    await request(app).get('/admin').set('authorization', `Bearer ${bob}`);
    await request(app).get('/admin').set('authorization', `Bearer ${alice}`);
    expect(seen).toEqual([
      ['ERR_TOKEN_MISSING', '/admin'],
      ['ERR_INSUFFICIENT_SCOPE', '/admin'],
    ]);
  });
});
