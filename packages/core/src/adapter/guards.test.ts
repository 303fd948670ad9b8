import { createTestKey, signToken } from '@jwt-gate/testing';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { calculateThumbprint, generateKeyPair, generateProof } from 'dpop';
import { anyOf, claimCheck, createIssuer, isAuthError, isPolicy, requireRoles, requireScopes, type AuthError } from '../index.js';
import { createAuthenticator } from './authenticate.js';
import { assertGuardOrder, createGuard, markAuthentication } from './guards.js';
import { createMiddleware, sessionResult, type AuthSession } from './middleware.js';
import type { RequestView } from './request-view.js';

const view = (headers: Record<string, string> = {}): RequestView => ({ method: 'GET', header: (name) => headers[name] });
const session = (claims: JWTPayload | null, errors: 'respond' | 'next' = 'respond'): AuthSession => ({
  result: claims === null ? null : Object.freeze({ claims: Object.freeze(claims), header: { alg: 'HS256' }, issuer: 'https://auth.example.com', token: 'x.y.z' }),
  realm: 'orders',
  errors,
  report: () => undefined,
});

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAuthError(error), 'an AuthError').toBe(true);
  return error as AuthError;
}

describe('route guards', () => {
  it('refuse with ERR_CONFIG_INVALID when no session was recorded, never passing', async () => {
    const guard = createGuard(requireRoles('admin'));
    for (const missing of [undefined, null as never]) {
      const error = await rejection(guard.check(missing));
      expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500, expose: false });
      expect(error.headers).toEqual({});
    }
  });

  it('refuse anonymous requests with 401, deny with 403, and resolve with the result', async () => {
    const guard = createGuard(requireRoles('admin'));
    expect(await rejection(guard.check(session(null)))).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401, challenge: 'Bearer realm="orders"' });
    expect(await rejection(guard.check(session({ roles: ['user'] })))).toMatchObject({
      code: 'ERR_INSUFFICIENT_SCOPE',
      challenge: 'Bearer realm="orders", error="insufficient_scope", error_description="Insufficient scope"',
    });
    const alice = session({ roles: ['admin'] });
    await expect(guard.check(alice)).resolves.toBe(alice.result);
  });

  it('pass the request to predicates', async () => {
    const guard = createGuard(claimCheck((claims, request) => request?.header('x-tenant') === claims['tenant']));
    const acme = session({ tenant: 'acme' });
    await expect(guard.check(acme, view({ 'x-tenant': 'acme' }))).resolves.toBeDefined();
    await expect(guard.check(acme, view({ 'x-tenant': 'evil' }))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE' });
  });

  it('attach a policy to a handler, usable wherever a policy is', async () => {
    const guard = createGuard(requireScopes('orders:write'));
    const handler = guard.attach(function middleware() {});
    expect(isPolicy(handler)).toBe(true);
    expect(handler.rule).toBe(guard.policy.rule);
    const wrapped = createGuard(anyOf(handler, requireRoles('admin')));
    await expect(wrapped.check(session({ roles: ['admin'] }))).resolves.toBeDefined();
    await expect(createGuard(handler).check(session({ scope: 'orders:write' }))).resolves.toBeDefined();
    const other = createGuard(requireRoles('admin'));
    expect(() => other.attach(handler)).toThrow(TypeError);
    expect(() => createGuard({ rule: { kind: 'not' } } as never)).toThrow(TypeError);
    expect(() => createAuthenticator({ issuer: 'https://a.example', audience: 'x', secret: 'a'.repeat(32), policy: handler })).not.toThrow();
  });

  it('find a guard with no authentication in front of it', () => {
    const authentication = markAuthentication(function jwtAuth() {});
    const guard = createGuard(requireRoles('admin')).attach(function guard() {});
    const plain = function handler() {};
    expect(() => assertGuardOrder([authentication, guard, plain], 'GET /admin')).not.toThrow();
    expect(() => assertGuardOrder([plain, authentication, plain, guard], 'GET /admin')).not.toThrow();
    expect(() => assertGuardOrder([plain, requireRoles('admin'), plain], 'GET /admin')).not.toThrow();
    expect(() => assertGuardOrder([], 'GET /admin')).not.toThrow();
    for (const handlers of [[guard], [plain, guard, authentication], [undefined, 'x', guard]]) {
      let error: unknown;
      try {
        assertGuardOrder(handlers, 'GET /admin');
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500, details: { where: 'GET /admin', rule: { kind: 'requireRoles' } } });
    }
    expect(() => markAuthentication(null as never)).toThrow(TypeError);
  });
});

describe('createMiddleware', async () => {
  const key = await createTestKey('HS256');
  const options = { issuer: 'https://auth.example.com', audience: 'orders-api', secret: key.secret as string, realm: 'orders' };
  const token = await signToken(key, { iss: options.issuer, aud: options.audience, sub: 'alice' });

  it('records a session with the result, the realm and the error mode, and one shared anonymous session', async () => {
    const middleware = createMiddleware({ ...options, optional: true, errors: 'next' });
    expect(middleware.errors).toBe('next');
    const signedIn = await middleware.authenticate(view({ authorization: `Bearer ${token}` }), {});
    expect(signedIn).toMatchObject({ realm: 'orders', errors: 'next', result: { claims: { sub: 'alice' } } });
    const first = await middleware.authenticate(view(), {});
    expect(first).toMatchObject({ result: null, realm: 'orders', errors: 'next' });
    expect(await middleware.authenticate(view(), {})).toBe(first);
    expect(sessionResult(signedIn).claims.sub).toBe('alice');
    expect(() => sessionResult(first)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MISSING', status: 401, challenge: 'Bearer realm="orders"' }));
    expect(() => sessionResult(undefined)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', status: 500 }));
  });

  it('answers with respond by default and refuses bad options at creation, naming jwtAuth', async () => {
    expect(createMiddleware(options).errors).toBe('respond');
    await expect(createMiddleware(options).authenticate(view(), {})).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING', realm: 'orders' });
    for (const bad of [{ ...options, errors: 'auto' }, { ...options, audiance: 'x' }, { ...options, optional: 'yes' }]) {
      expect(() => createMiddleware(bad as never)).toThrow(expect.objectContaining({ message: expect.stringContaining('jwtAuth') }));
    }
    expect(() => createMiddleware(undefined as never)).toThrow(TypeError);
  });
});

describe('route guards behind a middleware that accepts DPoP', async () => {
  const api = 'https://api.example.com';
  const key = await createTestKey('HS256');
  const options = { issuer: 'https://auth.example.com', audience: 'orders-api', secret: key.secret as string, realm: 'orders' };
  const issuer = createIssuer({ issuer: options.issuer, audience: options.audience, secret: options.secret });
  const client = await generateKeyPair('ES256');
  const jkt = await calculateThumbprint(client.publicKey);
  const bound = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { jkt });
  const plain = await issuer.sign({ sub: 'bob', scope: 'orders:read' });
  const writers = createGuard(requireScopes('orders:write'));

  it('challenge a denied DPoP request under the DPoP scheme, with the scopes required (RFC 9449 §7.1)', async () => {
    const middleware = createMiddleware({ ...options, dpop: { externalUrl: api, algorithms: ['ES256'] } });
    const proof = await generateProof(client, `${api}/orders`, 'GET', undefined, bound);
    const request: RequestView = { method: 'GET', url: '/orders', header: (name) => ({ authorization: `DPoP ${bound}`, dpop: proof })[name] };
    const session = await middleware.authenticate(request, {});
    const error = await rejection(writers.check(session, request));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 });
    expect(error.challenge).toBe('DPoP realm="orders", error="insufficient_scope", error_description="Insufficient scope", scope="orders:write", algs="ES256"');
    expect(error.headers).toEqual({ 'WWW-Authenticate': error.challenge });
    await expect(createGuard(requireScopes('orders:read')).check(session, request)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('challenge a denied Bearer request where DPoP is allowed with the error under Bearer, DPoP and its algs after', async () => {
    const middleware = createMiddleware({ ...options, dpop: { externalUrl: api, algorithms: ['ES256'], mode: 'allowed' }, optional: true });
    const request: RequestView = { method: 'GET', url: '/orders', header: (name) => (name === 'authorization' ? `Bearer ${plain}` : undefined) };
    const error = await rejection(writers.check(await middleware.authenticate(request, {}), request));
    expect(error.challenge).toBe('Bearer realm="orders", error="insufficient_scope", error_description="Insufficient scope", scope="orders:write", DPoP realm="orders", algs="ES256"');
    const anonymous = await middleware.authenticate(view(), {});
    const missing = await rejection(writers.check(anonymous));
    expect(missing).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401, challenge: 'Bearer realm="orders", DPoP realm="orders", algs="ES256"' });
    expect(() => sessionResult(anonymous)).toThrow(expect.objectContaining({ challenge: 'Bearer realm="orders", DPoP realm="orders", algs="ES256"' }));
  });
});
