import { AuthError, isAuthError, type AuthResult, type JWTPayload, type Verifier } from '@jwt-gate/core';
import {
  createMiddleware,
  markAuthentication,
  nodeRequestView,
  reportRefusal,
  sessionResult,
  type AuthSession,
  type ErrorMode,
  type Middleware,
  type MiddlewareOptions,
  type RequestView,
} from '@jwt-gate/core/adapter';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * The claims `request.auth` is typed with. Add yours by declaration merging, once for the app:
 *
 * @example
 * ```ts
 * declare module '@jwt-gate/fastify' {
 *   interface AuthClaims { tenant: string; roles: string[] }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface, so applications can merge their claims into it
export interface AuthClaims extends JWTPayload {}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified token, set by the `jwtGate` plugin's hook or a `jwtAuth()` hook: `claims`,
     * `header`, `issuer` and the raw `token`. `null` for an anonymous request under optional
     * authentication, and in the plugin's scope on routes it leaves open; absent where neither
     * the plugin nor a hook reached. For your own claims type per route, use
     * `getAuth<Claims>(request)`.
     */
    auth?: AuthResult<AuthClaims> | null;
  }
}

/**
 * Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`), and
 * `optional`, `cookie` (`{ name, signed: true }` for a cookie signed by `@fastify/cookie`),
 * `tokenHeader`, `getToken`, `policy`, `errors` and `onError`.
 */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = MiddlewareOptions<TClaims, FastifyRequest>;

/**
 * A Fastify hook, in the callback style: use it as a route's `onRequest` or `preHandler`, or
 * app-wide with `addHook('onRequest', ...)`.
 */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** The hook `jwtAuth()` returns, with an accessor typed with its claims. */
export type JwtAuthHook<TClaims extends JWTPayload = JWTPayload> = AuthHook & {
  /**
   * The verified token of a request this hook authenticated, typed with its claims. Throws an
   * `AuthError`: `ERR_TOKEN_MISSING` for an anonymous request, `ERR_CONFIG_INVALID` when no
   * jwt-gate hook ran before.
   */
  getAuth(request: FastifyRequest): AuthResult<TClaims>;
};

// The session of each request, where the route guards and getAuth find it: kept beside the
// request rather than on it, so nothing but `request.auth` is added to Fastify's object.
const sessions = new WeakMap<FastifyRequest, AuthSession>();

/** The session `authenticate` recorded for a request. */
export function sessionOf(request: FastifyRequest): AuthSession | undefined {
  return sessions.get(request);
}

/** The request as the core sees it: `request.headers`, Node's raw lines only to see a repeated Authorization. */
export function requestView(request: FastifyRequest): RequestView {
  return nodeRequestView({ method: request.method, url: request.url, headers: request.headers, rawHeaders: request.raw?.rawHeaders });
}

// What @fastify/cookie adds to a request, read only for a signed cookie.
interface CookieRequest {
  cookies?: Readonly<Record<string, string | undefined>>;
  unsignCookie?: (value: string) => { valid: boolean; value: string | null };
}

/** The request view, with a cookie signed by @fastify/cookie read through `request.unsignCookie` when asked for one. */
function authenticationView(request: FastifyRequest, signed: Middleware['signedCookie']): RequestView {
  const view = requestView(request);
  if (signed === undefined) return view;
  const { cookies, unsignCookie } = request as FastifyRequest & CookieRequest;
  if (typeof cookies !== 'object' || cookies === null || typeof unsignCookie !== 'function') {
    throw new AuthError('ERR_CONFIG_INVALID', { message: 'jwtAuth: cookie.signed needs @fastify/cookie, registered with a secret before jwt-gate' });
  }
  return {
    ...view,
    cookie(name: string) {
      const raw = Object.hasOwn(cookies, name) ? cookies[name] : undefined;
      if (typeof raw !== 'string') return undefined;
      const unsigned = unsignCookie.call(request, raw);
      // A cookie whose signature failed is an invalid token, never an absent one.
      return unsigned.valid && typeof unsigned.value === 'string' ? unsigned.value : '!';
    },
  };
}

/**
 * A refusal the way `mode` says: the RFC 6750 response sent on `reply` (`respond`), or the
 * error handed to Fastify's error path, `setErrorHandler` (`next`). Anything else goes there too.
 */
function refuse(error: unknown, reply: FastifyReply, done: HookHandlerDoneFunction, mode: ErrorMode): void {
  if (!isAuthError(error) || mode === 'next') return done(error as Error);
  void reply.code(error.status).headers(error.headers).send(error.body);
}

/** Reports a refusal of `middleware` and answers it in its error mode. */
export function refuseRequest(middleware: Middleware<JWTPayload, FastifyRequest>, error: unknown, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  middleware.report(error, request);
  refuse(error, reply, done, middleware.errors);
}

/** Checks a route guard against the request's session, then continues or refuses the way its authentication does. */
export function guardRequest(check: (session: AuthSession | undefined, request: FastifyRequest) => Promise<unknown>, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const session = sessionOf(request);
  check(session, request).then(
    () => done(),
    (error: unknown) => {
      (session?.report ?? reportRefusal)(error, request);
      refuse(error, reply, done, session?.errors ?? 'respond');
    },
  );
}

/** Authenticates one request with `middleware`, sets `request.auth`, then continues or refuses. */
export function authenticate(middleware: Middleware<JWTPayload, FastifyRequest>, request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  // The kit answers without a promise where it can; the hook never returns one, so Fastify waits for done.
  void middleware.handle(
    () => authenticationView(request, middleware.signedCookie),
    request,
    (session) => {
      sessions.set(request, session);
      request.auth = session.result as AuthResult<AuthClaims> | null;
      done();
    },
    (error) => refuse(error, reply, done, middleware.errors),
  );
}

/** Refuses `cookie.signed` given as a secret: on Fastify, @fastify/cookie holds the secret. */
export function checkSignedCookie(middleware: Middleware<JWTPayload, FastifyRequest>, where: string): void {
  if (middleware.signedCookie?.secret !== undefined) throw new TypeError(`${where}: cookie.signed is true on Fastify; the secret is the one given to @fastify/cookie`);
}

/**
 * A Fastify hook that authenticates the request with a bearer token and sets `request.auth`.
 * Put it on a route (`onRequest` or `preHandler`), or on a scope with `addHook`. Create it once,
 * at start-up; keys are imported and options validated then. To authenticate every route of a
 * scope, with per-route settings, register the {@link jwtGate} plugin instead.
 *
 * Refusals are {@link AuthError}s: 400 `invalid_request`, 401 (with `invalid_token` once a token
 * was sent), 403 `insufficient_scope` (from the `policy` option), 503 when keys cannot be had.
 * By default (`errors: 'respond'`) the hook answers them itself with the RFC 6750 response;
 * `errors: 'next'` hands them to Fastify's error path (`setErrorHandler`; Fastify's default
 * handler keeps their status and `WWW-Authenticate`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { jwtAuth, requireScopes } from '@jwt-gate/fastify';
 *
 * const auth = jwtAuth<{ sub: string; tenant: string }>({ issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' });
 * const app = Fastify();
 * app.get('/me', { onRequest: auth }, (request) => ({ tenant: auth.getAuth(request).claims.tenant }));
 * app.post('/orders', { onRequest: auth, preHandler: requireScopes('orders:write') }, async (request, reply) => reply.code(201).send());
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims>): JwtAuthHook<TClaims> {
  const middleware = createMiddleware<TClaims, FastifyRequest>(options) as Middleware<JWTPayload, FastifyRequest>;
  checkSignedCookie(middleware, 'jwtAuth');
  const hook = markAuthentication(function jwtAuthHook(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    authenticate(middleware, request, reply, done);
  });
  return Object.assign(hook, { getAuth: (request: FastifyRequest) => getAuth<TClaims>(request) });
}

/**
 * The verified token of a request, typed with your claims. Throws {@link AuthError}
 * `ERR_TOKEN_MISSING` for an anonymous request and `ERR_CONFIG_INVALID` when no jwt-gate hook
 * ran before the handler.
 *
 * @example
 * ```ts
 * interface Claims extends JWTPayload { scope: string; tenant: string }
 * app.get('/tenant', (request) => ({ tenant: getAuth<Claims>(request).claims.tenant }));
 * ```
 */
export function getAuth<TClaims extends JWTPayload = AuthClaims>(request: FastifyRequest): AuthResult<TClaims> {
  return sessionResult(sessionOf(request)) as AuthResult<TClaims>;
}
