// The app hono's own jwt and jwk tests build (a middleware on /auth/*, a handler answering the
// claims or an anonymous greeting), what their cases assert of it, and the cases both suites share.

import type { PeerCases } from '@jwt-gate/testing';
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { expect } from 'vitest';
import type { AuthResult } from '../../src/index.js';

export const bare = 'Bearer realm="api"';
export const invalidToken = /^Bearer realm="api", error="invalid_token"/;
export const invalidRequest = /^Bearer realm="api", error="invalid_request"/;
const hello = { message: 'hello world' };

/** One request header. */
export const header = (value: string, name = 'authorization'): Record<string, string> => ({ [name]: value });

/** A middleware created anew for each request, inside another one, as hono's "nested" tests do. */
export const nested = (make: () => MiddlewareHandler): MiddlewareHandler => (c, next) => make()(c, next);

/** GET `path` through `middleware` on /auth/*; the response and whether the protected handler ran. */
export async function send(middleware: MiddlewareHandler, headers: Record<string, string> = {}, path = '/auth/a'): Promise<{ res: Response; ran: number }> {
  let ran = 0;
  const app = new Hono();
  app.use('/auth/*', middleware);
  app.get('/auth/*', (c) => {
    ran++;
    return c.json((c.var as { auth?: AuthResult }).auth?.claims ?? { message: 'hello anon' });
  });
  const res = await app.request(`http://localhost${path}`, { headers });
  return { res, ran };
}

/** The protected handler ran once and answered `body` (hono's test payload by default). */
export async function accepts(middleware: MiddlewareHandler, headers?: Record<string, string>, body: unknown = hello): Promise<void> {
  const { res, ran } = await send(middleware, headers);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(body);
  expect(ran).toBe(1);
}

/** The protected handler never ran; the answer was `status`, with this challenge (null: none). */
export async function refuses(middleware: MiddlewareHandler, headers: Record<string, string>, status: number, challenge: string | RegExp | null, path?: string): Promise<void> {
  const { res, ran } = await send(middleware, headers, path);
  expect(res.status).toBe(status);
  const value = res.headers.get('www-authenticate');
  if (challenge instanceof RegExp) expect(value).toMatch(challenge);
  else expect(value).toBe(challenge);
  expect(ran).toBe(0);
}

/** hono's "Error handling with `cause`": app.onError gets an HTTPException whose cause says why. */
export function causeCase({ met }: PeerCases, middleware: () => MiddlewareHandler): void {
  met('Should not authorize', async () => {
    const app = new Hono();
    app.use('/auth/*', middleware());
    app.get('/auth/*', (c) => c.text('Authorized'));
    app.onError((error, c) => {
      if (error instanceof HTTPException && error.cause instanceof Error) return c.json({ name: error.cause.name, code: (error.cause as { code?: string }).code }, 401);
      return c.text(error.message, 401);
    });
    const res = await app.request('http://localhost/auth', { headers: header('Bearer abc.def.ghi') });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ name: 'AuthError', code: 'ERR_TOKEN_MALFORMED' });
  });
}

/** hono's "WWW-Authenticate realm" cases, through `middleware(realm)`. */
export function realmCases({ met, differs }: PeerCases, middleware: (realm?: string) => MiddlewareHandler): void {
  differs('Should default to the request URL', 'the default realm is "api": a fixed protection space, and no client-supplied text in the header', async () => {
    await refuses(middleware(), {}, 401, bare, '/auth/page?a=1');
  });
  differs('Should use the configured realm', 'the realm is used; a request without a token gets a bare challenge (RFC 6750 §3.1)', async () => {
    await refuses(middleware('my-api'), {}, 401, 'Bearer realm="my-api"', '/auth/page?a=1');
  });
  met('Should use the configured realm for an invalid token', async () => {
    await refuses(middleware('my-api'), header('Bearer invalid-token'), 401, /^Bearer realm="my-api", error="invalid_token"/, '/auth/page');
  });
  differs('Should escape double quotes in the realm', 'a realm with quotes or backslashes is refused at creation', () => {
    expect(() => middleware('my "quoted" api')).toThrow(TypeError);
  });
}
