import { createTestKey, signToken } from '@jwt-gate/testing';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('jwtAuth (Express)', async () => {
  const key = await createTestKey('HS256');
  let ran = 0;
  const app = express().get('/me', jwtAuth({ issuer, audience, secret: key.secret as string }), (req, res) => {
    ran++;
    res.json({ sub: req.auth?.claims.sub });
  });

  it('attaches the verified token on success', async () => {
    const res = await request(app).get('/me').set('authorization', `Bearer ${await signToken(key, { iss: issuer, aud: audience, sub: 'alice' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'alice' });
  });

  it('refuses an expired token with 401 invalid_token and does not run the handler', async () => {
    const before = ran;
    const res = await request(app).get('/me').set('authorization', `Bearer ${await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 })}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(ran).toBe(before);
  });
});
