// The auth service: one issuer for every service. Users log in once and get tokens for each
// API (single sign-on); services get their own tokens by client credentials. It publishes its
// keys and its OpenID discovery metadata, which is all the APIs know of it.
// Start: pnpm --filter ./examples/microservices start   (README.md walks through it with curl)

import { createHash, timingSafeEqual } from 'node:crypto';
import { buildChallenge, createIssuer, createKeySet, createRefreshTokens, generateSigningKey, isAuthError } from '@jwt-gate/core';
import express, { type NextFunction, type Request, type Response } from 'express';
import { API_SCOPES, authIssuer, authPort, host, INVENTORY_AUDIENCE, ORDERS_AUDIENCE, ORDERS_CLIENT_ID, requiredSecret, SESSION_LIFETIME } from './config.js';
import { sharedRevocations } from './shared-state.js';

// Demo users. A real service keeps password hashes (argon2, scrypt) in a database.
const USERS = new Map([
  ['alice', { password: 'alice-password', scopes: ['orders:read', 'orders:write', 'inventory:read', 'inventory:admin'] }],
  ['bob', { password: 'bob-password', scopes: ['orders:read', 'orders:write', 'inventory:read'] }],
]);

// Service clients: for each API a client may call, the scopes it may ask for. The orders API
// may read and reserve stock, never administer it.
const CLIENTS = new Map([
  [ORDERS_CLIENT_ID, { secret: requiredSecret('ORDERS_CLIENT_SECRET'), audiences: new Map([[INVENTORY_AUDIENCE, ['inventory:read', 'inventory:reserve']]]) }],
]);

const USER_TOKEN_LIFETIME = 900;
const SERVICE_TOKEN_LIFETIME = 300;
const realm = 'jwt-gate-auth';
const adminSecret = process.env.ADMIN_SECRET;
if (adminSecret !== undefined) requiredSecret('ADMIN_SECRET');

// 1. Keys: a key set, so a rotation keeps the earlier keys published and their tokens valid.
const keys = createKeySet([await generateSigningKey('ES256')]);
const issuer = createIssuer({ issuer: authIssuer, audience: ORDERS_AUDIENCE, keys });
// Refresh tokens are the login session: redeemed at the token endpoint for a token per API.
// With REDIS_URL the sessions live in Redis, where the APIs revoke them at logout and see a
// reused refresh token end its session.
const revocations = await sharedRevocations('auth service');
const sessions = createRefreshTokens({ issuer, expiresIn: SESSION_LIFETIME, ...(revocations ? { store: revocations } : {}) });

const base = authIssuer.endsWith('/') ? authIssuer.slice(0, -1) : authIssuer;
const metadata = Object.freeze({
  issuer: authIssuer,
  jwks_uri: `${base}/.well-known/jwks.json`,
  token_endpoint: `${base}/oauth/token`,
  grant_types_supported: ['client_credentials', 'refresh_token'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  scopes_supported: Object.values(API_SCOPES).flat(),
});

// Hashing first gives both sides one length, so the comparison time tells nothing about the secret.
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** The scopes to grant: all allowed ones, or the requested ones if every one is allowed. */
function grant(allowed: readonly string[], requested: string | undefined): string[] | undefined {
  if (requested === undefined) return [...allowed];
  const wanted = [...new Set(requested.split(' ').filter((s) => s.length > 0))];
  return wanted.length > 0 && wanted.every((s) => allowed.includes(s)) ? wanted : undefined;
}

/** A user's scopes at one API: a token for an API carries that API's scopes only. */
function userScopes(username: string, audience: string): string[] {
  const api = API_SCOPES[audience] ?? [];
  return (USERS.get(username)?.scopes ?? []).filter((s) => api.includes(s));
}

/** The request's parameters (JSON or form), or undefined when one is not a single string. */
function params(req: Request): Map<string, string> | undefined {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) {
    // RFC 6749 §3.2: a parameter sent twice (an array here) is a malformed request.
    if (typeof value !== 'string') return undefined;
    out.set(name, value);
  }
  return out;
}

// RFC 6749 §5.2 errors. Token responses are never cached (§5.1).
function oauthError(res: Response, status: number, error: string, description: string): void {
  if (status === 401) res.set('WWW-Authenticate', `Basic realm="${realm}"`);
  res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
}

function tokenResponse(res: Response, { access_token, ...rest }: { access_token: string } & Record<string, unknown>): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({ access_token, token_type: 'Bearer', ...rest });
}

/** Client authentication: HTTP Basic (client_secret_basic) or form fields (client_secret_post), never both. */
function clientOf(req: Request, form: Map<string, string>): { id: string; secret: string } | 'malformed' | undefined {
  const header = req.get('authorization');
  if (header === undefined) {
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    return id === undefined || secret === undefined ? undefined : { id, secret };
  }
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header);
  if (match === null || form.has('client_secret')) return 'malformed';
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined.
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '4kb' }));
app.use(express.urlencoded({ extended: false, limit: '4kb' }));

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

// 2. What the APIs read: the metadata names the JWKS, the JWKS holds the public keys.
app.get(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'], (_req, res) => {
  res.set('Cache-Control', 'public, max-age=300').json(metadata);
});

app.get('/.well-known/jwks.json', async (_req, res) => {
  res.set('Cache-Control', 'public, max-age=60').json(await issuer.jwks());
});

// 3. Log in once: an access token for one API (the orders API unless `audience` names another)
// and a refresh token, the session that gets tokens for the other APIs without the password.
app.post('/login', async (req, res) => {
  const form = params(req);
  const username = form?.get('username');
  const password = form?.get('password');
  const audience = form?.get('audience') ?? ORDERS_AUDIENCE;
  // The same answers as the single-server examples' /login: a challenge on 400 and 401.
  if (username === undefined || password === undefined) {
    res.set('WWW-Authenticate', buildChallenge({ realm, error: 'invalid_request', errorDescription: 'username and password are required' }));
    return void res.status(400).json({ error: 'invalid_request', error_description: 'username and password are required' });
  }
  const user = USERS.get(username);
  if (user === undefined || !sameSecret(password, user.password)) {
    res.set('WWW-Authenticate', buildChallenge({ realm }));
    return void res.status(401).json({ error: 'invalid_grant', error_description: 'Wrong username or password' });
  }
  if (!Object.hasOwn(API_SCOPES, audience)) return oauthError(res, 400, 'invalid_target', 'Unknown audience');
  const scopes = grant(userScopes(username, audience), form?.get('scope'));
  if (scopes === undefined) return oauthError(res, 400, 'invalid_scope', 'A requested scope is not granted to this user');
  const { refreshToken, family } = await sessions.issue({ sub: username });
  const accessToken = await issuer.sign({ sub: username, scope: scopes.join(' '), sid: family }, { audience, expiresIn: USER_TOKEN_LIFETIME });
  tokenResponse(res, { access_token: accessToken, expires_in: USER_TOKEN_LIFETIME, scope: scopes.join(' '), refresh_token: refreshToken });
});

// 4. The token endpoint (RFC 6749 §3.2).
app.post('/oauth/token', async (req, res) => {
  const form = params(req);
  if (form === undefined) return oauthError(res, 400, 'invalid_request', 'Parameters must be sent once each');
  const grantType = form.get('grant_type');

  if (grantType === 'client_credentials') {
    // A service's own token, for one API, with no more than the scopes that API allows it.
    const credentials = clientOf(req, form);
    if (credentials === 'malformed') return oauthError(res, 400, 'invalid_request', 'Malformed client authentication');
    const client = credentials === undefined ? undefined : CLIENTS.get(credentials.id);
    if (credentials === undefined || client === undefined || !sameSecret(credentials.secret, client.secret)) {
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    }
    const audience = form.get('audience') ?? (client.audiences.size === 1 ? [...client.audiences.keys()][0] : undefined);
    const allowed = audience === undefined ? undefined : client.audiences.get(audience);
    if (audience === undefined || allowed === undefined) return oauthError(res, 400, 'invalid_target', 'This client may not call that audience');
    const scopes = grant(allowed, form.get('scope'));
    if (scopes === undefined) return oauthError(res, 400, 'invalid_scope', 'A requested scope is not allowed for this client');
    // RFC 9068 §2.2: for a client's own token, sub is the client id.
    const accessToken = await issuer.sign(
      { sub: credentials.id, client_id: credentials.id, scope: scopes.join(' ') },
      { audience, expiresIn: SERVICE_TOKEN_LIFETIME },
    );
    return tokenResponse(res, { access_token: accessToken, expires_in: SERVICE_TOKEN_LIFETIME, scope: scopes.join(' ') });
  }

  if (grantType === 'refresh_token') {
    // Single sign-on: the login session gets a token for another API. Each refresh token is
    // good once; the answer carries its successor.
    const token = form.get('refresh_token');
    if (token === undefined) return oauthError(res, 400, 'invalid_request', 'refresh_token is required');
    const audience = form.get('audience') ?? ORDERS_AUDIENCE;
    if (!Object.hasOwn(API_SCOPES, audience)) return oauthError(res, 400, 'invalid_target', 'Unknown audience');
    let session;
    try {
      session = await sessions.redeem(token);
    } catch (error) {
      if (isAuthError(error) && error.status < 500) return oauthError(res, 400, 'invalid_grant', 'The refresh token is invalid, expired or used');
      throw error;
    }
    const username = session.claims.sub as string;
    const scopes = grant(userScopes(username, audience), form.get('scope'));
    if (scopes === undefined) return oauthError(res, 400, 'invalid_scope', 'A requested scope is not granted to this user');
    const accessToken = await issuer.sign({ sub: username, scope: scopes.join(' '), sid: session.family }, { audience, expiresIn: USER_TOKEN_LIFETIME });
    return tokenResponse(res, { access_token: accessToken, expires_in: USER_TOKEN_LIFETIME, scope: scopes.join(' '), refresh_token: session.refreshToken });
  }

  if (grantType === undefined) return oauthError(res, 400, 'invalid_request', 'grant_type is required');
  return oauthError(res, 400, 'unsupported_grant_type', 'Use client_credentials or refresh_token');
});

// 5. Key rotation, for operators (ADMIN_SECRET in the X-Admin-Secret header): a new key signs
// from now on; the earlier keys stay in the JWKS, so tokens they signed keep verifying.
app.post('/admin/rotate-key', async (req, res) => {
  if (adminSecret === undefined) return void res.status(404).json({ error: 'not_found', error_description: 'Set ADMIN_SECRET to enable key rotation' });
  const given = req.get('x-admin-secret');
  if (given === undefined || !sameSecret(given, adminSecret)) {
    return void res.status(403).json({ error: 'access_denied', error_description: 'X-Admin-Secret is missing or wrong' });
  }
  const key = await keys.rotate(await generateSigningKey('ES256'));
  console.log(`signing key rotated: ${key.kid} signs now`);
  res.json({ active: key.kid, keys: await keys.list() });
});

app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  const status = (error as { status?: number }).status;
  if (status === 400 || status === 413) return oauthError(res, status, 'invalid_request', 'The request body is not valid JSON or form data');
  if (res.headersSent) return next(error);
  // The session store (Redis) cannot answer: a refresh is refused for now, never granted.
  if (isAuthError(error) && error.status === 503) return oauthError(res, 503, 'temporarily_unavailable', 'Sessions are temporarily unavailable');
  console.error(error);
  res.status(500).json({ error: 'server_error', error_description: 'Internal server error' });
});

app.listen(authPort, host, (error) => {
  // A port in use ends the process (start.ts then stops the others).
  if (error) throw error;
  console.log(`auth service on http://${host}:${authPort} (issuer ${authIssuer})`);
});
