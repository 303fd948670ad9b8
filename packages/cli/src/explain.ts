// One line per refusal code: what it means for the person at the terminal and what to look at.
// Keyed by the core's closed union, so a new code fails the typecheck until it is explained.

import type { AuthErrorCode } from '@jwt-gate/core';
import { EXIT } from './output.js';

export const EXPLANATIONS: { readonly [C in AuthErrorCode]: string } = {
  ERR_TOKEN_MISSING: 'No token was given.',
  ERR_INVALID_REQUEST: 'The request carrying the token was malformed.',
  ERR_MULTIPLE_TOKENS: 'More than one token was presented.',
  ERR_TOKEN_MALFORMED: 'Not a compact JWT: three base64url segments of JSON, no padding, no duplicate members (jwt-gate inspect shows what it holds).',
  ERR_TOKEN_TOO_LARGE: 'The token is longer than the verifier accepts (8192 characters by default).',
  ERR_ALGORITHM_NOT_ALLOWED: "The header's alg is not one the key allows; --alg sets the allow-list, and `none` is never accepted.",
  ERR_CRIT_UNSUPPORTED: 'The header names a critical extension (crit) the verifier does not understand.',
  ERR_TOKEN_TYPE_INVALID: "The header's typ is not the one required by --typ or --profile.",
  ERR_JWE_NOT_ACCEPTED: 'The token is encrypted (JWE); this command verifies signed tokens.',
  ERR_ENCRYPTION_REQUIRED: 'An encrypted token was required.',
  ERR_DECRYPTION_FAILED: 'The token could not be decrypted.',
  ERR_ISSUER_INVALID: "The token's iss is missing or differs from --iss (compared exactly: a trailing slash counts).",
  ERR_KEY_NOT_FOUND: "No key matches the token's kid and alg: a rotated or foreign key (jwt-gate inspect shows the kid).",
  ERR_SIGNATURE_INVALID: 'The signature does not match: the token was altered or signed by another key.',
  ERR_TOKEN_EXPIRED: "The token's exp is in the past, beyond the clock tolerance (5 s unless --clock-tolerance).",
  ERR_TOKEN_NOT_YET_VALID: "The token's nbf or iat is in the future: a clock on one side is off, or the token is not valid yet.",
  ERR_TOKEN_TOO_OLD: "The token's iat is older than --max-age.",
  ERR_AUDIENCE_INVALID: "The token's aud does not name --aud: it was issued for another API.",
  ERR_CLAIM_MISSING: 'A required claim is absent (exp is required unless --no-require-exp).',
  ERR_CLAIM_INVALID: 'A claim has the wrong type or value (NumericDates must be numbers).',
  ERR_TOKEN_REVOKED: 'The token was revoked.',
  ERR_REVOCATION_UNAVAILABLE: 'The revocation check could not answer.',
  ERR_DPOP_PROOF_INVALID: 'The DPoP proof is missing, malformed, or not for this request (method, URL, iat, ath or nonce).',
  ERR_DPOP_PROOF_REPLAYED: 'The DPoP proof was already used: each request needs a fresh proof with a new jti.',
  ERR_DPOP_KEY_MISMATCH: "The DPoP proof was signed by another key than the one the token's cnf.jkt names, or the token is not DPoP-bound.",
  ERR_DPOP_NONCE_REQUIRED: 'The server requires a nonce in the DPoP proof: retry with the DPoP-Nonce it sent.',
  ERR_DPOP_BOUND_TOKEN: 'The token is DPoP-bound (cnf.jkt): send it as Authorization: DPoP with a proof, never as Bearer.',
  ERR_DPOP_REQUIRED: 'The route requires DPoP: a Bearer token is not accepted.',
  ERR_DPOP_UNAVAILABLE: 'The replay check of DPoP proofs could not answer (its store is down).',
  ERR_INSUFFICIENT_SCOPE: 'The token is valid but lacks the required scope.',
  ERR_KEYS_UNAVAILABLE: 'The keys could not be fetched: the JWKS or discovery endpoint failed (jwt-gate check ISSUER says why).',
  ERR_CONFIG_INVALID: 'The verifier is configured wrongly.',
};

/** The exit code of a refusal: 3 when keys or status were unavailable (a 503), 2 for configuration, 1 otherwise. */
export function exitCodeOf(status: number): number {
  if (status === 503) return EXIT.unavailable;
  if (status === 500) return EXIT.usage;
  return EXIT.refused;
}
