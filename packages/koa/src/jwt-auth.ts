import { isAuthError, type AuthResult, type JWTPayload, type Verifier } from '@jwt-gate/core';
import { AuthError } from '@jwt-gate/core';
import {
  createMiddleware,
  markAuthentication,
  nodeRequestView,
  reportRefusal,
  sessionResult,
  type AuthSession,
  type ErrorMode,
  type Middleware as KitMiddleware,
  type MiddlewareOptions,
  type RequestView,
} from '@jwt-gate/core/adapter';
import type { Context, Middleware, Next } from 'koa';

/**
 * Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`), and
 * `optional`, `cookie`, `tokenHeader`, `getToken`, `policy`, `errors` and `onError`.
 */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = MiddlewareOptions<TClaims, Context>;

/** The state `jwtAuth()` adds: `ctx.state.auth`. */
export interface AuthState<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token: `claims`, `header`, `issuer` and the raw `token`. */
  auth: AuthResult<TClaims>;
}

/** The state `jwtAuth({ optional: true })` adds: `ctx.state.auth`, undefined when anonymous. */
export interface OptionalAuthState<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token, or undefined for an anonymous request. */
  auth: AuthResult<TClaims> | undefined;
}

// The session of a request lives in `ctx.state`, Koa's namespace for passing data between
// middleware, where the route guards and getAuth find it.
const SESSION = 'jwtGate';

function sessionOf(ctx: Context): AuthSession | undefined {
  const state = ctx.state as Record<string, unknown>;
  return Object.hasOwn(state, SESSION) ? (state[SESSION] as AuthSession) : undefined;
}

/**
 * The request as the core sees it: `ctx.request.headers`, Node's raw lines only to see a repeated
 * Authorization, and a signed cookie through `ctx.cookies` when asked for one.
 */
export function requestView(ctx: Context, signed?: KitMiddleware['signedCookie']): RequestView {
  const view = nodeRequestView({ method: ctx.method, originalUrl: ctx.originalUrl, headers: ctx.request.headers, rawHeaders: ctx.req?.rawHeaders });
  if (signed === undefined) return view;
  if (ctx.app.keys === undefined || (Array.isArray(ctx.app.keys) && ctx.app.keys.length === 0)) {
    throw new AuthError('ERR_CONFIG_INVALID', { message: 'jwtAuth: cookie.signed needs app.keys, the keys Koa signs cookies with' });
  }
  return { ...view, cookie: (name: string) => ctx.cookies.get(name, { signed: true }) };
}

/** A refusal the way `mode` says: answered here, or thrown to Koa's error path. Anything else is thrown. */
function refuse(ctx: Context, error: unknown, mode: ErrorMode): void {
  if (!isAuthError(error) || mode === 'next') throw error;
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = error.body;
}

/** Checks a route guard against the request's session, then continues or refuses the way its `jwtAuth()` does. */
export async function guardRequest(check: (session: AuthSession | undefined, ctx: Context) => Promise<unknown>, ctx: Context, next: Next): Promise<void> {
  const session = sessionOf(ctx);
  try {
    await check(session, ctx);
  } catch (error) {
    (session?.report ?? reportRefusal)(error, ctx);
    return refuse(ctx, error, session?.errors ?? 'respond');
  }
  await next();
}

/**
 * Koa middleware that authenticates the request with a bearer token and sets
 * `ctx.state.auth`, typed through the returned middleware's state. Create it once, at start-up.
 *
 * Refusals are `AuthError`s carrying `status`, `expose` and `headers`. By default
 * (`errors: 'respond'`) the middleware answers them itself with the RFC 6750 response (status,
 * `WWW-Authenticate`, JSON body); `errors: 'next'` throws them, for an error-handling
 * middleware of yours (Koa's default handler also renders them with the right status).
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { jwtAuth } from '@jwt-gate/koa';
 *
 * const app = new Koa().use(jwtAuth({ issuer, audience: 'orders-api', jwksUri }));
 * app.use((ctx) => { ctx.body = { sub: ctx.state.auth.claims.sub }; });
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> & { optional: true },
): Middleware<OptionalAuthState<TClaims>>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims>,
): Middleware<AuthState<TClaims>>;
// `optional` known only at run time: typed as possibly anonymous.
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims>): Middleware<OptionalAuthState<TClaims>>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> | Verifier<TClaims>,
): Middleware<AuthState<TClaims>> | Middleware<OptionalAuthState<TClaims>> {
  const middleware = createMiddleware<TClaims, Context>(options);
  if (middleware.signedCookie?.secret !== undefined) throw new TypeError('jwtAuth: cookie.signed is true on Koa; cookies are signed with app.keys');
  // Koa's composition takes a middleware that answers synchronously or throws: both are its contract.
  return markAuthentication(function jwtAuthMiddleware(ctx: Context, next: Next): void | Promise<void> {
    return middleware.handle<void>(
      () => requestView(ctx, middleware.signedCookie),
      ctx,
      (session) => {
        const state = ctx.state as Record<string, unknown>;
        state[SESSION] = session;
        if (session.result !== null) state['auth'] = session.result;
        return next();
      },
      (error) => refuse(ctx, error, middleware.errors),
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
 * router.get('/tenant', jwtAuth(options), (ctx) => { ctx.body = { tenant: getAuth<Claims>(ctx).claims.tenant }; });
 * ```
 */
export function getAuth<TClaims extends JWTPayload = JWTPayload>(ctx: Context): AuthResult<TClaims> {
  return sessionResult(sessionOf(ctx)) as AuthResult<TClaims>;
}
