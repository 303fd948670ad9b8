import { decodeJwt, decodeProtectedHeader } from 'jose';
import { expect, it } from 'vitest';
import { b64url, rawToken } from '../keys.js';
import { REALM } from './fixture.js';
import type { ConformanceResponse, ConformanceTarget } from './harness.js';

/** An access token and the refresh token answered with it. */
interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

const BARE = `Bearer realm="${REALM}"`;
const REVOKED = `Bearer realm="${REALM}", error="invalid_token", error_description="The access token was revoked"`;
const WRONG_TYPE = `Bearer realm="${REALM}", error="invalid_token", error_description="The token type is not accepted"`;
const INVALID_REQUEST = new RegExp(`^Bearer realm="${REALM}", error="invalid_request", error_description="[^"]+"$`);

function header(response: ConformanceResponse, name: string): string | undefined {
  const value = response.headers[name];
  if (value === undefined) return undefined;
  expect(typeof value, `one ${name} header`).toBe('string');
  return value as string;
}

function bodyOf(response: ConformanceResponse): Record<string, unknown> {
  expect(header(response, 'content-type') ?? '').toMatch(/^application\/json/);
  return JSON.parse(response.text) as Record<string, unknown>;
}

/** Nothing of a token the client sent comes back, in the body or the challenge. */
function expectNoEcho(response: ConformanceResponse, sent: readonly string[]): void {
  for (const token of sent) {
    for (const part of token.split(/[\s.]+/).filter((piece) => piece.length >= 12)) {
      expect(response.text).not.toContain(part);
      expect(header(response, 'www-authenticate') ?? '').not.toContain(part);
    }
  }
}

/** A 400 refusal with the given `error` and challenge; answers its `error_description`. */
function expectRefusal(response: ConformanceResponse, error: string, challenge: string | RegExp, sent: readonly string[]): string {
  expect(response.status).toBe(400);
  const value = header(response, 'www-authenticate');
  if (typeof challenge === 'string') expect(value).toBe(challenge);
  else expect(value).toMatch(challenge);
  const body = bodyOf(response);
  expect(body).toEqual({ error, error_description: expect.any(String) });
  expectNoEcho(response, sent);
  return body['error_description'] as string;
}

/** RFC 6749 §5.2: every refused refresh token is a 400 `invalid_grant` with a bare challenge. */
const expectInvalidGrant = (response: ConformanceResponse, ...sent: string[]) => expectRefusal(response, 'invalid_grant', BARE, sent);

/** A 200 token response (RFC 6749 §5.1): exactly these fields, never cached. */
function expectTokenPair(response: ConformanceResponse): TokenPair {
  expect(response.status).toBe(200);
  expect(header(response, 'cache-control')).toBe('no-store');
  const body = bodyOf(response);
  expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String) });
  return { accessToken: body['access_token'] as string, refreshToken: body['refresh_token'] as string };
}

function expectRevoked(response: ConformanceResponse): void {
  expect(response.status).toBe(401);
  expect(header(response, 'www-authenticate')).toBe(REVOKED);
  expect(bodyOf(response)).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
}

/**
 * The refresh-token flow every example server holds to, as vitest tests against a running
 * server: `POST /login` answers a refresh token beside the access token; `POST /token/refresh`
 * with `{"refresh_token"}` trades it, once, for a new pair in the same family; a refresh token
 * presented twice revokes the family (its successor and the access tokens of that login); a
 * refresh token is never an access token, nor the reverse; nothing of a token is echoed.
 *
 * @example
 * ```ts
 * describe('refresh tokens', () => tokenRefreshFlows(() => target));
 * ```
 */
export function tokenRefreshFlows(target: () => ConformanceTarget): void {
  const post = (path: string, body: string) => target().request({ method: 'POST', path, headers: [['content-type', 'application/json']], body });
  const get = (path: string, token: string) => target().request({ method: 'GET', path, headers: [['authorization', `Bearer ${token}`]] });
  const refresh = (refreshToken: string, extra: Record<string, unknown> = {}) => post('/token/refresh', JSON.stringify({ refresh_token: refreshToken, ...extra }));
  const login = async (username: string) => expectTokenPair(await post('/login', JSON.stringify({ username, password: `${username}-password` })));

  it('POST /login answers a refresh token of its own type and audience beside the access token, never cached', async () => {
    const first = await login('alice');
    const second = await login('alice');
    const access = decodeJwt(first.accessToken);
    const refreshClaims = decodeJwt(first.refreshToken);
    expect(decodeProtectedHeader(first.accessToken).typ).toBe('at+jwt');
    expect(decodeProtectedHeader(first.refreshToken).typ).toEqual(expect.any(String));
    expect(String(decodeProtectedHeader(first.refreshToken).typ).toLowerCase()).not.toMatch(/^(application\/)?(at\+)?jwt$/);
    const audiences = (aud: unknown) => (Array.isArray(aud) ? aud : [aud]);
    for (const aud of audiences(refreshClaims.aud)) expect(audiences(access.aud)).not.toContain(aud);
    expect(refreshClaims).toMatchObject({ iss: access.iss, sub: 'alice' });
    // One login, one session: both tokens name it; another login starts another.
    expect(access['sid']).toEqual(expect.any(String));
    expect(refreshClaims['sid']).toBe(access['sid']);
    expect(decodeJwt(second.accessToken)['sid']).not.toBe(access['sid']);
  });

  it('POST /token/refresh trades a refresh token for a new access token and refresh token of the same session', async () => {
    const first = await login('bob');
    const next = expectTokenPair(await refresh(first.refreshToken));
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect(decodeProtectedHeader(next.accessToken).typ).toBe('at+jwt');
    const before = decodeJwt(first.accessToken);
    const claims = decodeJwt(next.accessToken);
    expect(claims).toMatchObject({ iss: before.iss, aud: before.aud, sub: 'bob', scope: 'profile:read', roles: ['user'], sid: before['sid'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims.jti).not.toBe(before.jti);
    expect(decodeJwt(next.refreshToken)['sid']).toBe(before['sid']);

    const me = await get('/me', next.accessToken);
    expect(me.status).toBe(200);
    expect(bodyOf(me)).toEqual({ sub: 'bob', scope: 'profile:read', roles: ['user'], claims });
    // Until a refresh token is reused, the earlier access token lives out its 15 minutes.
    expect((await get('/me', first.accessToken)).status).toBe(200);
    // The chain goes on, with grant_type named too.
    const third = expectTokenPair(await refresh(next.refreshToken, { grant_type: 'refresh_token' }));
    expect(decodeJwt(third.accessToken)['sid']).toBe(before['sid']);
    expect((await get('/me', third.accessToken)).status).toBe(200);
  });

  it('a refresh token presented twice revokes its family: the successor and every access token of that login', async () => {
    const first = await login('alice');
    const other = await login('alice');
    const next = expectTokenPair(await refresh(first.refreshToken));

    expectInvalidGrant(await refresh(first.refreshToken), first.refreshToken);
    expectInvalidGrant(await refresh(next.refreshToken), next.refreshToken);
    expectRevoked(await get('/me', first.accessToken));
    expectRevoked(await get('/me', next.accessToken));
    expectRevoked(await get('/admin', next.accessToken));
    expectRevoked(await get('/hello', next.accessToken));

    // Another login of the same user is another family, untouched.
    expect((await get('/me', other.accessToken)).status).toBe(200);
    const still = expectTokenPair(await refresh(other.refreshToken));
    expect((await get('/admin', still.accessToken)).status).toBe(200);
  });

  it('one refresh token redeemed twice at once: one answer is a new pair, the other ends the family', async () => {
    const first = await login('bob');
    const answers = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    const winner = expectTokenPair(answers.find((answer) => answer.status === 200) as ConformanceResponse);
    expectInvalidGrant(answers.find((answer) => answer.status === 400) as ConformanceResponse, first.refreshToken);
    expectInvalidGrant(await refresh(winner.refreshToken), winner.refreshToken);
    expectRevoked(await get('/me', winner.accessToken));
    expectRevoked(await get('/me', first.accessToken));
  });

  it('a refresh token is never accepted as an access token: 401 invalid_token', async () => {
    const { refreshToken } = await login('alice');
    for (const path of ['/me', '/admin', '/hello']) {
      const res = await get(path, refreshToken);
      expect(res.status).toBe(401);
      expect(header(res, 'www-authenticate')).toBe(WRONG_TYPE);
      expect(bodyOf(res)).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
      expectNoEcho(res, [refreshToken]);
    }
  });

  it('an access token is never accepted as a refresh token: 400 invalid_grant, and the session goes on', async () => {
    const first = await login('bob');
    expectInvalidGrant(await refresh(first.accessToken), first.accessToken);
    expect((await get('/me', first.accessToken)).status).toBe(200);
    expectTokenPair(await refresh(first.refreshToken));
  });

  it('forged, tampered and malformed refresh tokens: 400 invalid_grant, one description for every refusal', async () => {
    const first = await login('bob');
    const [head, payload, signature] = first.refreshToken.split('.') as [string, string, string];
    const claims = decodeJwt(first.refreshToken);
    const asAlice = `${head}.${b64url(JSON.stringify({ ...claims, sub: 'alice' }))}.${signature}`;
    const unsigned = rawToken(JSON.stringify({ ...decodeProtectedHeader(first.refreshToken), alg: 'none' }), JSON.stringify(claims), '');
    const otherSignature = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const descriptions = new Set<string>();
    for (const token of [asAlice, unsigned, otherSignature, `${first.refreshToken}.`, ` ${first.refreshToken}`, 'abc.def.ghi', 'not-a-token']) {
      descriptions.add(expectInvalidGrant(await refresh(token), token));
    }
    descriptions.add(expectInvalidGrant(await refresh(first.accessToken), first.accessToken));
    // None of those used up the real refresh token; using it twice is refused like the rest.
    expectTokenPair(await refresh(first.refreshToken));
    descriptions.add(expectInvalidGrant(await refresh(first.refreshToken), first.refreshToken));
    expect(descriptions.size).toBe(1);
  });

  it('a malformed request body: 400 invalid_request, and the refresh token in it stays good', async () => {
    const first = await login('alice');
    const bodies = [
      '{bad',
      '',
      '[]',
      'null',
      '"text"',
      '{}',
      '{"grant_type":"refresh_token"}',
      '{"refresh_token":""}',
      '{"refresh_token":null}',
      '{"refresh_token":1}',
      JSON.stringify({ refresh_token: [first.refreshToken] }),
      JSON.stringify({ refresh_token: { token: first.refreshToken } }),
    ];
    for (const body of bodies) expectRefusal(await post('/token/refresh', body), 'invalid_request', INVALID_REQUEST, [first.refreshToken]);
    expectTokenPair(await refresh(first.refreshToken));
  });

  it('a request body over 4 KiB: 413 invalid_request, and the refresh token in it stays good', async () => {
    const first = await login('alice');
    const res = await refresh(first.refreshToken, { padding: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(header(res, 'www-authenticate')).toMatch(INVALID_REQUEST);
    expect(bodyOf(res)).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expectNoEcho(res, [first.refreshToken]);
    expectTokenPair(await refresh(first.refreshToken));
  });

  it('another grant_type: 400 unsupported_grant_type, and the refresh token stays good', async () => {
    const first = await login('bob');
    for (const grantType of ['password', 'authorization_code', 'REFRESH_TOKEN', 1]) {
      expectRefusal(await refresh(first.refreshToken, { grant_type: grantType }), 'unsupported_grant_type', BARE, [first.refreshToken]);
    }
    expectTokenPair(await refresh(first.refreshToken));
  });
}
