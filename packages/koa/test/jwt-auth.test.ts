import { createTestKey, signToken } from '@jwt-gate/testing';
import Koa from 'koa';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { jwtAuth } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('jwtAuth (Koa)', async () => {
  const key = await createTestKey('HS256');
  let ran = 0;
  const app = new Koa().use(jwtAuth({ issuer, audience, secret: key.secret as string })).use((ctx) => {
    ran++;
    ctx.body = { sub: ctx.state.auth.claims.sub };
  });
  const server = app.callback();

  it('attaches the verified token on success', async () => {
    const res = await request(server).get('/').set('authorization', `Bearer ${await signToken(key, { iss: issuer, aud: audience, sub: 'alice' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'alice' });
  });

  it("refuses an expired token through Koa's default error handler, without running the handler", async () => {
    const before = ran;
    const res = await request(server).get('/').set('authorization', `Bearer ${await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 })}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token expired"');
    expect(ran).toBe(before);
  });
});
