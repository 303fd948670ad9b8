/**
 * RFC 6750 §3 `WWW-Authenticate: Bearer ...` and RFC 9449 §7.1 `DPoP ...` challenges.
 *
 * @module
 */

/** The parts of a Bearer challenge. */
export interface ChallengeParams {
  /** The protection space. Printable ASCII without `"` or `\`. */
  realm: string;
  /** `invalid_request`, `invalid_token` or `insufficient_scope`; absent when no credentials were sent. */
  error?: string;
  /** A fixed human-readable description. Printable ASCII without `"` or `\`. */
  errorDescription?: string;
  /** The scopes the resource needs (on `insufficient_scope`). */
  scope?: readonly string[];
  /**
   * The URL of the resource's RFC 9728 metadata document, sent as `resource_metadata="..."`
   * (RFC 9728 §5.1) so clients can find the authorization servers to ask for a token.
   */
  resourceMetadata?: string;
}

// RFC 6750 §3: error, error_description (and, by the same auth-param rules, realm) use
// %x20-21 / %x23-5B / %x5D-7E; scope tokens use %x21 / %x23-5B / %x5D-7E.
const QUOTED_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** True when `value` can be a quoted Bearer challenge parameter (realm, error_description). */
export function isChallengeText(value: string): boolean {
  return QUOTED_TEXT.test(value);
}

/** True when `value` can be one scope token of a challenge's `scope` parameter. */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/**
 * Builds a `WWW-Authenticate` header value. Parameters that would break the header's syntax
 * are left out rather than escaped, so nothing unexpected ever reaches the wire.
 *
 * @example
 * ```ts
 * buildChallenge({ realm: 'api', error: 'invalid_token', errorDescription: 'The access token expired' });
 * // 'Bearer realm="api", error="invalid_token", error_description="The access token expired"'
 * buildChallenge({ realm: 'api', resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' });
 * // 'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"'
 * ```
 */
export function buildChallenge(params: ChallengeParams): string {
  const parts = [`realm="${isChallengeText(params.realm) ? params.realm : 'api'}"`];
  if (params.error !== undefined && isChallengeText(params.error)) parts.push(`error="${params.error}"`);
  if (params.errorDescription !== undefined && isChallengeText(params.errorDescription)) {
    parts.push(`error_description="${params.errorDescription}"`);
  }
  const scope = params.scope?.filter(isScopeToken);
  if (scope !== undefined && scope.length > 0) parts.push(`scope="${scope.join(' ')}"`);
  if (params.resourceMetadata !== undefined && params.resourceMetadata.length > 0 && isChallengeText(params.resourceMetadata)) {
    parts.push(`resource_metadata="${params.resourceMetadata}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** The parts of a DPoP challenge (RFC 9449 §7.1). */
export interface DPoPChallengeParams extends Omit<ChallengeParams, 'scope'> {
  /** The proof algorithms the resource accepts, sent as `algs="ES256 PS256"`. */
  algs: readonly string[];
  /** The scopes the resource needs (on `insufficient_scope`). */
  scope?: readonly string[];
}

// An algorithm name is a JOSE token: letters, digits and a few separators.
const ALG_TOKEN = /^[A-Za-z0-9+._-]{1,32}$/;

/**
 * Builds a `DPoP ...` challenge: the Bearer challenge's parameters under the DPoP scheme, plus
 * `algs`. Values that would break the header's syntax are left out, as in {@link buildChallenge}.
 *
 * @example
 * ```ts
 * buildDPoPChallenge({ realm: 'api', error: 'invalid_dpop_proof', errorDescription: 'Invalid DPoP proof', algs: ['ES256'] });
 * // 'DPoP realm="api", error="invalid_dpop_proof", error_description="Invalid DPoP proof", algs="ES256"'
 * ```
 */
export function buildDPoPChallenge(params: DPoPChallengeParams): string {
  const { algs: given, resourceMetadata, ...rest } = params;
  const parts = [buildChallenge(rest).slice('Bearer '.length)];
  const algs = given.filter((alg) => ALG_TOKEN.test(alg));
  if (algs.length > 0) parts.push(`algs="${algs.join(' ')}"`);
  if (resourceMetadata !== undefined && resourceMetadata.length > 0 && isChallengeText(resourceMetadata)) parts.push(`resource_metadata="${resourceMetadata}"`);
  return `DPoP ${parts.join(', ')}`;
}
