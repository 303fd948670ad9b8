import {
  createAuthenticator,
  incomingRequestView,
  markAuthentication,
  recordAuthentication,
  type AuthenticatorOptions,
  type AuthResult,
  type JWTPayload,
  type RequestView,
  type Verifier,
} from '@jwt-gate/core';
import type { Context, Middleware, Next } from 'koa';

/** Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`) plus request options. */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = AuthenticatorOptions<TClaims>;

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

/** The request as the core sees it. Node keeps only the first `Authorization` header, so read the raw list. */
export function requestView(ctx: Context): RequestView {
  return incomingRequestView(ctx.req);
}

/**
 * Koa middleware that authenticates the request with a bearer token and sets
 * `ctx.state.auth`, typed through the returned middleware's state. Create it once, at start-up.
 *
 * Failures are thrown as `AuthError`s carrying `status`, `expose` and `headers` (with the
 * RFC 6750 challenge), which Koa's default error handler turns into the right response; an
 * error-handling middleware of yours sees them first (`error.body` is the JSON body).
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
  const authenticator = createAuthenticator<TClaims>(options);

  const attach = (ctx: Context, next: Next, result: AuthResult<TClaims> | null): Promise<void> => {
    recordAuthentication(ctx, authenticator, result);
    if (result !== null) (ctx.state as Partial<AuthState<TClaims>>).auth = result;
    return next();
  };

  return markAuthentication(function jwtAuthMiddleware(ctx: Context, next: Next): Promise<void> {
    // A failure is an AuthError with `status`, `expose` and `headers`: exactly what Koa's
    // ctx.onerror reads, so it propagates as is (koa-compose turns a throw into a rejection).
    // No await when the answer is at hand: a cached token costs no extra tick.
    const outcome = authenticator.authenticateNow(requestView(ctx));
    if (outcome instanceof Promise) return outcome.then((result) => attach(ctx, next, result));
    return attach(ctx, next, outcome);
  });
}
