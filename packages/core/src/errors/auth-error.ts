/**
 * The one error type of jwt-gate. Every failure of extraction, verification, revocation or
 * policy is an {@link AuthError} with a stable {@link AuthErrorCode}; the HTTP status, the RFC
 * 6750 `WWW-Authenticate` challenge and the wire error value all derive from that code.
 *
 * Codes are the semver contract. Messages are not: they may change in any release and never
 * contain token, key or attacker-supplied text.
 *
 * @module
 */

import { buildChallenge, buildDPoPChallenge } from './challenge.js';

/** Stable error codes, one per failure a caller may want to tell apart. */
export type AuthErrorCode =
  /** No bearer credentials in the request. 401 without an `error` attribute (RFC 6750 §3.1). */
  | 'ERR_TOKEN_MISSING'
  /** The `Authorization` header is not `Bearer <b64token>` with exactly one space. 400. */
  | 'ERR_INVALID_REQUEST'
  /** Two `Authorization` headers, or a token in more than one transport. 400. */
  | 'ERR_MULTIPLE_TOKENS'
  /** Not a compact JWS: bad segments, base64url, UTF-8 or JSON, duplicate members. 401. */
  | 'ERR_TOKEN_MALFORMED'
  /** Longer than the configured size cap; refused before any decoding. 401. */
  | 'ERR_TOKEN_TOO_LARGE'
  /** The header's `alg` is not on the allow-list tied to the issuer's keys. 401. */
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  /** The header lists a `crit` extension that is not understood. 401. */
  | 'ERR_CRIT_UNSUPPORTED'
  /** The header's `typ` is not the expected token type. 401. */
  | 'ERR_TOKEN_TYPE_INVALID'
  /** An encrypted token (JWE) where encryption is not configured, or a JWE without a signed JWT inside. 401. */
  | 'ERR_JWE_NOT_ACCEPTED'
  /** A signed token where the verifier requires an encrypted one (`requireEncryption`). 401. */
  | 'ERR_ENCRYPTION_REQUIRED'
  /** A JWE that could not be decrypted with the configured keys and algorithms. 401. */
  | 'ERR_DECRYPTION_FAILED'
  /** `iss` missing, not a string, or not one of the trusted issuers. 401. */
  | 'ERR_ISSUER_INVALID'
  /** No configured key matches the token's `kid` and `alg`. 401. */
  | 'ERR_KEY_NOT_FOUND'
  /** The signature does not verify. 401. */
  | 'ERR_SIGNATURE_INVALID'
  /** `exp` is in the past. 401. */
  | 'ERR_TOKEN_EXPIRED'
  /** `nbf` is in the future. 401. */
  | 'ERR_TOKEN_NOT_YET_VALID'
  /** `iat` is older than `maxTokenAge`. 401. */
  | 'ERR_TOKEN_TOO_OLD'
  /** `aud` missing or not naming this service. 401. */
  | 'ERR_AUDIENCE_INVALID'
  /** A required claim is absent. 401; `claim` names it. */
  | 'ERR_CLAIM_MISSING'
  /** A claim has the wrong type or value. 401; `claim` and `reason` say which and why. */
  | 'ERR_CLAIM_INVALID'
  /** The token was revoked (by `iss` and `jti`). 401. */
  | 'ERR_TOKEN_REVOKED'
  /** The revocation check failed to answer (its store is down). 503; never an accept. */
  | 'ERR_REVOCATION_UNAVAILABLE'
  /** The DPoP proof (RFC 9449 §4.3) is missing, malformed, badly signed, or not for this request (`htm`, `htu`, `iat`, `ath`, `nonce`); `reason` says which. 401 `invalid_dpop_proof`. */
  | 'ERR_DPOP_PROOF_INVALID'
  /** The DPoP proof was already used (its key and `jti` seen within the window). 401 `invalid_dpop_proof`. */
  | 'ERR_DPOP_PROOF_REPLAYED'
  /** The proof's key is not the one the token is bound to (`cnf.jkt`), or the token is not DPoP-bound. 401 `invalid_dpop_proof`. */
  | 'ERR_DPOP_KEY_MISMATCH'
  /** The proof lacks the server's current nonce (RFC 9449 §9); the response carries `DPoP-Nonce`. 401 `use_dpop_nonce`. */
  | 'ERR_DPOP_NONCE_REQUIRED'
  /** A DPoP-bound token (`cnf.jkt`) sent with the Bearer scheme (RFC 9449 §7.2). 401 `invalid_token`. */
  | 'ERR_DPOP_BOUND_TOKEN'
  /** A Bearer token where DPoP is required. 401 `invalid_token`. */
  | 'ERR_DPOP_REQUIRED'
  /** The replay check of DPoP proofs failed to answer (its store is down). 503; never an accept. */
  | 'ERR_DPOP_UNAVAILABLE'
  /** The token is valid but a policy denies the request. 403. */
  | 'ERR_INSUFFICIENT_SCOPE'
  /** Keys could not be obtained (JWKS or discovery endpoint failing). 503; never an accept. */
  | 'ERR_KEYS_UNAVAILABLE'
  /** jwt-gate was wired up wrongly (for example a route guard with no authentication before it). 500. */
  | 'ERR_CONFIG_INVALID';

/**
 * The error value carried on the wire (RFC 6750 §3.1, and RFC 9449 §7.1 and §9 for DPoP),
 * derived from the code.
 */
export type BearerErrorValue = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | 'use_dpop_nonce';

interface CodeInfo {
  readonly status: number;
  readonly wire: BearerErrorValue | undefined;
  readonly description: string;
}

const token = (description: string): CodeInfo => ({ status: 401, wire: 'invalid_token', description });

// Fixed, attacker-free descriptions: these are what clients see in `error_description`.
const CODES: { readonly [C in AuthErrorCode]: CodeInfo } = {
  ERR_TOKEN_MISSING: { status: 401, wire: undefined, description: 'Bearer token required' },
  ERR_INVALID_REQUEST: { status: 400, wire: 'invalid_request', description: 'Malformed Authorization header' },
  ERR_MULTIPLE_TOKENS: { status: 400, wire: 'invalid_request', description: 'More than one access token in the request' },
  ERR_TOKEN_MALFORMED: token('The access token is malformed'),
  ERR_TOKEN_TOO_LARGE: token('The access token is too large'),
  ERR_ALGORITHM_NOT_ALLOWED: token('The token algorithm is not allowed'),
  ERR_CRIT_UNSUPPORTED: token('The token uses an unsupported critical extension'),
  ERR_TOKEN_TYPE_INVALID: token('The token type is not accepted'),
  ERR_JWE_NOT_ACCEPTED: token('Encrypted tokens are not accepted'),
  ERR_ENCRYPTION_REQUIRED: token('An encrypted token is required'),
  ERR_DECRYPTION_FAILED: token('The token could not be decrypted'),
  ERR_ISSUER_INVALID: token('The token issuer is not trusted'),
  ERR_KEY_NOT_FOUND: token('No key matches the token'),
  ERR_SIGNATURE_INVALID: token('The token signature is invalid'),
  ERR_TOKEN_EXPIRED: token('The access token expired'),
  ERR_TOKEN_NOT_YET_VALID: token('The access token is not yet valid'),
  ERR_TOKEN_TOO_OLD: token('The access token is too old'),
  ERR_AUDIENCE_INVALID: token('The token audience is not accepted'),
  ERR_CLAIM_MISSING: token('A required claim is missing'),
  ERR_CLAIM_INVALID: token('A claim is invalid'),
  ERR_TOKEN_REVOKED: token('The access token was revoked'),
  ERR_REVOCATION_UNAVAILABLE: { status: 503, wire: undefined, description: 'Token status is temporarily unavailable' },
  ERR_DPOP_PROOF_INVALID: { status: 401, wire: 'invalid_dpop_proof', description: 'Invalid DPoP proof' },
  ERR_DPOP_PROOF_REPLAYED: { status: 401, wire: 'invalid_dpop_proof', description: 'The DPoP proof was already used' },
  ERR_DPOP_KEY_MISMATCH: { status: 401, wire: 'invalid_dpop_proof', description: 'The DPoP proof key does not match the token' },
  ERR_DPOP_NONCE_REQUIRED: { status: 401, wire: 'use_dpop_nonce', description: 'Resource server requires nonce in DPoP proof' },
  ERR_DPOP_BOUND_TOKEN: token('A DPoP-bound token needs the DPoP scheme'),
  ERR_DPOP_REQUIRED: token('DPoP-bound credentials are required'),
  ERR_DPOP_UNAVAILABLE: { status: 503, wire: undefined, description: 'DPoP proof checks are temporarily unavailable' },
  ERR_INSUFFICIENT_SCOPE: { status: 403, wire: 'insufficient_scope', description: 'Insufficient scope' },
  ERR_KEYS_UNAVAILABLE: { status: 503, wire: undefined, description: 'Verification keys are temporarily unavailable' },
  ERR_CONFIG_INVALID: { status: 500, wire: undefined, description: 'Authentication is misconfigured' },
};

/** Every code, for exhaustive tests and documentation. */
export const AUTH_ERROR_CODES = Object.freeze(Object.keys(CODES) as AuthErrorCode[]);

/** Options of the {@link AuthError} constructor. */
export interface AuthErrorOptions {
  /** The error that caused this one (a jose error, a fetch failure, ...). Never shown to clients. */
  cause?: unknown;
  /** Which claim failed, on claim failures (`exp`, `aud`, `scope`, ...). */
  claim?: string;
  /** The trusted issuer whose token was refused, once the token named one. */
  issuer?: string;
  /** A short machine-readable reason on claim failures (`missing`, `type`, `mismatch`, ...). */
  reason?: string;
  /** The realm of the `WWW-Authenticate` challenge. Default `"api"`. */
  realm?: string;
  /** The scopes the request needed, named in the challenge of a 403 (`scope="a b"`). */
  scope?: readonly string[];
  /** The URL of the RFC 9728 metadata document, named in the challenge (`resource_metadata="..."`). */
  resourceMetadata?: string;
  /** Where the resource accepts DPoP: the challenge then names both schemes (see {@link DPoPChallenge}). */
  dpop?: DPoPChallenge;
  /** A structured account of which rule failed, for logs; never sent to the client. */
  details?: unknown;
  /** Overrides the default message. Keep attacker-supplied text out of it. */
  message?: string;
}

/**
 * How a refusal of a resource that accepts DPoP is challenged (RFC 9449 §7.1, §7.2): a Bearer
 * challenge in its usual form first where Bearer is accepted too, then a `DPoP` challenge with
 * `algs`. The error goes in the challenge of the scheme the request used.
 */
export interface DPoPChallenge {
  /** The proof algorithms accepted, sent as `algs`. */
  readonly algs: readonly string[];
  /** Whether the resource also accepts Bearer tokens: the Bearer challenge then comes first. */
  readonly bearer: boolean;
  /** The scheme of the refused request, whose challenge carries the error. */
  readonly scheme: 'Bearer' | 'DPoP';
  /** A nonce to send as `DPoP-Nonce` (RFC 9449 §9), when the resource requires nonces. */
  readonly nonce?: string;
}

const BRAND = Symbol.for('jwt-gate.AuthError');
// V8 and JavaScriptCore read `Error.stackTraceLimit` when an error is built; elsewhere, or where
// the built-ins are frozen, it is left alone and refusals keep whatever stack the engine gives.
const StackLimit = Error as unknown as { stackTraceLimit: number };
const STACK_LIMIT_WRITABLE = typeof StackLimit.stackTraceLimit === 'number' && Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;
const DEFAULT_REALM = 'api';

/**
 * A failed authentication or authorization. Carries everything an HTTP layer needs to answer:
 * `status`, `headers` (with the RFC 6750 challenge) and a JSON `body`.
 *
 * A refusal (a 4xx status) has no stack frames, only its name and message: it answers a
 * client, and `code`, `reason`, `claim` and `details` say why. Faults (500, 503) keep theirs.
 *
 * @example Telling failures apart
 * ```ts
 * try {
 *   await verifier.verify(token);
 * } catch (error) {
 *   if (isAuthError(error) && error.code === 'ERR_TOKEN_EXPIRED') {
 *     // ask the client to refresh
 *   }
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name = 'AuthError' as const;
  /** The stable code: switch on this, never on the message. */
  readonly code: AuthErrorCode;
  /** The HTTP status: 400, 401, 403, 500 or 503. */
  readonly status: number;
  /** Alias of `status`, for frameworks that read `statusCode`. */
  readonly statusCode: number;
  /** True for 4xx errors: the message is safe to show to the client. */
  readonly expose: boolean;
  /** The claim that failed, on claim failures. */
  readonly claim: string | undefined;
  /** The trusted issuer whose token was refused, once the token named one (for logs). */
  readonly issuer: string | undefined;
  /** A short machine-readable reason on claim failures. */
  readonly reason: string | undefined;
  /** The realm used in the challenge. */
  readonly realm: string;
  /** The scopes the request needed (403 only). */
  readonly scope: readonly string[] | undefined;
  /** The URL of the RFC 9728 metadata document the challenge names, if any. */
  readonly resourceMetadata: string | undefined;
  /** How the challenge names DPoP, where the resource accepts it. */
  readonly dpop: DPoPChallenge | undefined;
  /** A structured account of the failure for logs, never for clients. */
  readonly details: unknown;

  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const info = CODES[code];
    // A refusal (4xx) answers a client rather than reporting a fault of the program, and its
    // stack would name only jwt-gate's own steps: it is built without frames, since capturing
    // them is most of what refusing a token costs. 500 and 503 keep their stacks.
    const frameless = info.status < 500 && STACK_LIMIT_WRITABLE;
    const limit = StackLimit.stackTraceLimit;
    if (frameless) StackLimit.stackTraceLimit = 0;
    try {
      super(options.message ?? info.description, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      if (frameless) StackLimit.stackTraceLimit = limit;
    }
    // JavaScriptCore (Bun) leaves `stack` out entirely when it captures no frames.
    if (frameless && typeof this.stack !== 'string') {
      Object.defineProperty(this, 'stack', { value: `AuthError: ${this.message}`, writable: true, configurable: true });
    }
    this.code = code;
    this.status = info.status;
    this.statusCode = info.status;
    this.expose = info.status < 500;
    this.claim = options.claim;
    this.issuer = options.issuer;
    this.reason = options.reason;
    this.realm = options.realm ?? DEFAULT_REALM;
    this.scope = options.scope;
    this.resourceMetadata = options.resourceMetadata;
    this.dpop = options.dpop;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The RFC 6750 error value (`invalid_token`, ...), or undefined where the challenge has none. */
  get error(): BearerErrorValue | undefined {
    return CODES[this.code].wire;
  }

  /** The fixed, client-safe description of the code. */
  get description(): string {
    return CODES[this.code].description;
  }

  /**
   * Response headers: `WWW-Authenticate` on 400, 401 and 403 (and `DPoP-Nonce` where a DPoP
   * nonce is required); nothing else.
   */
  get headers(): Record<string, string> {
    if (this.status === 500 || this.status === 503) return {};
    const nonce = this.dpop?.nonce;
    return nonce === undefined ? { 'WWW-Authenticate': this.challenge } : { 'WWW-Authenticate': this.challenge, 'DPoP-Nonce': nonce };
  }

  /**
   * The `WWW-Authenticate` value of this error. Where the resource accepts DPoP, it holds two
   * challenges (RFC 9110 §11.6.1): `Bearer ...` first when Bearer is accepted too, then `DPoP ..., algs="..."`.
   */
  get challenge(): string {
    const wire = this.error;
    const failure = {
      ...(wire === undefined ? {} : { error: wire, errorDescription: this.description }),
      ...(this.scope === undefined || this.scope.length === 0 ? {} : { scope: this.scope }),
    };
    const metadata = this.resourceMetadata === undefined ? {} : { resourceMetadata: this.resourceMetadata };
    const dpop = this.dpop;
    if (dpop === undefined) return buildChallenge({ realm: this.realm, ...failure, ...metadata });
    const inDPoP = dpop.scheme === 'DPoP' || !dpop.bearer;
    const challenge = buildDPoPChallenge({ realm: this.realm, ...(inDPoP ? failure : {}), algs: dpop.algs, ...metadata });
    if (!dpop.bearer) return challenge;
    return `${buildChallenge({ realm: this.realm, ...(inDPoP ? {} : failure), ...metadata })}, ${challenge}`;
  }

  /**
   * The JSON body to send: `{ error, error_description }`. Where the challenge has an `error`,
   * the body's `error` is the same value.
   */
  get body(): { error: string; error_description: string } {
    const error =
      this.error ?? (this.code === 'ERR_TOKEN_MISSING' ? 'unauthorized' : this.status === 503 ? 'temporarily_unavailable' : 'server_error');
    return { error, error_description: this.description };
  }

  /** A copy of this error answering with another realm. */
  withRealm(realm: string): AuthError {
    if (realm === this.realm) return this;
    return this.copy({ realm });
  }

  /**
   * A copy of this error whose challenge names the RFC 9728 metadata document
   * (`resource_metadata="..."`); `undefined` leaves the error as it is.
   */
  withResourceMetadata(url: string | undefined): AuthError {
    if (url === undefined || url === this.resourceMetadata) return this;
    return this.copy({ resourceMetadata: url });
  }

  /** A copy of this error challenging for DPoP as `dpop` says; `undefined` leaves the error as it is. */
  withDPoP(dpop: DPoPChallenge | undefined): AuthError {
    if (dpop === undefined || dpop === this.dpop) return this;
    return this.copy({ dpop });
  }

  private copy(changes: { realm?: string; resourceMetadata?: string; dpop?: DPoPChallenge }): AuthError {
    const resourceMetadata = changes.resourceMetadata ?? this.resourceMetadata;
    const dpop = changes.dpop ?? this.dpop;
    return new AuthError(this.code, {
      cause: this.cause,
      ...(this.claim === undefined ? {} : { claim: this.claim }),
      ...(this.issuer === undefined ? {} : { issuer: this.issuer }),
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.scope === undefined ? {} : { scope: this.scope }),
      ...(resourceMetadata === undefined ? {} : { resourceMetadata }),
      ...(dpop === undefined ? {} : { dpop }),
      details: this.details,
      message: this.message,
      realm: changes.realm ?? this.realm,
    });
  }
}

/**
 * True for any jwt-gate {@link AuthError}, also one thrown by another copy of the package
 * (a dependency that bundles its own), where `instanceof` would fail.
 */
export function isAuthError(value: unknown): value is AuthError {
  return (
    value instanceof AuthError ||
    (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true)
  );
}
