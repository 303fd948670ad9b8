import { createTestKey, signToken } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('jwtAuth (Hono)', async () => {
  const key = await createTestKey('HS256');
  let ran = 0;
  const app = new Hono().get('/me', jwtAuth({ issuer, audience, secret: key.secret as string }), (c) => {
    ran++;
    return c.json({ sub: c.var.auth.claims.sub });
  });

  it('attaches the verified token on success', async () => {
    const res = await app.request('/me', { headers: { authorization: `Bearer ${await signToken(key, { iss: issuer, aud: audience, sub: 'alice' })}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'alice' });
  });

  it('refuses an expired token with the full RFC 6750 response, without running the handler', async () => {
    const before = ran;
    const res = await app.request('/me', { headers: { authorization: `Bearer ${await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 })}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(ran).toBe(before);
  });
});
