import { describe, expect, it } from 'vitest';
import { buildChallenge } from './challenge.js';
import { AUTH_ERROR_CODES, AuthError, isAuthError } from './auth-error.js';

describe('AuthError', () => {
  it('derives status, wire error and challenge from the code', () => {
    const expected: Record<string, [number, string | undefined]> = {
      ERR_TOKEN_MISSING: [401, undefined],
      ERR_INVALID_REQUEST: [400, 'invalid_request'],
      ERR_MULTIPLE_TOKENS: [400, 'invalid_request'],
      ERR_TOKEN_EXPIRED: [401, 'invalid_token'],
      ERR_SIGNATURE_INVALID: [401, 'invalid_token'],
      ERR_INSUFFICIENT_SCOPE: [403, 'insufficient_scope'],
      ERR_KEYS_UNAVAILABLE: [503, undefined],
      ERR_REVOCATION_UNAVAILABLE: [503, undefined],
      ERR_CONFIG_INVALID: [500, undefined],
    };
    for (const [code, [status, wire]] of Object.entries(expected)) {
      const error = new AuthError(code as never);
      expect(error.status).toBe(status);
      expect(error.statusCode).toBe(status);
      expect(error.error).toBe(wire);
      expect(error.expose).toBe(status < 500);
      expect(error.name).toBe('AuthError');
    }
    for (const code of AUTH_ERROR_CODES) {
      const error = new AuthError(code);
      if (error.status >= 500) expect(error.headers).toEqual({});
      else expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api"/);
      if (error.error !== undefined) expect(error.body.error).toBe(error.error);
    }
  });

  it('builds refusals (4xx) without stack frames, faults (500, 503) with them, and leaves Error.stackTraceLimit as it was', () => {
    const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).length;
    const before = Error.stackTraceLimit;
    for (const code of AUTH_ERROR_CODES) {
      const error = new AuthError(code);
      expect(error.stack?.startsWith('AuthError'), code).toBe(true);
      if (error.status < 500) expect(frames(error), code).toBe(0);
      else expect(frames(error), code).toBeGreaterThan(0);
    }
    expect(Error.stackTraceLimit).toBe(before);
    // A limit the application chose is the one left in place.
    Error.stackTraceLimit = 3;
    try {
      new AuthError('ERR_TOKEN_EXPIRED');
      expect(Error.stackTraceLimit).toBe(3);
      expect(frames(new AuthError('ERR_KEYS_UNAVAILABLE'))).toBeGreaterThan(0);
      expect(frames(new AuthError('ERR_TOKEN_EXPIRED'))).toBe(0);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it('builds RFC 6750 challenges', () => {
    expect(new AuthError('ERR_TOKEN_MISSING').challenge).toBe('Bearer realm="api"');
    expect(new AuthError('ERR_TOKEN_EXPIRED', { realm: 'orders' }).challenge).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="The access token expired"',
    );
    expect(new AuthError('ERR_INSUFFICIENT_SCOPE', { scope: ['orders:write', 'admin'] }).challenge).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="orders:write admin"',
    );
  });

  it('never lets a quote, backslash or control character into the header', () => {
    expect(buildChallenge({ realm: 'a"b', error: 'x\\y', errorDescription: 'line\nbreak', scope: ['ok', 'bad"one', 'sp ace'] })).toBe('Bearer realm="api", scope="ok"');
  });

  it('keeps cause, claim and reason; withRealm copies', () => {
    const cause = new Error('inner');
    const error = new AuthError('ERR_CLAIM_INVALID', { cause, claim: 'iat', reason: 'future' });
    expect(error.cause).toBe(cause);
    expect(error.claim).toBe('iat');
    expect(error.reason).toBe('future');
    const moved = error.withRealm('other');
    expect(moved.realm).toBe('other');
    expect(moved).toMatchObject({ code: 'ERR_CLAIM_INVALID', claim: 'iat', reason: 'future', cause });
  });

  it('isAuthError recognises copies from another package instance', () => {
    expect(isAuthError(new AuthError('ERR_TOKEN_EXPIRED'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { [Symbol.for('jwt-gate.AuthError')]: true });
    expect(isAuthError(foreign)).toBe(true);
    expect(isAuthError(new Error('x'))).toBe(false);
    expect(isAuthError(null)).toBe(false);
    expect(isAuthError({ code: 'ERR_TOKEN_EXPIRED' })).toBe(false);
  });
});
