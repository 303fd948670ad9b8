import {
  createAuthenticator,
  isAuthError,
  markAuthentication,
  recordAuthentication,
  type AuthError,
  type AuthenticatorOptions,
  type AuthResult,
  type JWTPayload,
  type Verifier,
} from '@jwt-gate/core';
import type { Context, Handler, Input, MiddlewareHandler, Next } from 'hono';
import type { BlankInput, HandlerResponse } from 'hono/types';
import { HTTPException } from 'hono/http-exception';
import { requestView } from './request-view.js';
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

/** The middleware `jwtAuth()` returns, with `wrap` for routes that want Hono's single-handler path. */
export type JwtAuthMiddleware<TVariables extends object> = MiddlewareHandler<{ Variables: TVariables }> & {
  /**
   * The same authentication as one route handler: `app.get('/me', auth.wrap((c) => ...))`
   * authenticates, sets `c.var.auth` and calls `handler`, failing exactly as the middleware does.
   * A route with a single handler keeps Hono's synchronous path: with a cached token and a
   * handler that returns its response directly, nothing awaits, which on `@hono/node-server` is
   * worth about a tenth of a small route's throughput. Guards cannot follow a wrapped handler:
   * use the `policy` option, or the middleware form.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  wrap<P extends string = any, I extends Input = BlankInput, R extends HandlerResponse<any> = any>(
    handler: Handler<{ Variables: TVariables }, P, I, R>,
  ): Handler<{ Variables: TVariables }, P, I, R>;
};

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
 * const auth = jwtAuth({ issuer, audience: 'orders-api', jwksUri });
 * app.get('/me', auth, (c) => c.json({ sub: c.var.auth.claims.sub }));
 * app.get('/orders', auth.wrap((c) => c.json({ sub: c.var.auth.claims.sub })));
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> & { optional: true }): JwtAuthMiddleware<OptionalAuthVariables<TClaims>>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims>,
): JwtAuthMiddleware<AuthVariables<TClaims>>;
// `optional` known only at run time: typed as possibly anonymous.
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims>): JwtAuthMiddleware<OptionalAuthVariables<TClaims>>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(
  options: JwtAuthOptions<TClaims> | Verifier<TClaims>,
): JwtAuthMiddleware<AuthVariables<TClaims>> | JwtAuthMiddleware<OptionalAuthVariables<TClaims>> {
  const authenticator = createAuthenticator<TClaims>(options);
  type AuthEnv = { Variables: OptionalAuthVariables<TClaims> };

  const record = (c: Context<AuthEnv>, result: AuthResult<TClaims> | null): void => {
    recordAuthentication(c, authenticator, result);
    c.set('auth', result ?? undefined);
  };

  // Runs `then(c, next)` once the request is authenticated; no await when the answer is at
  // hand, so a cached token costs no extra tick.
  const authenticated = <T>(c: Context<AuthEnv>, next: Next, then: (c: Context<AuthEnv>, next: Next) => T): T | Promise<T> => {
    let outcome: AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null>;
    try {
      outcome = authenticator.authenticateNow(requestView(c));
    } catch (error) {
      translate(error);
    }
    if (outcome instanceof Promise) {
      return outcome.then((result) => {
        record(c, result);
        return then(c, next);
      }, translate);
    }
    record(c, outcome);
    return then(c, next);
  };

  const callNext = (_c: Context<AuthEnv>, next: Next) => next();
  const middleware = markAuthentication(((c, next) => authenticated(c, next, callNext)) as MiddlewareHandler<AuthEnv>);
  const wrap = (handler: Handler<AuthEnv>): Handler<AuthEnv> => {
    if (typeof handler !== 'function') throw new TypeError('wrap: handler must be a function');
    return markAuthentication(((c, next) => authenticated(c, next, handler)) as Handler<AuthEnv>);
  };
  return Object.assign(middleware, { wrap }) as unknown as JwtAuthMiddleware<OptionalAuthVariables<TClaims>>;
}
