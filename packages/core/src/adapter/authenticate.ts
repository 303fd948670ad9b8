/**
 * `createAuthenticator`: everything a framework adapter does per request, in one call. It
 * reads the token from a {@link RequestView}, verifies it, applies revocation and the global
 * policy, and returns the result (or `null` for an anonymous request in optional mode).
 * Adapters only translate the outcome to their framework.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { extractToken, type RequestView } from './extract.js';
import { compilePolicy, type Policy } from '../policies/policy.js';
import { createVerifier, verifierInternals, type VerifiedToken, type Verifier, type VerifierOptions } from '../verification/verifier.js';

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
   * Anonymous requests of optional mode carry no claims and skip it: to require a token on some
   * routes only, put a route guard on them. Default: none.
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
   * mode), or a rejection with an {@link AuthError}. Every method is treated alike: a CORS
   * preflight (`OPTIONS`) carries no credentials, so answer it with CORS middleware in front.
   */
  authenticate(request: RequestView): Promise<AuthResult<TClaims> | null>;
  /**
   * The same, answered without a promise where it can be: on Node, a token from the cache or
   * with its keys at hand needs nothing awaited, and middleware that skips the `await` saves a
   * tick per request. Returns the result (or `null`), or a promise where something had to be
   * awaited (a key fetch, an async revocation check or policy); throws the {@link AuthError}.
   *
   * @example
   * ```ts
   * const outcome = authenticator.authenticateNow(view);
   * if (outcome instanceof Promise) return outcome.then(attach);
   * attach(outcome);
   * ```
   */
  authenticateNow(request: RequestView): AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null>;
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

/** True when `header` starts with the scheme `Bearer`, in any case (RFC 9110 section 11.1). */
function isBearer(header: string): boolean {
  // ASCII letters only: OR-ing 0x20 folds case and maps nothing else onto a lowercase letter here.
  return (
    (header.charCodeAt(0) | 0x20) === 0x62 &&
    (header.charCodeAt(1) | 0x20) === 0x65 &&
    (header.charCodeAt(2) | 0x20) === 0x61 &&
    (header.charCodeAt(3) | 0x20) === 0x72 &&
    (header.charCodeAt(4) | 0x20) === 0x65 &&
    (header.charCodeAt(5) | 0x20) === 0x72
  );
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
  // A prototype-less copy of the own properties: nothing is read from a polluted prototype.
  const given = Object.assign(Object.create(null) as object, isVerifier(options) ? { verifier: options } : options) as AuthenticatorOptions<TClaims>;
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

  const internals = verifierInternals(verifier) as
    | { now(token: string): AuthResult<TClaims> | Promise<AuthResult<TClaims>>; cached(token: string): AuthResult<TClaims> | Promise<AuthResult<TClaims>> | undefined }
    | undefined;
  const verifyNow = internals?.now;

  function authenticateNow(request: RequestView): AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null> {
    // A single `Bearer <token>` header whose token is in the verifier's cache: that exact string
    // verified before, so it is a well-formed b64token and needs no syntax pass. Any other
    // request takes the full extraction below (duplicates, cookies, malformed headers).
    if (enforce === undefined && !cookie && internals !== undefined) {
      const header = request.header('authorization');
      if (typeof header === 'string' && header.length > 7 && header.charCodeAt(6) === 0x20 && isBearer(header)) {
        const hit = internals.cached(header.slice(7));
        if (hit !== undefined) return hit;
      }
    }
    const token = extractToken(request, extract);
    if (token === null) {
      if (optional) return null;
      throw new AuthError('ERR_TOKEN_MISSING', { realm });
    }
    const result = verifyNow === undefined ? verifier.verify(token) : verifyNow(token);
    if (enforce === undefined) return result;
    return Promise.resolve(result).then(async (verified) => {
      await enforce(verified as AuthResult, request, realm);
      return verified;
    });
  }

  return {
    verifier,
    realm,
    optional,
    authenticateNow,
    authenticate(request: RequestView): Promise<AuthResult<TClaims> | null> {
      try {
        return Promise.resolve(authenticateNow(request));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
