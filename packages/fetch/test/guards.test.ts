import { createTestKey, signToken } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  isAuthError,
  jwtAuth,
  not,
  requireRoles,
  requireScopes,
  withAuth,
  type AuthErrorCode,
  type AuthResult,
  type JWTPayload,
} from '../src/index.js';
import * as core from '@jwt-gate/core';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const url = 'https://api.example/orders';
const forbidden = (scope?: string) => `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"${scope ? `, scope="${scope}"` : ''}`;

describe('route guards (Fetch)', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer, audience, secret: key.secret as string };
  const tokenFor = (claims: JWTPayload) => signToken(key, { iss: issuer, aud: audience, ...claims });
  const alice = await tokenFor({ sub: 'alice', scope: 'orders:read orders:write', roles: ['admin'], email_verified: true });
  const bob = await tokenFor({ sub: 'bob', scope: 'orders:read', roles: ['user'] });
  const bearer = (token: string) => new Request(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  it('wrap a handler inside withAuth: a passing request reaches it with the verified token, others get the full RFC 6750 response', async () => {
    const ran: string[] = [];
    const createOrder = withAuth(
      requireScopes('orders:write')((_request, auth) => {
        ran.push(auth.claims.sub as string);
        return Response.json({ by: auth.claims.sub }, { status: 201 });
      }),
      options,
    );
    const ok = await createOrder(bearer(alice));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ by: 'alice' });
    const denied = await createOrder(bearer(bob));
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(forbidden('orders:write'));
    expect(denied.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await denied.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(ran).toEqual(['alice']);
  });

  it('pass the arguments after the request through, and read the token withAuth verified, not the one handed to them', async () => {
    const seen: unknown[] = [];
    const guarded = requireRoles('admin')((request, auth, env: { name: string }) => (seen.push(auth.claims.sub, env.name), new Response(null, { status: 204 })));
    const handler = withAuth(guarded, options);
    expect((await handler(bearer(alice), { name: 'env' })).status).toBe(204);
    expect(seen).toEqual(['alice', 'env']);
    // Called directly with a forged result, the guard finds no verification of this request.
    const forged = { claims: { sub: 'mallory', roles: ['admin'] } } as unknown as AuthResult;
    expect((await guarded(bearer(bob), forged, { name: 'env' })).status).toBe(500);
    expect(seen).toEqual(['alice', 'env']);
  });

  it("throw the AuthError behind withAuth({ errors: 'next' })", async () => {
    const handler = withAuth(
      requireRoles('admin')(() => new Response(null)),
      { ...options, errors: 'next' },
    );
    const thrown = await handler(bearer(bob)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isAuthError(thrown) && [thrown.code, thrown.status, thrown.headers['WWW-Authenticate']]).toEqual(['ERR_INSUFFICIENT_SCOPE', 403, forbidden()]);
  });

  it('refuse an anonymous request behind optional authentication with 401', async () => {
    let ran = 0;
    const handler = withAuth(requireRoles('admin')(() => (ran++, new Response(null))), { ...options, optional: true });
    const res = await handler(new Request(url));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(ran).toBe(0);
  });

  it('refuse with 500 ERR_CONFIG_INVALID, never a pass, when nothing authenticated the request', async () => {
    let ran = 0;
    const handler = requireRoles('admin')(() => (ran++, new Response(null)));
    for (const request of [bearer(alice), undefined as unknown as Request]) {
      const res = await handler(request, undefined);
      expect(res.status).toBe(500);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toEqual({ error: 'server_error', error_description: expect.any(String) });
    }
    expect(ran).toBe(0);
    expect(() => requireRoles('admin')(undefined as never)).toThrow(TypeError);
  });

  it('work after an authenticate from jwtAuth accepted the same request', async () => {
    const authenticate = jwtAuth(options);
    const admin = requireRoles('admin')((_request, auth) => Response.json({ admin: auth.claims.sub }));
    const serve = async (request: Request) => {
      const result = await authenticate(request);
      return result.ok ? admin(request, result.auth) : result.response;
    };
    expect(await (await serve(bearer(alice))).json()).toEqual({ admin: 'alice' });
    expect((await serve(bearer(bob))).status).toBe(403);
    expect((await serve(new Request(url))).status).toBe(401);
  });

  it("are policies: they combine with each other and the core's policies, and fit withAuth({ policy })", async () => {
    const verifiedAdmin = allOf(requireRoles('admin'), core.claimEquals('email_verified', true));
    const editor = anyOf(verifiedAdmin, allOf(requireScopes('orders:write'), not(requireRoles('suspended'))));
    const handler = withAuth((_request, auth) => Response.json({ sub: auth.claims.sub }), { ...options, policy: editor });
    expect((await handler(bearer(alice))).status).toBe(200);
    const denied = await handler(bearer(bob));
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(forbidden('orders:write'));
    const wrapped = withAuth(claimEquals('email_verified', true)(() => new Response(null, { status: 204 })), options);
    expect((await wrapped(bearer(alice))).status).toBe(204);
    expect((await wrapped(bearer(bob))).status).toBe(403);
  });

  it('give claimCheck the verified claims and the request; a throwing check refuses with 403', async () => {
    const sameTenant = claimCheck<JWTPayload & { tenant?: string }>((claims, request) => claims.tenant === request?.header('x-tenant'), { name: 'same-tenant' });
    const handler = withAuth(sameTenant(() => new Response(null, { status: 204 })), options);
    const tenantToken = await tokenFor({ sub: 'carol', tenant: 't1' });
    const request = (tenant: string) => new Request(url, { headers: { authorization: `Bearer ${tenantToken}`, 'x-tenant': tenant } });
    expect((await handler(request('t1'))).status).toBe(204);
    expect((await handler(request('t2'))).status).toBe(403);
    const throwing = withAuth(
      claimCheck(() => {
        throw new Error('check failed');
      })(() => new Response(null)),
      options,
    );
    expect((await throwing(bearer(alice))).status).toBe(403);
  });

  it("report each refusal to the onError of the withAuth in front, with the request", async () => {
    const seen: [AuthErrorCode, string][] = [];
    const handler = withAuth(requireRoles('admin')(() => new Response(null)), { ...options, onError: (error, request) => seen.push([error.code, new URL(request.url).pathname]) });
    await handler(new Request(url));
    await handler(bearer(bob));
    await handler(bearer(alice));
    expect(seen).toEqual([
      ['ERR_TOKEN_MISSING', '/orders'],
      ['ERR_INSUFFICIENT_SCOPE', '/orders'],
    ]);
  });

  it('let errors of the handler through untouched', async () => {
    const failure = new AuthError('ERR_TOKEN_REVOKED');
    const handler = withAuth(requireRoles('admin')(() => Promise.reject(failure)), options);
    await expect(handler(bearer(alice))).rejects.toBe(failure);
  });
});
