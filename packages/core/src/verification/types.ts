/**
 * The public shapes of verification: what `createVerifier` takes and what it gives.
 *
 * @module
 */

import type { JSONWebKeySet, JWTHeaderParameters, JWTPayload } from 'jose';
import type { RequestView } from '../adapter/request-view.js';
import type { DecryptionOptions } from '../jwe/decrypt.js';
import type { Algorithm } from '../jose/algorithms.js';
import type { IssuerMetadata } from '../keys/discovery.js';
import type { PublicKeyInput, SecretInput } from '../keys/public-key.js';
import type { JwksCacheSnapshot, RemoteJwks, RemoteJwksOptions } from '../keys/remote-jwks.js';

export type { Algorithm } from '../jose/algorithms.js';
export type { PublicKeyInput, SecretInput } from '../keys/public-key.js';

/**
 * No other key source beside the one given.
 *
 * @inline
 */
interface NoKeySource {
  secret?: never;
  publicKey?: never;
  jwks?: never;
  jwksUri?: never;
  discovery?: never;
}

/**
 * Exactly one source of verification keys: HMAC `secret`(s), `publicKey`(s), a local `jwks`,
 * a remote `jwksUri`, or `discovery` through the issuer's metadata.
 */
export type KeySource =
  | (Omit<NoKeySource, 'secret'> & {
      /** HMAC secret(s), at least 32 bytes each (48 for HS384, 64 for HS512). Several at once for rotation. */
      secret: SecretInput | readonly SecretInput[];
    })
  | (Omit<NoKeySource, 'publicKey'> & {
      /** Public key(s): PEM SPKI, X.509 certificate PEM, public JWK, CryptoKey or KeyObject. */
      publicKey: PublicKeyInput | readonly PublicKeyInput[];
    })
  | (Omit<NoKeySource, 'jwks'> & {
      /** A local JSON Web Key Set. */
      jwks: JSONWebKeySet;
    })
  | (Omit<NoKeySource, 'jwksUri'> & {
      /** A remote JWKS: its URL, or a {@link RemoteJwks} shared with other verifiers. */
      jwksUri: string | URL | RemoteJwks;
    })
  | (Omit<NoKeySource, 'discovery'> & {
      /**
       * Find the JWKS through the issuer's metadata (`/.well-known/openid-configuration`, then
       * RFC 8414 `/.well-known/oauth-authorization-server`): `true`, or the metadata URL itself.
       */
      discovery: true | string;
    });

/** What one trusted issuer's tokens must be, beside its keys. */
export interface IssuerRules {
  /**
   * The audience (or audiences) this service accepts; a token's `aud` must name one of them.
   * `null` turns the check off, deliberately (RFC 8725 §3.9 explains why you rarely want that).
   * In `issuers` entries and resolved issuers, defaults to the top-level `audience`.
   */
  audience?: string | readonly string[] | null;
  /**
   * The algorithm allow-list for this issuer's keys. Default: what the keys themselves imply
   * (HS256 for secrets; RS256, the curve's ES* or EdDSA for public keys; every asymmetric
   * algorithm a JWKS key's type allows). Never inferred from a token; `none` is never allowed;
   * HMAC and asymmetric algorithms never mix.
   */
  algorithms?: readonly Algorithm[];
  /**
   * The required `typ` for this issuer's tokens, overriding the top-level `tokenType` (an
   * identity provider may issue `typ: JWT` while your own issuer uses `at+jwt`).
   */
  tokenType?: string | readonly string[];
}

/** One trusted issuer: who it is, which audience its tokens must name, and its keys. */
export type TrustedIssuer = IssuerRules &
  KeySource & {
    /** The exact `iss` value of this issuer's tokens (compared as a string, no normalisation). */
    issuer: string;
  };

/**
 * Looks up a trusted issuer by a token's (unverified) `iss`, for issuers known only at run time
 * (one per tenant, say): its settings, or `null`/`undefined` when the issuer is not trusted. It
 * runs before any key is fetched; its answers are cached per issuer. A resolver that throws or
 * rejects answers the request with 503, never an accept.
 */
export type IssuerResolver = (
  issuer: string,
  request: RequestView | undefined,
) => (IssuerRules & KeySource & { issuer?: string }) | null | undefined | Promise<(IssuerRules & KeySource & { issuer?: string }) | null | undefined>;

/** How remote key sets and discovery fetch. */
export type RemoteOptions = Omit<RemoteJwksOptions, 'cache' | 'clock'>;

/** The checks every token passes, whichever issuer signed it. */
export interface VerificationRules {
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. Finite, 0 to 300. Default 5. */
  clockTolerance?: number;
  /** Refuse tokens whose `iat` is more than this many seconds ago (requires `iat`). */
  maxTokenAge?: number;
  /**
   * The required `typ` header, e.g. `at+jwt` (`application/at+jwt` is the same; case-insensitive).
   * Default: not checked, unless `profile` sets it.
   */
  tokenType?: string | readonly string[];
  /**
   * `rfc9068`: OAuth 2.0 JWT access tokens. Requires `typ: at+jwt` and the claims `iss`, `exp`,
   * `aud`, `sub`, `client_id`, `iat` and `jti`.
   */
  profile?: 'rfc9068';
  /** Claims that must be present. */
  requiredClaims?: readonly string[];
  /** Require `exp`. Default true; `false` accepts tokens that never expire, deliberately. */
  requireExpiration?: boolean;
  /** Tokens longer than this many characters are refused before decoding. Default 8192. */
  maxTokenSize?: number;
  /**
   * Accept encrypted tokens (nested JWTs: a signed JWS inside a JWE with `cty: "JWT"`). The JWE
   * is decrypted with these keys and allow-listed algorithms, then the inner JWS is verified
   * like any token. Default: off, and a JWE is refused with `ERR_JWE_NOT_ACCEPTED`.
   */
  decryption?: DecryptionOptions;
  /**
   * Refuse signed tokens that arrive unencrypted (`ERR_ENCRYPTION_REQUIRED`), for APIs whose
   * tokens carry claims the bearer must not read. Needs `decryption`. Default false: with
   * `decryption` set, both encrypted and plain signed tokens are accepted.
   */
  requireEncryption?: boolean;
  /**
   * Asked after a token verified, before it is accepted, on every request (cached or not), with
   * the request where there is one; true refuses it (`ERR_TOKEN_REVOKED`).
   */
  isRevoked?: RevocationCheck;
  /** Fetch settings for `jwksUri` and `discovery`. */
  remote?: RemoteOptions;
  /** A cache exported with {@link Verifier.exportCache}, to start without fetching. */
  cache?: VerifierCacheSnapshot;
  /**
   * The verified-token cache: a token seen before skips its signature check. On by default
   * (1000 entries); `false` turns it off. Safe by construction: keyed by the whole token, owned
   * by this verifier, served only while the token's `exp`, `nbf` and `maxTokenAge` allow,
   * dropped when its key leaves the key set; revocation and policies run on every hit.
   */
  tokenCache?: false | { maxEntries?: number };
  /** The realm in `WWW-Authenticate` challenges. Default `"api"`. */
  realm?: string;
  /** Current time in milliseconds (tests, replay). Default `Date.now`. */
  clock?: () => number;
}

/**
 * No issuer given in the other forms.
 *
 * @inline
 */
interface NoIssuer {
  issuer?: never;
  issuers?: never;
  resolveIssuer?: never;
}

/** One issuer, its audience and its keys. */
export type SingleIssuerOptions = VerificationRules &
  KeySource &
  Omit<NoIssuer, 'issuer'> &
  Omit<IssuerRules, 'audience'> & {
    /**
     * The exact `iss` value of the tokens (compared as a string, no normalisation). `null`
     * accepts tokens without `iss`, or with any, deliberately: the keys alone then decide who
     * may sign. Self-issued HMAC tokens sometimes lack `iss`; prefer setting one.
     */
    issuer: string | null;
    /**
     * The audience (or audiences) this service accepts; a token's `aud` must name one of them.
     * `null` turns the check off, deliberately (RFC 8725 §3.9 explains why you rarely want that).
     */
    audience: string | readonly string[] | null;
  };

/** Several trusted issuers, each with its keys. */
export type ManyIssuersOptions = VerificationRules &
  NoKeySource &
  Omit<NoIssuer, 'issuers'> &
  IssuerRules & {
    /** Several trusted issuers, each with its own keys, algorithms and audience (default: the top-level ones). */
    issuers: readonly TrustedIssuer[];
  };

/** Issuers looked up per token. */
export type ResolvedIssuersOptions = VerificationRules &
  NoKeySource &
  Omit<NoIssuer, 'resolveIssuer'> &
  IssuerRules & {
    /** Looks up each token's issuer; see {@link IssuerResolver}. */
    resolveIssuer: IssuerResolver;
  };

/**
 * Options of {@link createVerifier}: one issuer (`issuer`, `audience` and one key source),
 * several (`issuers`), or issuers looked up per token (`resolveIssuer`), plus the rules every
 * token must pass.
 */
export type VerifierOptions = SingleIssuerOptions | ManyIssuersOptions | ResolvedIssuersOptions;

/**
 * A revocation check: a function, or any object with an `isRevoked` method (such as a
 * revocation store). It gets the verified token and, where there is one, the request.
 */
export type RevocationCheck =
  | ((token: VerifiedToken, request?: RequestView) => boolean | Promise<boolean>)
  | { isRevoked(token: VerifiedToken, request?: RequestView): boolean | Promise<boolean> };

/** A verified token. */
export interface VerifiedToken<TClaims extends JWTPayload = JWTPayload> {
  /** The verified claims, frozen: a result may be shared by every request with this token. */
  readonly claims: TClaims;
  /** The protected header. Read-only, like the claims. */
  readonly header: JWTHeaderParameters;
  /**
   * The trusted issuer that matched: the token's `iss`. With `issuer: null`, the token's `iss`
   * when it has one (signed, but checked against no list), else the empty string.
   */
  readonly issuer: string;
  /** The token as received. */
  readonly token: string;
}

/** A persisted copy of a verifier's remote state, for serverless cold starts. */
export interface VerifierCacheSnapshot {
  /** Key sets by JWKS URL. */
  readonly jwks?: Readonly<Record<string, JwksCacheSnapshot>>;
  /** Discovered metadata by issuer. */
  readonly metadata?: Readonly<Record<string, IssuerMetadata>>;
}

/** What a verification may know about the request that carried the token. */
export interface VerifyContext {
  /** The request, for `isRevoked` and `resolveIssuer`. */
  readonly request?: RequestView;
}

/** Verifies tokens. Create one per configuration and reuse it for every request. */
export interface Verifier<TClaims extends JWTPayload = JWTPayload> {
  /** Verifies a compact JWS (or, with `decryption`, a JWE); rejects with an {@link AuthError}. */
  verify(token: string, context?: VerifyContext): Promise<VerifiedToken<TClaims>>;
  /** Resolves once keys are prepared and remote key sets first fetched; rejects if that fails. */
  ready(): Promise<void>;
  /** The realm of this verifier's challenges. */
  readonly realm: string;
  /** The trusted issuers fixed in the configuration (none for `resolveIssuer`, `[]` for `issuer: null`). */
  readonly issuers: readonly string[];
  /** The remote state (key sets, metadata) to persist and pass back as `cache` later. */
  exportCache(): VerifierCacheSnapshot;
}
