// Token sources beyond the Authorization header, on a Fetch Request: a cookie, another header,
// getToken over the Request, and two sources at once.

import { createTestKey, signToken } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { withAuth } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const url = 'https://api.example/me';

describe('token sources (Fetch)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const alice = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const me = (extra: object) => withAuth((_request, auth) => Response.json({ sub: auth.claims.sub }), { ...options, ...extra });
  const get = (headers: Record<string, string>) => new Request(url, { headers });

  it('reads a cookie by name from the Cookie header, only when asked to', async () => {
    const handler = me({ cookie: 'at' });
    expect(await (await handler(get({ cookie: `theme=dark; at=${alice}` }))).json()).toEqual({ sub: 'alice' });
    expect((await me({})(get({ cookie: `at=${alice}` }))).status).toBe(401);
    expect((await handler(get({ cookie: `at=${alice}`, authorization: `Bearer ${alice}` }))).status).toBe(400);
  });

  it('reads another header given as tokenHeader, the token alone or as Bearer', async () => {
    const handler = me({ tokenHeader: 'x-access-token' });
    expect(await (await handler(get({ 'x-access-token': alice }))).json()).toEqual({ sub: 'alice' });
    expect(await (await handler(get({ 'x-access-token': `Bearer ${alice}` }))).json()).toEqual({ sub: 'alice' });
    expect((await handler(get({ 'x-access-token': alice, authorization: `Bearer ${alice}` }))).status).toBe(400);
  });

  it('takes the token from getToken over the Request, sync or async; a throwing getToken is a 500', async () => {
    const fromQuery = (request: Request) => new URL(request.url).searchParams.get('access_token');
    for (const getToken of [fromQuery, async (request: Request) => fromQuery(request)]) {
      const handler = me({ getToken });
      expect(await (await handler(new Request(`${url}?access_token=${alice}`))).json()).toEqual({ sub: 'alice' });
      expect((await handler(new Request(`${url}?access_token=${alice}`, { headers: { authorization: `Bearer ${alice}` } }))).status).toBe(400);
      expect((await handler(new Request(url))).status).toBe(401);
    }
    const broken = me({
      getToken: () => {
        throw new Error('lookup failed');
      },
    });
    const res = await broken(new Request(url));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
  });

  it('refuses two Authorization headers, which a Request joins with a comma, with 400 invalid_request', async () => {
    const headers = new Headers();
    headers.append('authorization', `Bearer ${alice}`);
    headers.append('authorization', `Bearer ${alice}`);
    const res = await me({})(new Request(url, { headers }));
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_request"/);
    expect(await res.text()).not.toContain(alice.split('.')[2] as string);
  });

  it('ignores a token in the query string unless getToken reads it', async () => {
    expect((await me({})(new Request(`${url}?access_token=${alice}`))).status).toBe(401);
  });
});
