import { isAuthError, type AuthResult, type JWTPayload, type Verifier } from '@jwt-gate/core';
import {
  createMiddleware,
  headersRequestView,
  markAuthentication,
  reportRefusal,
  sessionResult,
  type AuthSession,
  type ErrorMode,
  type Middleware as KitMiddleware,
  type MiddlewareOptions,
  type RequestView,
} from '@jwt-gate/core/adapter';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { getSignedCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`), and
 * `optional`, `cookie` (`{ name, signed: secret }` for a cookie signed with Hono's
 * `setSignedCookie`), `tokenHeader`, `getToken`, `policy`, `errors` and `onError`.
 */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = MiddlewareOptions<TClaims, Context>;

/** The variables `jwtAuth()` sets: `c.var.auth`, and the session its guards read. */
export interface AuthVariables<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token: `claims`, `header`, `issuer` and the raw `token`. */
  auth: AuthResult<TClaims>;
  /** What `jwtAuth()` recorded for the route guards and `getAuth`. */
  jwtGate: AuthSession<TClaims>;
}

/** The variables `jwtAuth({ optional: true })` sets: `c.var.auth`, undefined when anonymous. */
export interface OptionalAuthVariables<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token, or undefined for an anonymous request. */
  auth: AuthResult<TClaims> | undefined;
  /** What `jwtAuth()` recorded for the route guards and `getAuth`. */
  jwtGate: AuthSession<TClaims>;
}

// The session of a request lives in Hono's context variables, where the route guards and
// getAuth find it.
const SESSION = 'jwtGate';

function sessionOf(c: Context): AuthSession | undefined {
  return c.get(SESSION as never) as AuthSession | undefined;
}

/** The request as the core sees it: the Fetch headers of `c.req.raw`. */
export function requestView(c: Context): RequestView {
  return headersRequestView(c.req.raw.headers, c.req.method, 'jwtAuth', c.req.url);
}

/** The request view, with a signed cookie read through Hono's `getSignedCookie` when asked for one. */
function authenticationView(c: Context, signed: KitMiddleware['signedCookie']): RequestView | Promise<RequestView> {
  const view = requestView(c);
  if (signed === undefined) return view;
  return getSignedCookie(c, signed.secret as string, signed.name).then((value) => ({
    ...view,
    // false: a cookie whose signature failed, an invalid token, never an absent one.
    cookie: () => (value === false ? '!' : value),
  }));
}

/**
 * A refusal the way `mode` says: the RFC 6750 response, returned (`respond`) or thrown as the
 * `HTTPException` carrying it (`next`), with the `AuthError` as its cause. Anything else is thrown.
 */
function refuse(c: Context, error: unknown, mode: ErrorMode): Response {
  if (!isAuthError(error)) throw error;
  const res = c.json(error.body, error.status as ContentfulStatusCode, error.headers);
  if (mode === 'next') throw new HTTPException(error.status as ContentfulStatusCode, { res, cause: error });
  return res;
}

/** Checks a route guard against the request's session, then continues or refuses the way its `jwtAuth()` does. */
export async function guardRequest(check: (session: AuthSession | undefined, c: Context) => Promise<unknown>, c: Context, next: Next): Promise<Response | void> {
  const session = sessionOf(c);
  try {
    await check(session, c);
  } catch (error) {
    (session?.report ?? reportRefusal)(error, c);
    return refuse(c, error, session?.errors ?? 'respond');
  }
  await next();
}

/**
 * Hono middleware that authenticates the request with a bearer token and sets `c.var.auth`,
 * typed through the middleware's generics. Create it once, at start-up.
 *
 * Refusals are {@link AuthError}s. By default (`errors: 'respond'`) the middleware returns the
 * RFC 6750 response (status, `WWW-Authenticate`, JSON body); `errors: 'next'` throws it as an
 * `HTTPException` (the `AuthError` is its `cause`), for `app.onError`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { jwtAuth } from '@jwt-gate/hono';
 *
 * const app = new Hono();
 * app.get('/me', jwtAuth({ issuer, audience: 'orders-api', jwksUri }), (c) => c.json({ sub: c.var.auth.claims.sub }));
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> & { optional: true }): MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims>,
): MiddlewareHandler<{ Variables: AuthVariables<TClaims> }>;
// `optional` known only at run time: typed as possibly anonymous.
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims>): MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> | Verifier<TClaims>,
): MiddlewareHandler<{ Variables: AuthVariables<TClaims> }> | MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }> {
  const middleware = createMiddleware<TClaims, Context>(options);
  if (middleware.signedCookie !== undefined && middleware.signedCookie.secret === undefined) {
    throw new TypeError("jwtAuth: on Hono, cookie.signed is the signing secret given to setSignedCookie: { name, signed: secret }");
  }
  return markAuthentication(async function jwtAuthMiddleware(c: Context<{ Variables: OptionalAuthVariables<TClaims> }>, next: Next): Promise<Response | void> {
    return middleware.handle<Response | void>(
      () => authenticationView(c, middleware.signedCookie),
      c,
      (session) => {
        c.set(SESSION, session);
        c.set('auth', session.result ?? undefined);
        return next();
      },
      (error) => refuse(c, error, middleware.errors),
    );
  });
}

/**
 * The verified token of a request, typed with your claims. Throws {@link AuthError}
 * `ERR_TOKEN_MISSING` for an anonymous request and `ERR_CONFIG_INVALID` when `jwtAuth()` did
 * not run before.
 *
 * @example
 * ```ts
 * app.get('/tenant', jwtAuth(options), (c) => c.json({ tenant: getAuth<Claims>(c).claims.tenant }));
 * ```
 */
export function getAuth<TClaims extends JWTPayload = JWTPayload>(c: Context): AuthResult<TClaims> {
  return sessionResult(sessionOf(c)) as AuthResult<TClaims>;
}
