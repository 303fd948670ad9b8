// What each outcome of an attack looks like on the wire, and how much work it may have cost.
// The descriptions are the core's fixed ones; the core's own attack test compares every
// AuthError it gets against this table, so a drift shows up there first.

/** `ACCEPTED` (a control: the request must pass) or the `AuthError` code it must fail with. */
export type AttackOutcome =
  | 'ACCEPTED'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_MULTIPLE_TOKENS'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  | 'ERR_CRIT_UNSUPPORTED'
  | 'ERR_TOKEN_TYPE_INVALID'
  | 'ERR_JWE_NOT_ACCEPTED'
  | 'ERR_ISSUER_INVALID'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_AUDIENCE_INVALID'
  | 'ERR_CLAIM_MISSING'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_TOKEN_REVOKED';

/** The response an outcome must produce. */
export interface ExpectedResponse {
  readonly status: number;
  /** The exact `WWW-Authenticate` value, or null for none. */
  readonly challenge: string | null;
  /** The JSON body's `error`, or null on success. */
  readonly error: string | null;
}

/** Upper bounds on the work an outcome may cost, observed through counters. */
export interface WorkBound {
  /** Signature checks the verifier may run (0: refused before any key was used). */
  readonly signatureChecks: number;
  /** Whether anything of the token may be decoded (false: refused on its length or shape alone). */
  readonly decodes: boolean;
  /** Calls of the revocation check: only a token that verified may reach it. */
  readonly revocationChecks: number;
}

const INVALID_TOKEN: Partial<Record<AttackOutcome, string>> = {
  ERR_TOKEN_MALFORMED: 'The access token is malformed',
  ERR_TOKEN_TOO_LARGE: 'The access token is too large',
  ERR_ALGORITHM_NOT_ALLOWED: 'The token algorithm is not allowed',
  ERR_CRIT_UNSUPPORTED: 'The token uses an unsupported critical extension',
  ERR_TOKEN_TYPE_INVALID: 'The token type is not accepted',
  ERR_JWE_NOT_ACCEPTED: 'Encrypted tokens are not accepted',
  ERR_ISSUER_INVALID: 'The token issuer is not trusted',
  ERR_KEY_NOT_FOUND: 'No key matches the token',
  ERR_SIGNATURE_INVALID: 'The token signature is invalid',
  ERR_TOKEN_EXPIRED: 'The access token expired',
  ERR_TOKEN_NOT_YET_VALID: 'The access token is not yet valid',
  ERR_AUDIENCE_INVALID: 'The token audience is not accepted',
  ERR_CLAIM_MISSING: 'A required claim is missing',
  ERR_CLAIM_INVALID: 'A claim is invalid',
  ERR_TOKEN_REVOKED: 'The access token was revoked',
};

/** The status, exact challenge and body `error` of an outcome under `realm`. */
export function expectedResponse(outcome: AttackOutcome, realm: string): ExpectedResponse {
  if (outcome === 'ACCEPTED') return { status: 200, challenge: null, error: null };
  if (outcome === 'ERR_TOKEN_MISSING') return { status: 401, challenge: `Bearer realm="${realm}"`, error: 'unauthorized' };
  if (outcome === 'ERR_INVALID_REQUEST' || outcome === 'ERR_MULTIPLE_TOKENS') {
    const description = outcome === 'ERR_INVALID_REQUEST' ? 'Malformed Authorization header' : 'More than one access token in the request';
    return { status: 400, challenge: `Bearer realm="${realm}", error="invalid_request", error_description="${description}"`, error: 'invalid_request' };
  }
  const description = INVALID_TOKEN[outcome] as string;
  return { status: 401, challenge: `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`, error: 'invalid_token' };
}

const BEFORE_DECODING = new Set<AttackOutcome>(['ERR_TOKEN_MISSING', 'ERR_INVALID_REQUEST', 'ERR_MULTIPLE_TOKENS', 'ERR_TOKEN_TOO_LARGE', 'ERR_JWE_NOT_ACCEPTED']);
const BEFORE_SIGNATURE = new Set<AttackOutcome>([
  ...BEFORE_DECODING,
  'ERR_TOKEN_MALFORMED',
  'ERR_ALGORITHM_NOT_ALLOWED',
  'ERR_CRIT_UNSUPPORTED',
  'ERR_TOKEN_TYPE_INVALID',
  'ERR_ISSUER_INVALID',
  'ERR_KEY_NOT_FOUND',
]);

/**
 * The most work an outcome may cost. Everything refused before the signature touched no key;
 * everything after it ran at most one check (each trusted issuer has one key); only tokens
 * that verified reached the revocation check.
 */
export function workBound(outcome: AttackOutcome): WorkBound {
  return {
    signatureChecks: BEFORE_SIGNATURE.has(outcome) ? 0 : 1,
    decodes: !BEFORE_DECODING.has(outcome),
    revocationChecks: outcome === 'ACCEPTED' || outcome === 'ERR_TOKEN_REVOKED' ? 1 : 0,
  };
}

/**
 * The pieces of what the client sent that must never come back in a response, an error message
 * or a challenge: every part of a token or header value of 12 characters or more, plus any
 * attacker-chosen text a case names.
 */
export function echoProbes(sent: readonly string[], extra: readonly string[] = []): string[] {
  const pieces = sent.flatMap((value) => value.split(/[\s.,"]+/)).filter((piece) => piece.length >= 12);
  return [...new Set([...pieces, ...extra.filter((text) => text.length >= 6)])];
}
