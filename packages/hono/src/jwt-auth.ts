import {
  createAuthenticator,
  isAuthError,
  markAuthentication,
  recordAuthentication,
  type AuthError,
  type AuthenticatorOptions,
  type AuthResult,
  type JWTPayload,
  type RequestView,
  type Verifier,
} from '@jwt-gate/core';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`) plus request options. */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = AuthenticatorOptions<TClaims>;

/** The variables `jwtAuth()` sets: `c.var.auth`. */
export interface AuthVariables<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token: `claims`, `header`, `issuer` and the raw `token`. */
  auth: AuthResult<TClaims>;
}

/** The variables `jwtAuth({ optional: true })` sets: `c.var.auth`, undefined when anonymous. */
export interface OptionalAuthVariables<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token, or undefined for an anonymous request. */
  auth: AuthResult<TClaims> | undefined;
}

/** The request as the core sees it. Fetch joins repeated headers with a comma; the core refuses that for `Authorization`. */
export function requestView(c: Context): RequestView {
  const headers = c.req.raw.headers;
  return {
    method: c.req.method,
    header: (name: string) => headers.get(name),
  };
}

/** The full RFC 6750 response of an error, as a HTTPException Hono renders as is. */
function toHttpException(error: AuthError): HTTPException {
  const res = new Response(JSON.stringify(error.body), {
    status: error.status,
    headers: { ...error.headers, 'content-type': 'application/json; charset=utf-8' },
  });
  return new HTTPException(error.status as ContentfulStatusCode, { res, cause: error });
}

/** Rethrows a failure the Hono way: an AuthError as its HTTPException, anything else as is. */
export function translate(error: unknown): never {
  throw isAuthError(error) ? toHttpException(error) : error;
}

/**
 * Hono middleware that authenticates the request with a bearer token and sets `c.var.auth`,
 * typed through the middleware's generics. Create it once, at start-up.
 *
 * Failures are thrown as `HTTPException`s whose response is the RFC 6750 one (status,
 * `WWW-Authenticate`, JSON body); the {@link AuthError} is their `cause`, for `app.onError`.
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
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> & { optional: true },
): MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims>,
): MiddlewareHandler<{ Variables: AuthVariables<TClaims> }>;
// `optional` known only at run time: typed as possibly anonymous.
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims>,
): MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> | Verifier<TClaims>,
): MiddlewareHandler<{ Variables: AuthVariables<TClaims> }> | MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }> {
  const authenticator = createAuthenticator<TClaims>(options);

  const attach = (c: Context<{ Variables: OptionalAuthVariables<TClaims> }>, next: Next, result: AuthResult<TClaims> | null): Promise<void> => {
    recordAuthentication(c, authenticator, result);
    c.set('auth', result ?? undefined);
    return next();
  };

  // No await when the answer is at hand: a cached token costs no extra tick.
  const middleware: MiddlewareHandler<{ Variables: OptionalAuthVariables<TClaims> }> = (c, next) => {
    let outcome: AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null>;
    try {
      outcome = authenticator.authenticateNow(requestView(c));
    } catch (error) {
      translate(error);
    }
    if (outcome instanceof Promise) return outcome.then((result) => attach(c, next, result), translate);
    return attach(c, next, outcome);
  };
  return markAuthentication(middleware);
}
