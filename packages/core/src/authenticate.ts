/**
 * `createAuthenticator`: everything a framework adapter does per request, in one call. It
 * reads the token from a {@link RequestView}, verifies it, applies revocation and the global
 * policy, and returns the result (or `null` for an anonymous request in optional mode).
 * Adapters only translate the outcome to their framework.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError } from './errors.js';
import { extractToken, type RequestView } from './extract.js';
import { compilePolicy, type Policy } from './policy.js';
import { createVerifier, type VerifiedToken, type Verifier, type VerifierOptions } from './verifier.js';

/** What an adapter attaches to the request: the verified claims, the header and the raw token. */
export type AuthResult<TClaims extends JWTPayload = JWTPayload> = VerifiedToken<TClaims>;

/** Request-level options, shared by every adapter's `jwtAuth`. */
export interface AuthenticateOptions<TClaims extends JWTPayload = JWTPayload> {
  /**
   * Let requests without a token through as anonymous (the result is `null`). A token that is
   * present but invalid is still refused. Default false.
   */
  optional?: boolean;
  /** Also read the token from this cookie. Off by default. */
  cookie?: string | false;
  /**
   * A claim policy every authenticated request must pass (`requireScopes(...)`, `allOf(...)`,
   * ...), evaluated after the token verified (and was checked for revocation), with the request
   * passed to `claimCheck` predicates. A denial rejects with 403 `ERR_INSUFFICIENT_SCOPE`.
   * Anonymous requests of optional mode and CORS preflights carry no claims and skip it: to
   * require a token on some routes only, put a route guard on them. Default: none.
   *
   * @example
   * ```ts
   * createAuthenticator({ issuer, audience, jwksUri, policy: requireScopes('orders:read') });
   * ```
   */
  policy?: Policy<TClaims>;
}

/** Options of {@link createAuthenticator}: verifier options (or a ready `verifier`) plus request options. */
export type AuthenticatorOptions<TClaims extends JWTPayload = JWTPayload> =
  | (VerifierOptions & AuthenticateOptions<TClaims> & { verifier?: undefined })
  | (AuthenticateOptions<TClaims> & { verifier: Verifier<TClaims> });

/** Authenticates requests. Build one per middleware, at start-up. */
export interface Authenticator<TClaims extends JWTPayload = JWTPayload> {
  /**
   * Authenticates a request: the verified token, `null` for an anonymous request (optional
   * mode, or a CORS preflight), or a rejection with an {@link AuthError}.
   */
  authenticate(request: RequestView): Promise<AuthResult<TClaims> | null>;
  /** The verifier in use. */
  readonly verifier: Verifier<TClaims>;
  /** The realm of its challenges. */
  readonly realm: string;
  /** Whether anonymous requests pass. */
  readonly optional: boolean;
}

function isVerifier(value: unknown): value is Verifier {
  return typeof value === 'object' && value !== null && typeof (value as Verifier).verify === 'function' && typeof (value as Verifier).ready === 'function';
}

/**
 * True for a CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers never
 * send credentials on a preflight, so demanding them would break every cross-origin call.
 */
export function isPreflight(request: RequestView): boolean {
  if (request.method !== 'OPTIONS') return false;
  const method = request.header('access-control-request-method');
  return typeof method === 'string' && method.length > 0;
}

/**
 * Creates an authenticator from verifier options, or around a verifier you already have.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator({ issuer, audience, jwksUri, optional: true });
 * const result = await auth.authenticate({ header: (name) => request.headers.get(name), method: request.method });
 * ```
 */
export function createAuthenticator<TClaims extends JWTPayload = JWTPayload>(
  options: AuthenticatorOptions<TClaims> | Verifier<TClaims>,
): Authenticator<TClaims> {
  if (typeof options !== 'object' || options === null) throw new TypeError('jwtAuth needs options or a verifier');
  const given = isVerifier(options) ? { verifier: options } : options;
  const { optional = false, cookie = false, policy } = given as AuthenticateOptions<TClaims>;
  if (typeof optional !== 'boolean') throw new TypeError('optional must be a boolean');
  if (cookie !== false && (typeof cookie !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookie))) {
    throw new TypeError('cookie must be a cookie name (an HTTP token) or false');
  }
  const enforce = policy === undefined ? undefined : compilePolicy(policy, 'policy');
  let verifier: Verifier<TClaims>;
  if (given.verifier !== undefined) {
    if (!isVerifier(given.verifier)) throw new TypeError('verifier must come from createVerifier');
    verifier = given.verifier;
  } else {
    const { optional: _o, cookie: _c, verifier: _v, policy: _p, ...verifierOptions } = given as VerifierOptions & AuthenticateOptions<TClaims> & { verifier?: undefined };
    verifier = createVerifier<TClaims>(verifierOptions);
  }
  const realm = verifier.realm;
  const extract = { cookie, realm };

  return {
    verifier,
    realm,
    optional,
    async authenticate(request: RequestView): Promise<AuthResult<TClaims> | null> {
      if (isPreflight(request)) return null;
      const token = extractToken(request, extract);
      if (token === null) {
        if (optional) return null;
        throw new AuthError('ERR_TOKEN_MISSING', { realm });
      }
      const result = await verifier.verify(token);
      if (enforce !== undefined) await enforce(result as AuthResult, request, realm);
      return result;
    },
  };
}
