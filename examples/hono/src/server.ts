// jwt-gate example on Hono (on Node): log in, get a token, call protected routes.
// Start: pnpm --filter ./examples/hono start   (README.md walks through it with curl)

import { serve } from '@hono/node-server';
import {
  buildChallenge,
  createIssuer,
  createRefreshTokens,
  createVerifier,
  generateSigningKey,
  isAuthError,
  type JWTPayload,
  type TrustedIssuer,
} from '@jwt-gate/core';
import { assertGuarded, jwtAuth, requireRoles } from '@jwt-gate/hono';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
  sid?: string;
}

interface User {
  password: string;
  roles: string[];
  scope: string;
}

// Demo users. A real app keeps password hashes (argon2, scrypt) in a database.
const USERS: Record<string, User> = {
  alice: { password: 'alice-password', roles: ['admin'], scope: 'profile:read profile:write admin' },
  bob: { password: 'bob-password', roles: ['user'], scope: 'profile:read' },
};
const findUser = (username: unknown) => (typeof username === 'string' && Object.hasOwn(USERS, username) ? USERS[username] : undefined);

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3002);
const issuerId = process.env.JWT_ISSUER ?? `http://${host}:${port}`;
const audience = process.env.JWT_AUDIENCE ?? 'jwt-gate-example';
const realm = 'jwt-gate-example';
const secret = process.env.JWT_SECRET;

// 1. Keys: HS256 with JWT_SECRET, or a fresh ES256 key pair for this run.
const key = secret === undefined ? await generateSigningKey('ES256') : undefined;
const issuer = createIssuer({ issuer: issuerId, audience, ...(key ? { privateKey: key.privateKey } : { secret: secret as string }) });
// Refresh tokens, signed by the same issuer with their own typ (rt+jwt) and audience: good
// once each, one family per login.
const refresh = createRefreshTokens({ issuer });

// Who may sign the tokens we accept: this server and, with TRUSTED_ISSUER set, an identity
// provider (single sign-on), whose keys come from its JWKS (TRUSTED_JWKS_URI, or discovery).
const trusted: TrustedIssuer[] = [{ issuer: issuerId, ...(key ? { publicKey: key.publicJwk } : { secret: secret as string, algorithms: ['HS256'] }) }];
if (process.env.TRUSTED_ISSUER) {
  const jwksUri = process.env.TRUSTED_JWKS_URI;
  trusted.push({ issuer: process.env.TRUSTED_ISSUER, ...(jwksUri ? { jwksUri } : { discovery: true }) });
}
// One verifier, shared by both middlewares, so they share its keys and its JWKS cache. It
// checks the refresh tokens' store too: a revoked family ends its access tokens (their sid).
const verifier = createVerifier<Claims>({ issuers: trusted, audience, realm, tokenType: 'at+jwt', isRevoked: refresh.store });
const auth = jwtAuth(verifier);
const maybeAuth = jwtAuth({ verifier, optional: true });

// A 15-minute access token and the refresh token beside it. Scope and roles come from the
// server's data, never from the refresh token; sid names the login session (the family).
async function tokenResponse(username: string, user: User, session: { family: string; refreshToken: string }) {
  const accessToken = await issuer.sign({ sub: username, scope: user.scope, roles: user.roles, sid: session.family });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: 900, refresh_token: session.refreshToken };
}

function fail(c: Context, status: ContentfulStatusCode, error: string, description: string, challengeError?: string): Response {
  c.header('WWW-Authenticate', buildChallenge({ realm, ...(challengeError ? { error: challengeError, errorDescription: description } : {}) }));
  return c.json({ error, error_description: description }, status);
}

const app = new Hono();
// Request bodies up to 4 KiB: credentials and a refresh token need far less.
app.use(bodyLimit({ maxSize: 4 * 1024, onError: (c) => fail(c, 413, 'invalid_request', 'The request body is too large', 'invalid_request') }));

app.get('/health', (c) => c.json({ status: 'ok' }));

// 2. Log in: check the password, start a login session (a refresh token family), sign an
// access token. Token responses are never cached (RFC 6749 §5.1).
app.post('/login', async (c) => {
  const body = await c.req.json<{ username?: unknown; password?: unknown }>().catch(() => undefined);
  const { username, password } = body ?? {};
  if (typeof username !== 'string' || typeof password !== 'string') {
    return fail(c, 400, 'invalid_request', 'username and password are required', 'invalid_request');
  }
  const user = findUser(username);
  if (user === undefined || user.password !== password) return fail(c, 401, 'invalid_grant', 'Wrong username or password');
  const session = await refresh.issue({ sub: username });
  c.header('Cache-Control', 'no-store');
  return c.json(await tokenResponse(username, user, session));
});

// 3. Refresh: a refresh token buys a new access token and the next refresh token, once. A
// refresh token that comes back a second time was copied: redeem() then revokes its whole
// family, so the copy and the user's own tokens stop working together. Every refused refresh
// token gets the same 400 invalid_grant (RFC 6749 §5.2), whatever the reason.
app.post('/token/refresh', async (c) => {
  const body = await c.req.json<{ grant_type?: unknown; refresh_token?: unknown }>().catch(() => undefined);
  const { grant_type: grantType, refresh_token: refreshToken } = body ?? {};
  if (typeof refreshToken !== 'string' || refreshToken === '') return fail(c, 400, 'invalid_request', 'refresh_token is required', 'invalid_request');
  if (grantType !== undefined && grantType !== 'refresh_token') return fail(c, 400, 'unsupported_grant_type', 'Only the refresh_token grant is supported');
  const redeemed = await refresh.redeem(refreshToken).catch((error: unknown) => {
    if (isAuthError(error) && error.status < 500) return undefined;
    throw error; // 503, the store is down: answered by the error handler below
  });
  const user = findUser(redeemed?.claims.sub);
  if (redeemed === undefined || user === undefined) return fail(c, 400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
  c.header('Cache-Control', 'no-store');
  return c.json(await tokenResponse(redeemed.claims.sub as string, user, redeemed));
});

// 4. Protected routes: jwtAuth verifies the bearer token and sets c.var.auth.
app.get('/me', auth, (c) => {
  const { claims } = c.var.auth;
  return c.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims });
});

// 5. Authorization by claims: the requireRoles guard lets only admins through; its 403 goes
// through the error handler below.
app.get('/admin', auth, requireRoles('admin'), (c) => c.json({ message: `Hello, admin ${c.var.auth.claims.sub}` }));

// 6. Optional authentication: anyone may call, a valid token adds a name, a bad one is refused.
app.get('/hello', maybeAuth, (c) => c.json({ message: `Hello, ${c.var.auth?.claims.sub ?? 'stranger'}` }));

app.get('/.well-known/jwks.json', async (c) => {
  c.header('Cache-Control', 'public, max-age=300');
  return c.json(await issuer.jwks());
});

// Errors: jwtAuth and the guards throw an HTTPException that carries the whole RFC 6750
// response (status, challenge, JSON body), with the AuthError as its cause. An AuthError
// thrown by a route itself carries the same: status, headers and JSON body.
app.onError((error, c) => {
  if (error instanceof HTTPException) return error.getResponse();
  if (isAuthError(error)) return c.json(error.body, error.status as ContentfulStatusCode, error.headers);
  console.error(error);
  return c.json({ error: 'server_error', error_description: 'Internal server error' }, 500);
});

// Refuses to start if a route guard has no jwtAuth in front of it.
assertGuarded(app);
serve({ fetch: app.fetch, port, hostname: host }, () => {
  console.log(`jwt-gate Hono example on http://${host}:${port} (${key ? 'ES256, fresh key pair' : 'HS256, JWT_SECRET'})`);
});
