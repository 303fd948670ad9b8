// jwt-gate example on Koa: log in, get a token, call protected routes.
// Start: pnpm --filter ./examples/koa start   (README.md walks through it with curl)

import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import {
  assertGuarded,
  AuthError,
  buildChallenge,
  CHANNELS,
  createDPoPVerifier,
  createIssuer,
  createLoginThrottle,
  createMemoryFailureStore,
  createMemoryReplayStore,
  createProtectedResourceMetadata,
  createRefreshTokens,
  createRevocationStore,
  createVerifier,
  DEFAULT_DPOP_ALGORITHMS,
  generateSigningKey,
  isAuthError,
  jwtAuth,
  protectedResourceMetadata,
  requireRoles,
  type DPoPOptions,
  type FailureStore,
  type JWTPayload,
  type KeysEvent,
  type RefusedEvent,
  type ReplayStore,
  type RevocationStore,
  type TrustedIssuer,
  type VerifiedToken,
} from '@jwt-gate/koa';
import { createRedisFailureStore, createRedisReplayStore, createRedisRevocationStore } from '@jwt-gate/redis';
import Koa, { type Context, type Next } from 'koa';
import { subscribe } from 'node:diagnostics_channel';
import { createClient } from 'redis';

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

// Failed logins: after LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_SECONDS for one username
// from one client address, that pair is refused (429) until the window closes, the right
// password included. Each attempt counts as it starts (so parallel guesses cannot slip past) and a
// success clears its pair's count, so successful logins are never throttled.
const LOGIN_MAX_FAILURES = 10;
const LOGIN_WINDOW_SECONDS = 60;

// Unknown usernames are counted like known ones, so a 429 tells nothing about who exists (the
// throttle stores a hash of the key, whatever its length).
function throttleKey(username: string, clientAddress: string | undefined): string {
  return `${username}\n${clientAddress ?? ''}`;
}


// What the middleware refused and why, at debug level (LOG_LEVEL=debug); a key source that fails,
// once per outage, with its cause. No event carries a token.
const debug = process.env.LOG_LEVEL === 'debug';
const keysDown = new Set<string>();
subscribe(CHANNELS.refused, (message) => {
  const { code, reason, issuer: from } = message as RefusedEvent;
  if (debug) console.debug(`refused: ${code}${reason === undefined ? '' : ` (${reason})`}${from === undefined ? '' : ` from ${from}`}`);
});
subscribe(CHANNELS.keys, (message) => {
  const { kind, url, error } = message as KeysEvent;
  if (kind === 'recovery' && keysDown.delete(url)) console.warn(`keys available again: ${url}`);
  if (kind === 'failure' && !keysDown.has(url)) {
    keysDown.add(url);
    console.warn(`keys unavailable: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
});
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3001);
// Listening on every interface (HOST=0.0.0.0 or ::), the server names itself by loopback unless
// JWT_ISSUER and RESOURCE_URL give the URL its clients use.
const origin = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
const issuerId = process.env.JWT_ISSUER ?? origin;
const audience = process.env.JWT_AUDIENCE ?? 'jwt-gate-example';
const realm = 'jwt-gate-example';
const secret = process.env.JWT_SECRET;

// Shared state: with REDIS_URL, revocations (logouts, reused refresh tokens), refresh-token
// families and failed-login counts live in Redis, so every instance started with the same
// JWT_SECRET and JWT_ISSUER acts as one; unset, they live in this process's memory.
interface Stores {
  revocations: RevocationStore;
  failures: FailureStore;
  replays: ReplayStore;
}

async function sharedStores(redisUrl: string | undefined): Promise<Stores> {
  if (!redisUrl) return { revocations: createRevocationStore({ familyClaim: 'sid' }), failures: createMemoryFailureStore(), replays: createMemoryReplayStore() };
  const client = createClient({ url: redisUrl });
  // The client reports every reconnection attempt; the revocation store reports each outage once.
  client.on('error', () => {});
  // Not awaited: the server starts even while Redis is down, and answers 503 until it is back.
  client.connect().catch(() => {});
  const revocations = createRedisRevocationStore({
    client,
    familyClaim: 'sid',
    onStateChange: (state, error) => console.warn(`revocation list ${state}${error instanceof Error && state !== 'current' ? `: ${error.message}` : ''}`),
  });
  // The list loaded before the first request, so that request gets no 503.
  await revocations.ready().catch(() => console.warn(`Redis at ${redisUrl} is not answering; requests that need it get 503 until it does`));
  return { revocations, failures: createRedisFailureStore({ client }), replays: createRedisReplayStore({ client }) };
}

const { revocations, failures, replays } = await sharedStores(process.env.REDIS_URL);
const throttle = createLoginThrottle({ store: failures, maxFailures: LOGIN_MAX_FAILURES, window: LOGIN_WINDOW_SECONDS });

// 1. Keys: HS256 with JWT_SECRET, or a fresh ES256 key pair for this run.
const key = secret === undefined ? await generateSigningKey('ES256') : undefined;
const issuer = createIssuer({ issuer: issuerId, audience, ...(key ? { privateKey: key.privateKey } : { secret: secret as string }) });
// Refresh tokens, signed by the same issuer with their own typ (rt+jwt) and audience: good
// once each, one family per login, kept in the shared revocation store.
const refresh = createRefreshTokens({ issuer, store: revocations });

// Who may sign the tokens we accept: this server and, with TRUSTED_ISSUER set, an identity
// provider (single sign-on), whose keys come from its JWKS (TRUSTED_JWKS_URI, or discovery).
const trusted: TrustedIssuer[] = [{ issuer: issuerId, ...(key ? { publicKey: key.publicJwk } : { secret: secret as string, algorithms: ['HS256'] }) }];
if (process.env.TRUSTED_ISSUER) {
  const jwksUri = process.env.TRUSTED_JWKS_URI;
  trusted.push({ issuer: process.env.TRUSTED_ISSUER, ...(jwksUri ? { jwksUri } : { discovery: true }) });
}
// One verifier, shared by both middlewares, so they share its keys and its JWKS cache. It
// checks the revocation store on every request (in memory, never a network call): a revoked
// family ends its access tokens (their sid).
const verifier = createVerifier<Claims>({ issuers: trusted, audience, realm, tokenType: 'at+jwt', isRevoked: revocations });
// DPoP (RFC 9449): tokens bound to the client's key, each request signed with a fresh proof.
// Proofs name this server's external URL (RESOURCE_URL behind a proxy), never its Host header;
// each proof is used once, across instances with REDIS_URL. Bearer tokens stay accepted.
const externalUrl = process.env.RESOURCE_URL ?? origin;
const dpop: DPoPOptions = { externalUrl, mode: 'allowed', replayStore: replays };
const tokenProofs = createDPoPVerifier({ externalUrl, replayStore: replays });
// RFC 9728: the metadata that tells clients which authorization server issues tokens for this
// API and how to present them; every 401 challenge names it (resource_metadata).
const metadata = createProtectedResourceMetadata({
  resource: externalUrl,
  authorizationServers: [issuerId],
  bearerMethodsSupported: ['header'],
  dpopSigningAlgValuesSupported: [...DEFAULT_DPOP_ALGORITHMS],
});
const auth = jwtAuth({ verifier, dpop, resourceMetadata: metadata.url });
const maybeAuth = jwtAuth({ verifier, optional: true, dpop, resourceMetadata: metadata.url });

// A 15-minute access token and the refresh token beside it. Scope and roles come from the
// server's data, never from the refresh token; sid names the login session (the family). With a
// DPoP proof (jkt, its key's thumbprint), the token is bound to that key.
async function tokenResponse(username: string, user: User, session: { family: string; refreshToken: string }, jkt: string | undefined) {
  const accessToken = await issuer.sign({ sub: username, scope: user.scope, roles: user.roles, sid: session.family }, jkt === undefined ? {} : { jkt });
  return { access_token: accessToken, token_type: jkt === undefined ? 'Bearer' : 'DPoP', expires_in: 900, refresh_token: session.refreshToken };
}

function fail(ctx: Context, status: number, error: string, description: string, challengeError?: string): void {
  ctx.set('WWW-Authenticate', buildChallenge({ realm, ...(challengeError ? { error: challengeError, errorDescription: description } : {}), ...(status === 401 ? { resourceMetadata: metadata.url } : {}) }));
  ctx.status = status;
  ctx.body = { error, error_description: description };
}

// The DPoP proof of a token request: its key's thumbprint, undefined without a proof, or null
// once a 400 invalid_dpop_proof was set. A store that cannot answer is a 503 (thrown).
async function tokenProof(ctx: Context): Promise<string | undefined | null> {
  const proof = ctx.request.headers['dpop'];
  if (proof === undefined) return undefined;
  try {
    return (await tokenProofs.verify({ proof, method: ctx.method, url: ctx.originalUrl })).jkt;
  } catch (error) {
    if (isAuthError(error) && error.status === 503) throw error;
    fail(ctx, 400, 'invalid_dpop_proof', 'Invalid DPoP proof');
    return null;
  }
}

// 503 while a shared store cannot answer (Redis down): never a login let through unthrottled.
function unavailable(ctx: Context): void {
  ctx.set('Retry-After', '5');
  ctx.status = 503;
  ctx.body = { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable' };
}

// 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3): the whole seconds until the window closes.
function slowDown(ctx: Context, retryAfter: number): void {
  ctx.set('Retry-After', String(retryAfter));
  fail(ctx, 429, 'slow_down', 'Too many failed logins: try again later');
}

// The token endpoints take JSON in UTF-8, uncompressed, up to 4 KiB (credentials and a refresh
// token need far less); every example refuses anything else with the same status and error.
// Only the spellings every parser reads alike pass: application/json, optionally with
// charset=utf-8. A Content-Encoding is refused, not inflated: nothing here needs compression.
const JSON_CONTENT_TYPE = /^application\/json *(?:; *charset *= *(?:utf-8|"utf-8") *)?$/i;

function bodyFormatProblem(contentType: string | undefined, contentEncoding: string | undefined): string | undefined {
  if (!JSON_CONTENT_TYPE.test(contentType ?? '')) return 'The request body must be JSON in UTF-8 (Content-Type: application/json)';
  if (!['', 'identity'].includes((contentEncoding ?? '').trim().toLowerCase())) return 'The request body must not be compressed (no Content-Encoding)';
  return undefined;
}

// The body of the token endpoints: its format checked before a byte is read, then parsed (not
// strict: any JSON value parses, and the route says what it lacks). Content-Type lines are read
// joined, as fetch joins them (Node keeps only the first): two are refused, not the first believed.
// The parser refuses a JSON object with a __proto__ key as invalid JSON: the key only serves
// prototype poisoning.
const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: '4kb', jsonStrict: false });
async function jsonBody(ctx: Context, next: Next): Promise<void> {
  const problem = bodyFormatProblem(ctx.req.headersDistinct['content-type']?.join(', '), ctx.get('content-encoding'));
  if (problem !== undefined) return fail(ctx, 415, 'invalid_request', problem, 'invalid_request');
  await parseJson(ctx, next);
}

const router = new Router();

router.get('/health', (ctx) => {
  ctx.body = { status: 'ok' };
});

// 2. Log in: check the password, start a login session (a refresh token family), sign an
// access token. Token responses are never cached (RFC 6749 §5.1). Failures are throttled per
// username and client address (ctx.ip: the socket's address, unless app.proxy is set).
router.post('/login', jsonBody, async (ctx) => {
  const { username, password } = (ctx.request.body ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') {
    return fail(ctx, 400, 'invalid_request', 'username and password are required', 'invalid_request');
  }
  const jkt = await tokenProof(ctx);
  if (jkt === null) return;
  const key = throttleKey(username, ctx.ip);
  let retryAfter: number | undefined;
  try {
    retryAfter = await throttle.attempt(key);
  } catch {
    return unavailable(ctx);
  }
  if (retryAfter !== undefined) return slowDown(ctx, retryAfter);
  const user = findUser(username);
  if (user === undefined || user.password !== password) {
    return fail(ctx, 401, 'invalid_grant', 'Wrong username or password');
  }
  // Not clearing the count (Redis down) costs nothing worse than a count that expires.
  await throttle.success(key).catch(() => {});
  const session = await refresh.issue({ sub: username }, { jkt });
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await tokenResponse(username, user, session, jkt);
});

// 3. Refresh: a refresh token buys a new access token and the next refresh token, once. A
// refresh token that comes back a second time was copied: redeem() then revokes its whole
// family, so the copy and the user's own tokens stop working together. Every refused refresh
// token gets the same 400 invalid_grant (RFC 6749 §5.2), whatever the reason.
router.post('/token/refresh', jsonBody, async (ctx) => {
  const { grant_type: grantType, refresh_token: refreshToken } = (ctx.request.body ?? {}) as { grant_type?: unknown; refresh_token?: unknown };
  if (typeof refreshToken !== 'string' || refreshToken === '') return fail(ctx, 400, 'invalid_request', 'refresh_token is required', 'invalid_request');
  if (grantType !== undefined && grantType !== 'refresh_token') return fail(ctx, 400, 'unsupported_grant_type', 'Only the refresh_token grant is supported');
  const jkt = await tokenProof(ctx);
  if (jkt === null) return;
  // A refresh token of a DPoP login is redeemed only with a proof of the same key.
  let wrongKey = false;
  const redeemed = await refresh.redeem(refreshToken, { jkt }).catch((error: unknown) => {
    if (isAuthError(error) && error.status < 500) {
      wrongKey = error.code === 'ERR_DPOP_PROOF_INVALID' || error.code === 'ERR_DPOP_KEY_MISMATCH';
      return undefined;
    }
    throw error; // 503, the store is down: answered by the error middleware below
  });
  if (wrongKey) return fail(ctx, 400, 'invalid_dpop_proof', 'The refresh token needs a DPoP proof of its key');
  const user = findUser(redeemed?.claims.sub);
  if (redeemed === undefined || user === undefined) return fail(ctx, 400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await tokenResponse(redeemed.claims.sub as string, user, redeemed, jkt);
});

// 4. Protected routes: jwtAuth verifies the bearer token and sets ctx.state.auth.
router.get('/me', auth, (ctx) => {
  const { claims } = ctx.state.auth;
  ctx.body = { sub: claims.sub, scope: claims.scope, roles: claims.roles, claims };
});

// 5. Authorization by claims: the requireRoles guard lets only admins through; its 403 goes
// through the error middleware below.
router.get('/admin', auth, requireRoles('admin'), (ctx) => {
  ctx.body = { message: `Hello, admin ${ctx.state.auth.claims.sub}` };
});

// 6. Log out: the login ends everywhere. Its family (sid) is revoked, so every instance refuses
// its refresh tokens and access tokens, within a second with REDIS_URL. A token of another
// issuer (single sign-on) is revoked alone, by its iss and jti.
async function logOut(session: VerifiedToken<Claims>): Promise<void> {
  const { sid, jti } = session.claims;
  try {
    if (session.issuer === issuerId && typeof sid === 'string') await refresh.revokeFamily(sid);
    else if (typeof jti === 'string') await revocations.revokeToken(session);
  } catch (error) {
    throw isAuthError(error) ? error : new AuthError('ERR_REVOCATION_UNAVAILABLE', { cause: error });
  }
}

router.post('/logout', auth, async (ctx) => {
  await logOut(ctx.state.auth);
  ctx.status = 204;
});

// 7. Optional authentication: anyone may call, a valid token adds a name, a bad one is refused.
router.get('/hello', maybeAuth, (ctx) => {
  ctx.body = { message: `Hello, ${ctx.state.auth?.claims.sub ?? 'stranger'}` };
});

router.get('/.well-known/jwks.json', async (ctx) => {
  ctx.set('Cache-Control', 'public, max-age=300');
  ctx.body = await issuer.jwks();
});

const app = new Koa();

// Errors: jwt-gate's AuthError carries status, headers (the challenge) and a JSON body. Koa's
// default handler would answer with the same status and challenge, in plain text. The body
// parser throws a SyntaxError (status 400) for invalid JSON and a 413 for a body too large;
// any other error is logged and answered without its message.
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (isAuthError(error)) {
      ctx.set(error.headers);
      ctx.status = error.status;
      ctx.body = error.body;
      return;
    }
    const { status, expose } = (error ?? {}) as { status?: number; expose?: boolean };
    if (status === 413) return fail(ctx, 413, 'invalid_request', 'The request body is too large', 'invalid_request');
    if (status === 400 && error instanceof SyntaxError) return fail(ctx, 400, 'invalid_request', 'The request body is not valid JSON', 'invalid_request');
    if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
      return fail(ctx, status, 'invalid_request', 'The request could not be read', 'invalid_request');
    }
    ctx.app.emit('error', error, ctx);
    ctx.status = 500;
    ctx.body = { error: 'server_error', error_description: 'Internal server error' };
  }
});
// An unknown route: a JSON 404, like the other examples, instead of Koa's plain-text one. Checked
// on the way back, after the router's allowedMethods has answered 405 for a known path.
app.use(async (ctx, next) => {
  await next();
  if (ctx.status === 404 && ctx.body === undefined) {
    // Set first: Koa turns a body set without an explicit status into a 200.
    ctx.status = 404;
    ctx.body = { error: 'not_found', error_description: 'Not found' };
  }
});
// The RFC 9728 metadata at /.well-known/oauth-protected-resource, open to every client.
app.use(protectedResourceMetadata(metadata));
app.use(router.routes()).use(router.allowedMethods());

// Refuses to start if a route guard has no jwtAuth in front of it.
assertGuarded(app);
app.listen(port, host, () => {
  console.log(`jwt-gate Koa example on http://${host}:${port} (${key ? 'ES256, fresh key pair' : 'HS256, JWT_SECRET'})`);
});
