// jwt-gate example on plain fetch handlers (Request -> Response), no framework: log in, get a
// token, call protected routes. The same file runs on Node (through @hono/node-server), Bun
// (Bun.serve) and Deno (Deno.serve).
// Start: npm start -- fetch   (README.md walks through it with curl, and shows Bun and Deno)

import {
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
  withAuth,
  type AuthResult,
  type DPoPOptions,
  type FailureStore,
  type JWTPayload,
  type KeysEvent,
  type RefusedEvent,
  type ReplayStore,
  type RevocationStore,
  type TrustedIssuer,
  type VerifiedToken,
} from '@jwt-gate/fetch';
import { createRedisFailureStore, createRedisReplayStore, createRedisRevocationStore } from '@jwt-gate/redis';
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
const port = Number(process.env.PORT ?? 3004);
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
// One verifier, shared by every protected route, so they share its keys and its JWKS cache. It
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
const serveMetadata = protectedResourceMetadata(metadata);
const auth = jwtAuth({ verifier, dpop, resourceMetadata: metadata.url });
const maybeAuth = jwtAuth({ verifier, optional: true, dpop, resourceMetadata: metadata.url });

// A 15-minute access token and the refresh token beside it. Scope and roles come from the
// server's data, never from the refresh token; sid names the login session (the family). With a
// DPoP proof (jkt, its key's thumbprint), the token is bound to that key.
async function tokenResponse(username: string, user: User, session: { family: string; refreshToken: string }, jkt: string | undefined): Promise<Response> {
  const accessToken = await issuer.sign({ sub: username, scope: user.scope, roles: user.roles, sid: session.family }, jkt === undefined ? {} : { jkt });
  const body = { access_token: accessToken, token_type: jkt === undefined ? 'Bearer' : 'DPoP', expires_in: 900, refresh_token: session.refreshToken };
  // Token responses are never cached (RFC 6749 §5.1).
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}

function fail(status: number, error: string, description: string, challengeError?: string, headers: Record<string, string> = {}): Response {
  const challenge = buildChallenge({ realm, ...(challengeError ? { error: challengeError, errorDescription: description } : {}), ...(status === 401 ? { resourceMetadata: metadata.url } : {}) });
  return Response.json({ error, error_description: description }, { status, headers: { ...headers, 'www-authenticate': challenge } });
}

// The DPoP proof of a token request: its key's thumbprint, undefined without a proof, or the 400
// invalid_dpop_proof response. A store that cannot answer is a 503 (thrown).
async function tokenProof(request: Request): Promise<string | undefined | Response> {
  const proof = request.headers.get('dpop');
  if (proof === null) return undefined;
  try {
    return (await tokenProofs.verify({ proof, method: request.method, url: request.url })).jkt;
  } catch (error) {
    if (isAuthError(error) && error.status === 503) throw error;
    return fail(400, 'invalid_dpop_proof', 'Invalid DPoP proof');
  }
}

// 503 while a shared store cannot answer (Redis down): never a login let through unthrottled.
function unavailable(): Response {
  return Response.json({ error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable' }, { status: 503, headers: { 'retry-after': '5' } });
}

// 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3): the whole seconds until the window closes.
function slowDown(retryAfter: number): Response {
  return fail(429, 'slow_down', 'Too many failed logins: try again later', undefined, { 'retry-after': String(retryAfter) });
}

// The token endpoints take JSON in UTF-8, uncompressed, up to 4 KiB (credentials and a refresh
// token need far less); every example refuses anything else with the same status and error.
// Only the spellings every parser reads alike pass: application/json, optionally with
// charset=utf-8. A Content-Encoding is refused, not inflated: nothing here needs compression.
const JSON_CONTENT_TYPE = /^application\/json *(?:; *charset *= *(?:utf-8|"utf-8") *)?$/i;
const MAX_BODY_BYTES = 4 * 1024;

function bodyFormatProblem(contentType: string | null, contentEncoding: string | null): string | undefined {
  if (!JSON_CONTENT_TYPE.test(contentType ?? '')) return 'The request body must be JSON in UTF-8 (Content-Type: application/json)';
  if (!['', 'identity'].includes((contentEncoding ?? '').trim().toLowerCase())) return 'The request body must not be compressed (no Content-Encoding)';
  return undefined;
}

// A JSON object with a __proto__ key is refused as invalid JSON, as Koa's body parser does: the
// key only serves prototype poisoning.
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('Forbidden prototype property');
  return value;
}

const tooLarge = () => fail(413, 'invalid_request', 'The request body is too large', 'invalid_request');

// The request body, at most MAX_BODY_BYTES: a declared length over it is refused before a byte
// is read, and a body without one (chunked) is read until it passes the limit, then dropped.
async function readLimited(request: Request): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (!(declared <= MAX_BODY_BYTES)) return undefined;
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

// The body of the token endpoints, in three steps: its format checked before a byte is read,
// its size limited, then parsed. Any JSON value parses, and the route says what it lacks; an
// empty body is one without fields, as in the other examples. Resolves to the parsed value, or
// to the response refusing it.
async function jsonBody(request: Request): Promise<{ body: unknown } | Response> {
  const problem = bodyFormatProblem(request.headers.get('content-type'), request.headers.get('content-encoding'));
  if (problem !== undefined) return fail(415, 'invalid_request', problem, 'invalid_request');
  const bytes = await readLimited(request);
  if (bytes === undefined) return tooLarge();
  const text = new TextDecoder().decode(bytes);
  try {
    return { body: text === '' ? {} : JSON.parse(text, refusePrototypeKeys) };
  } catch {
    return fail(400, 'invalid_request', 'The request body is not valid JSON', 'invalid_request');
  }
}

/** A route's handler: the request and the client's address (for the login throttle). */
type Route = (request: Request, clientAddress: string | undefined) => Response | Promise<Response>;

const routes = new Map<string, Route>();

routes.set('GET /health', () => Response.json({ status: 'ok' }));

// 2. Log in: check the password, start a login session (a refresh token family), sign an
// access token. Failures are throttled per username and client address (each runtime's server
// tells the address, see the end of this file).
routes.set('POST /login', async (request, clientAddress) => {
  const parsed = await jsonBody(request);
  if (parsed instanceof Response) return parsed;
  const { username, password } = (parsed.body ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') {
    return fail(400, 'invalid_request', 'username and password are required', 'invalid_request');
  }
  const jkt = await tokenProof(request);
  if (jkt instanceof Response) return jkt;
  const key = throttleKey(username, clientAddress);
  let retryAfter: number | undefined;
  try {
    retryAfter = await throttle.attempt(key);
  } catch {
    return unavailable();
  }
  if (retryAfter !== undefined) return slowDown(retryAfter);
  const user = findUser(username);
  if (user === undefined || user.password !== password) return fail(401, 'invalid_grant', 'Wrong username or password');
  // Not clearing the count (Redis down) costs nothing worse than a count that expires.
  await throttle.success(key).catch(() => {});
  const session = await refresh.issue({ sub: username }, { jkt });
  return tokenResponse(username, user, session, jkt);
});

// 3. Refresh: a refresh token buys a new access token and the next refresh token, once. A
// refresh token that comes back a second time was copied: redeem() then revokes its whole
// family, so the copy and the user's own tokens stop working together. Every refused refresh
// token gets the same 400 invalid_grant (RFC 6749 §5.2), whatever the reason.
routes.set('POST /token/refresh', async (request) => {
  const parsed = await jsonBody(request);
  if (parsed instanceof Response) return parsed;
  const { grant_type: grantType, refresh_token: refreshToken } = (parsed.body ?? {}) as { grant_type?: unknown; refresh_token?: unknown };
  if (typeof refreshToken !== 'string' || refreshToken === '') return fail(400, 'invalid_request', 'refresh_token is required', 'invalid_request');
  if (grantType !== undefined && grantType !== 'refresh_token') return fail(400, 'unsupported_grant_type', 'Only the refresh_token grant is supported');
  const jkt = await tokenProof(request);
  if (jkt instanceof Response) return jkt;
  // A refresh token of a DPoP login is redeemed only with a proof of the same key.
  let wrongKey = false;
  const redeemed = await refresh.redeem(refreshToken, { jkt }).catch((error: unknown) => {
    if (isAuthError(error) && error.status < 500) {
      wrongKey = error.code === 'ERR_DPOP_PROOF_INVALID' || error.code === 'ERR_DPOP_KEY_MISMATCH';
      return undefined;
    }
    throw error; // 503, the store is down: answered by handle() below
  });
  if (wrongKey) return fail(400, 'invalid_dpop_proof', 'The refresh token needs a DPoP proof of its key');
  const user = findUser(redeemed?.claims.sub);
  if (redeemed === undefined || user === undefined) return fail(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
  return tokenResponse(redeemed.claims.sub as string, user, redeemed, jkt);
});

// 4. Protected routes: withAuth verifies the bearer token and hands the handler the result; a
// refused request gets the RFC 6750 response (status, challenge, JSON body) and the handler
// does not run.
routes.set(
  'GET /me',
  withAuth((_request, { claims }: AuthResult<Claims>) => Response.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims }), auth),
);

// 5. Authorization by claims: the requireRoles guard wraps the handler and lets only admins
// through; others get 403 insufficient_scope.
routes.set(
  'GET /admin',
  withAuth(
    requireRoles('admin')((_request, { claims }: AuthResult<Claims>) => Response.json({ message: `Hello, admin ${claims.sub}` })),
    auth,
  ),
);

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

routes.set(
  'POST /logout',
  withAuth(async (_request, session: AuthResult<Claims>) => {
    await logOut(session);
    return new Response(null, { status: 204 });
  }, auth),
);

// 7. Optional authentication: anyone may call, a valid token adds a name, a bad one is refused.
routes.set(
  'GET /hello',
  withAuth((_request, result: AuthResult<Claims> | undefined) => Response.json({ message: `Hello, ${result?.claims.sub ?? 'stranger'}` }), maybeAuth),
);

routes.set('GET /.well-known/jwks.json', async () => Response.json(await issuer.jwks(), { headers: { 'cache-control': 'public, max-age=300' } }));

// The whole app: the route for the method and path, or 404. An AuthError a route throws (the
// revocation store down: 503) carries its response (status, headers, JSON body); any other
// error is logged and answered without its message.
async function handle(request: Request, clientAddress: string | undefined): Promise<Response> {
  const served = serveMetadata(request);
  if (served !== undefined) return served;
  const route = routes.get(`${request.method} ${new URL(request.url).pathname}`);
  try {
    if (route === undefined) return Response.json({ error: 'not_found', error_description: 'Not found' }, { status: 404 });
    return await route(request, clientAddress);
  } catch (error) {
    if (isAuthError(error)) return Response.json(error.body, { status: error.status, headers: error.headers });
    console.error(error);
    return Response.json({ error: 'server_error', error_description: 'Internal server error' }, { status: 500 });
  }
}

// 8. Serve: the runtime's own server, each telling the client's address its own way.
interface RuntimeGlobals {
  Bun?: {
    serve(options: {
      hostname: string;
      port: number;
      fetch: (request: Request, server: { requestIP(request: Request): { address: string } | null }) => Promise<Response>;
    }): unknown;
  };
  Deno?: {
    serve(
      options: { hostname: string; port: number; onListen: () => void },
      handler: (request: Request, info: { remoteAddr: { hostname?: string } }) => Promise<Response>,
    ): unknown;
  };
}

const { Bun, Deno } = globalThis as RuntimeGlobals;
const started = (runtime: string) => console.log(`jwt-gate fetch example on ${runtime}, http://${host}:${port} (${key ? 'ES256, fresh key pair' : 'HS256, JWT_SECRET'})`);
if (Bun !== undefined) {
  Bun.serve({ hostname: host, port, fetch: (request, server) => handle(request, server.requestIP(request)?.address) });
  started('Bun');
} else if (Deno !== undefined) {
  Deno.serve({ hostname: host, port, onListen: () => started('Deno') }, (request, info) => handle(request, info.remoteAddr.hostname));
} else {
  // Node: @hono/node-server turns node:http's requests into fetch Requests, and hands over the
  // incoming message, whose socket knows the client's address.
  const { serve } = await import('@hono/node-server');
  serve(
    { hostname: host, port, fetch: (request, bindings) => handle(request, 'socket' in bindings.incoming ? bindings.incoming.socket.remoteAddress : undefined) },
    () => started('Node'),
  );
}
