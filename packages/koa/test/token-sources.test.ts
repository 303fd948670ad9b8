// Token sources beyond the Authorization header, on Koa: a cookie signed with app.keys, getToken
// over the Koa context, and the onError hook.

import Router from '@koa/router';
import { createTestKey, signToken } from '@jwt-gate/testing';
import Koa, { type Context } from 'koa';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { jwtAuth, requireRoles } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('token sources (Koa)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice', roles: ['admin'] });

  it('reads a cookie signed with app.keys; a tampered one is never taken', async () => {
    const app = new Koa();
    app.keys = ['a-koa-signing-key'];
    const router = new Router()
      .get('/login', (ctx) => {
        ctx.cookies.set('at', alice, { signed: true });
        ctx.body = 'ok';
      })
      .get('/me', jwtAuth({ ...options, cookie: { name: 'at', signed: true } }), (ctx) => {
        ctx.body = { sub: ctx.state.auth.claims.sub };
      });
    app.use(router.routes());
    const login = await request(app.callback()).get('/login');
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map((line) => line.split(';')[0]).join('; ');
    const ok = await request(app.callback()).get('/me').set('cookie', cookies);
    expect(ok.body).toEqual({ sub: 'alice' });
    const forged = cookies.replace(/at\.sig=[^;]+/, 'at.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await request(app.callback()).get('/me').set('cookie', forged)).status).toBe(401);
    expect(() => jwtAuth({ ...options, cookie: { name: 'at', signed: 'secret' } })).toThrow(TypeError);
  });

  it('answers a signed cookie without app.keys with 500', async () => {
    const app = new Koa().use(jwtAuth({ ...options, cookie: { name: 'at', signed: true } }));
    app.silent = true;
    const res = await request(app.callback()).get('/').set('cookie', 'at=x');
    expect(res.status).toBe(500);
  });

  it('takes the token from getToken over the Koa context, sync or async', async () => {
    for (const getToken of [(ctx: Context) => ctx.get('x-token') || undefined, async (ctx: Context) => ctx.get('x-token') || undefined]) {
      const app = new Koa().use(jwtAuth({ ...options, getToken })).use((ctx) => {
        ctx.body = { sub: ctx.state.auth.claims.sub };
      });
      expect((await request(app.callback()).get('/').set('x-token', alice)).body).toEqual({ sub: 'alice' });
      expect((await request(app.callback()).get('/').set('x-token', alice).set('authorization', `Bearer ${alice}`)).status).toBe(400);
    }
  });

  it('calls onError with each refusal of the middleware and its guards, the Koa context beside it', async () => {
    const seen: [string, string][] = [];
    const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob', roles: ['user'] });
    const app = new Koa()
      .use(jwtAuth({ ...options, onError: (error, ctx) => seen.push([error.code, ctx.path]) }))
      .use(requireRoles('admin'))
      .use((ctx) => void (ctx.body = 'ok'));
    await request(app.callback()).get('/admin');
    await request(app.callback()).get('/admin').set('authorization', `Bearer ${bob}`);
    await request(app.callback()).get('/admin').set('authorization', `Bearer ${alice}`);
    expect(seen).toEqual([
      ['ERR_TOKEN_MISSING', '/admin'],
      ['ERR_INSUFFICIENT_SCOPE', '/admin'],
    ]);
  });
});
