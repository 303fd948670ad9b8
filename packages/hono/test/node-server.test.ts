import { serve } from '@hono/node-server';
import { createTestKey, rawRequest, signToken } from '@jwt-gate/testing';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterAll, describe, expect, it } from 'vitest';
import { isAuthError, jwtAuth, type AuthErrorCode, type AuthVariables } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

// On @hono/node-server, Authorization is read from the Node message's raw lines while c.req.raw
// is still the request node-server built for it and its Headers object was never taken; any
// other request is read through c.req.raw.headers. These tests hold both ways to the same answers.
describe('jwtAuth on @hono/node-server: which Authorization it reads', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const bob = await signToken(key, { iss: issuer, aud: audience, sub: 'bob' });
  const closers: (() => void)[] = [];
  afterAll(() => closers.forEach((close) => close()));

  const listen = (app: Hono) =>
    new Promise<string>((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
      closers.push(() => server.close());
    });

  /** The app with its error codes in the body, so a refusal says which it was. */
  const withCodes = (app: Hono) =>
    app.onError((error, c) => {
      if (error instanceof HTTPException && isAuthError(error.cause)) return c.json({ code: error.cause.code satisfies AuthErrorCode }, error.status);
      return c.json({ code: 'unexpected' }, 500);
    });

  const sub = (c: Context<{ Variables: AuthVariables }>) => c.json({ sub: c.var.auth.claims.sub });

  /** Each request three times: the first one a process sees may teach the shape, the later ones use it. */
  const thrice = async (url: string, headers: [string, string][]) => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(url, { headers });
      answers.push({ status: res.status, body: res.json() });
    }
    return answers;
  };

  it('reads the raw lines, without building Headers, on a route that never touched them', async () => {
    const auth = jwtAuth(options);
    const app = new Hono();
    let headerObjectsBuilt = 0;
    // Counts node-server's lazy Headers, once the first request has shown its prototype.
    app.use('*', async (c, next) => {
      const proto = Object.getPrototypeOf(c.req.raw) as object;
      const getter = Object.getOwnPropertyDescriptor(proto, 'headers')?.get;
      if (getter !== undefined && !('counted' in getter)) {
        const counted = Object.assign(function (this: Request) {
          headerObjectsBuilt++;
          return getter.call(this) as Headers;
        }, { counted: true });
        Object.defineProperty(proto, 'headers', { get: counted, configurable: true });
      }
      await next();
    });
    app.get('/wrapped', auth.wrap(sub));
    app.get('/middleware', auth, sub);
    const url = await listen(withCodes(app));
    await rawRequest(`${url}/wrapped`, { headers: [['Authorization', `Bearer ${alice}`]] });
    headerObjectsBuilt = 0;
    for (const path of ['/wrapped', '/middleware']) {
      expect(await thrice(`${url}${path}`, [['Authorization', `Bearer ${alice}`]])).toEqual(Array(3).fill({ status: 200, body: { sub: 'alice' } }));
    }
    expect(headerObjectsBuilt).toBe(0);
  });

  it('refuses repeated Authorization lines, read either way', async () => {
    const app = withCodes(new Hono());
    app.get('/wrapped', jwtAuth(options).wrap(sub));
    app.get('/read-first', (c, next) => (c.req.header('accept'), next()), jwtAuth(options), sub);
    const url = await listen(app);
    for (const path of ['/wrapped', '/read-first']) {
      for (const lines of [
        [['Authorization', `Bearer ${alice}`], ['Authorization', `Bearer ${bob}`]],
        [['Authorization', `Bearer ${alice}`], ['AUTHORIZATION', `Bearer ${alice}`]],
      ] as [string, string][][]) {
        expect(await thrice(`${url}${path}`, lines)).toEqual(Array(3).fill({ status: 400, body: { code: 'ERR_MULTIPLE_TOKENS' } }));
      }
      expect(await thrice(`${url}${path}`, [['authorization', `Bearer ${bob}`]])).toEqual(Array(3).fill({ status: 200, body: { sub: 'bob' } }));
    }
  });

  it('follows a middleware that removed or replaced Authorization on c.req.raw.headers', async () => {
    const app = withCodes(new Hono());
    app.use('/removed', async (c, next) => {
      c.req.raw.headers.delete('authorization');
      await next();
    });
    app.use('/replaced', async (c, next) => {
      c.req.raw.headers.set('authorization', `Bearer ${bob}`);
      await next();
    });
    app.get('/removed', jwtAuth(options), sub);
    app.get('/replaced', jwtAuth(options).wrap(sub));
    const url = await listen(app);
    expect(await thrice(`${url}/removed`, [['Authorization', `Bearer ${alice}`]])).toEqual(Array(3).fill({ status: 401, body: { code: 'ERR_TOKEN_MISSING' } }));
    expect(await thrice(`${url}/replaced`, [['Authorization', `Bearer ${alice}`]])).toEqual(Array(3).fill({ status: 200, body: { sub: 'bob' } }));
  });

  it('follows a new c.req.raw, and a request dispatched again with the same c.env', async () => {
    const inner = withCodes(new Hono());
    inner.get('/inner', jwtAuth(options).wrap(sub));
    const app = withCodes(new Hono());
    app.use('/swapped', async (c, next) => {
      c.req.raw = new Request(c.req.raw, { headers: { authorization: `Bearer ${bob}` } });
      await next();
    });
    app.get('/swapped', jwtAuth(options).wrap(sub));
    app.get('/dispatched', (c) => inner.fetch(new Request(new URL('/inner', c.req.url), { headers: { authorization: `Bearer ${bob}` } }), c.env));
    app.get('/dispatched-anonymous', (c) => inner.fetch(new Request(new URL('/inner', c.req.url)), c.env));
    const url = await listen(app);
    for (const path of ['/swapped', '/dispatched']) {
      expect(await thrice(`${url}${path}`, [['Authorization', `Bearer ${alice}`]])).toEqual(Array(3).fill({ status: 200, body: { sub: 'bob' } }));
    }
    expect(await thrice(`${url}/dispatched-anonymous`, [['Authorization', `Bearer ${alice}`]])).toEqual(Array(3).fill({ status: 401, body: { code: 'ERR_TOKEN_MISSING' } }));
  });
});
