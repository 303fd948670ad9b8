import { createTestKey, signToken } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { isAuthError, requireScopes, type AuthError } from '../index.js';
import { createGuard } from './guards.js';
import { createMiddleware, sessionResult, type AuthSession } from './middleware.js';
import type { RequestView } from './request-view.js';

const issuer = 'https://auth.example.com';
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource';
const view = (headers: Record<string, string> = {}): RequestView => ({ method: 'GET', header: (name) => headers[name] });

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAuthError(error), 'an AuthError').toBe(true);
  return error as AuthError;
}

/** What handle() refuses with, and what onError saw. */
async function refusal(middleware: ReturnType<typeof createMiddleware>, headers: Record<string, string>): Promise<{ refused: AuthError; reported: AuthError[] }> {
  const reported: AuthError[] = [];
  const refused = await middleware.handle(
    () => view(headers),
    reported,
    () => {
      throw new Error('accepted');
    },
    (error) => error as AuthError,
  );
  return { refused, reported };
}

describe('jwtAuth({ resourceMetadata })', async () => {
  const key = await createTestKey('HS256');
  const secret = key.secret as string;
  const options = { issuer, audience: 'api', secret, resourceMetadata: metadata, onError: (error: AuthError, request: unknown) => (request as AuthError[]).push(error) };

  it('names the metadata document in every challenge the middleware sends', async () => {
    const middleware = createMiddleware(options);
    const cases: [Record<string, string>, string, number][] = [
      [{}, 'ERR_TOKEN_MISSING', 401],
      [{ authorization: 'Bearer a.b.c' }, 'ERR_TOKEN_MALFORMED', 401],
      [{ authorization: 'Bearer' }, 'ERR_INVALID_REQUEST', 400],
      [{ authorization: `Bearer ${await signToken(key, { iss: issuer, aud: 'other' })}` }, 'ERR_AUDIENCE_INVALID', 401],
    ];
    for (const [headers, code, status] of cases) {
      const { refused, reported } = await refusal(middleware, headers);
      expect(refused, code).toMatchObject({ code, status, resourceMetadata: metadata });
      expect(refused.headers['WWW-Authenticate']).toMatch(new RegExp(`^Bearer realm="api"(, .*)?, resource_metadata="${metadata.replace(/[./]/g, '\\$&')}"$`));
      expect(reported, 'onError sees the same refusal').toEqual([refused]);
      await expect(middleware.authenticate(view(headers), [])).rejects.toMatchObject({ code, resourceMetadata: metadata });
    }
  });

  it('takes a URL object, and is checked when the middleware is created', () => {
    expect(() => createMiddleware({ ...options, resourceMetadata: new URL(metadata) })).not.toThrow();
    expect(() => createMiddleware({ ...options, resourceMetadata: 'http://127.0.0.1:3000/.well-known/oauth-protected-resource' })).not.toThrow();
    for (const bad of ['/.well-known/oauth-protected-resource', 'http://api.example.com/x', 'https://api.example.com/x#frag', 'https://u:p@api.example.com/x', 'https://api.example.com/?a\\b', 'ftp://a/x', 42]) {
      expect(() => createMiddleware({ ...options, resourceMetadata: bad as string }), String(bad)).toThrow(TypeError);
    }
  });

  it('is carried to the guards behind the middleware, and to optional routes', async () => {
    const middleware = createMiddleware(options);
    const token = await signToken(key, { iss: issuer, aud: 'api', scope: 'read' });
    const session = (await middleware.authenticate(view({ authorization: `Bearer ${token}` }), [])) as AuthSession;
    expect(session.resourceMetadata).toBe(metadata);
    const denied = await rejection(createGuard(requireScopes('admin')).check(session, view()));
    expect(denied).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 });
    expect(denied.challenge).toBe(`Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="admin", resource_metadata="${metadata}"`);

    const optional = middleware.withOptional(true);
    const anonymous = await optional.authenticate(view(), []);
    expect(anonymous).toMatchObject({ result: null, resourceMetadata: metadata });
    expect(() => sessionResult(anonymous)).toThrow(expect.objectContaining({ code: 'ERR_TOKEN_MISSING', resourceMetadata: metadata }));
  });

  it('leaves challenges as they were when not configured', async () => {
    const { refused } = await refusal(createMiddleware({ issuer, audience: 'api', secret }), {});
    expect(refused.challenge).toBe('Bearer realm="api"');
    expect(refused.resourceMetadata).toBeUndefined();
  });
});
