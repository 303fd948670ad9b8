/**
 * The part of every adapter's `jwtAuth()` that is not framework vocabulary: its options, the
 * authentication of one request, and what is recorded for the guards and accessors behind it.
 * An adapter reads the request, calls {@link Middleware.authenticate}, stores the session in its
 * framework's per-request state, and translates failures by {@link Middleware.errors}.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import type { Verifier } from '../verification/verifier.js';
import { createAuthenticator, isVerifier, type AuthenticatorOptions, type AuthResult, type Authenticator } from './authenticate.js';
import type { RequestView } from './request-view.js';

/**
 * How a middleware answers a refusal. `respond` (default): it sends the RFC 6750 response itself
 * (status, `WWW-Authenticate`, JSON body), so an application's catch-all error handler can never
 * turn a 401 into a 500. `next`: it hands the {@link AuthError} to the framework's error path
 * (Express `next(err)`, a throw in Koa and Hono, Fastify's reply), for apps that render errors
 * themselves.
 */
export type ErrorMode = 'respond' | 'next';

/** Options every adapter's `jwtAuth()` takes: the authenticator's, plus `errors`. */
export type MiddlewareOptions<TClaims extends JWTPayload = JWTPayload> = AuthenticatorOptions<TClaims> & {
  /** How refusals reach the client, here and in the route guards behind this middleware. Default `respond`. */
  errors?: ErrorMode;
};

/** What `jwtAuth()` records for one request, read back by route guards and `getAuth`. */
export interface AuthSession<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token, or `null` for an anonymous request (optional authentication). */
  readonly result: AuthResult<TClaims> | null;
  /** The realm of the middleware's challenges. */
  readonly realm: string;
  /** The middleware's error mode, which its guards follow. */
  readonly errors: ErrorMode;
}

/** A middleware's framework-free half, built once by {@link createMiddleware}. */
export interface Middleware<TClaims extends JWTPayload = JWTPayload> {
  /** Authenticates one request and resolves to the session to record; rejects with an {@link AuthError}. */
  authenticate(request: RequestView): Promise<AuthSession<TClaims>>;
  /** The error mode. */
  readonly errors: ErrorMode;
  readonly authenticator: Authenticator<TClaims>;
}

/**
 * Builds the framework-free half of a `jwtAuth()`: options checked now (errors naming
 * `where`), one authenticator for every request.
 *
 * @example
 * ```ts
 * const middleware = createMiddleware(options);
 * return (req, res, next) => middleware.authenticate(nodeRequestView(req)).then((session) => { ... }, (error) => { ... });
 * ```
 */
export function createMiddleware<TClaims extends JWTPayload = JWTPayload>(
  options: MiddlewareOptions<TClaims> | Verifier<TClaims>,
  where = 'jwtAuth',
): Middleware<TClaims> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs options (issuer, audience and a key source) or a verifier`);
  let errors: ErrorMode = 'respond';
  let rest: AuthenticatorOptions<TClaims> | Verifier<TClaims> = options;
  if (!isVerifier(options) && Object.hasOwn(options, 'errors')) {
    const { errors: mode, ...others } = options;
    if (mode !== 'respond' && mode !== 'next') throw new TypeError(`${where}: errors must be "respond" or "next"`);
    errors = mode;
    rest = others as AuthenticatorOptions<TClaims>;
  }
  const authenticator = createAuthenticator<TClaims>(rest, where);
  const { realm } = authenticator;
  const anonymous: AuthSession<TClaims> = Object.freeze({ result: null, realm, errors });
  return Object.freeze({
    errors,
    authenticator,
    async authenticate(request: RequestView): Promise<AuthSession<TClaims>> {
      const result = await authenticator.authenticate(request);
      return result === null ? anonymous : { result, realm, errors };
    },
  });
}

/**
 * The verified token a session holds: throws {@link AuthError} `ERR_TOKEN_MISSING` (401) for an
 * anonymous request and `ERR_CONFIG_INVALID` (500) when no `jwtAuth()` recorded a session.
 * What every adapter's `getAuth` returns.
 */
export function sessionResult<TClaims extends JWTPayload = JWTPayload>(
  session: AuthSession<TClaims> | undefined | null,
  missing = 'No jwtAuth() ran before reading the authentication result',
  details?: unknown,
): AuthResult<TClaims> {
  if (typeof session !== 'object' || session === null) throw new AuthError('ERR_CONFIG_INVALID', { message: missing, ...(details === undefined ? {} : { details }) });
  if (session.result === null) throw new AuthError('ERR_TOKEN_MISSING', { realm: session.realm });
  return session.result;
}
