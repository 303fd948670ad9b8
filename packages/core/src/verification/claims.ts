// Claim validation after the signature holds (RFC 7519 §4.1, RFC 9068 §4). Every read is an
// own-property read with a type check: a claim of the wrong type is invalid, never coerced.

import { AuthError, type AuthErrorCode } from '../errors/auth-error.js';
import type { JsonObject } from '../jose/json.js';

export interface ClaimRules {
  readonly audiences: readonly string[] | null;
  readonly clockTolerance: number; // seconds
  readonly maxTokenAge: number | undefined; // seconds
  readonly requireExpiration: boolean;
  readonly requiredClaims: readonly string[];
  readonly realm: string;
  /** The trusted issuer these rules belong to, named in refusals; undefined for `issuer: null`. */
  readonly issuer: string | undefined;
}

function own(claims: JsonObject, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function fail(rules: ClaimRules, code: AuthErrorCode, claim: string, reason: string): AuthError {
  return new AuthError(code, { claim, reason, realm: rules.realm, ...(rules.issuer === undefined ? {} : { issuer: rules.issuer }) });
}

function numericDate(rules: ClaimRules, claims: JsonObject, name: string): number | undefined {
  const value = own(claims, name);
  if (value === undefined) return undefined;
  // RFC 7519 §2: a NumericDate is a number. Strings, booleans, null and 1e400 (Infinity) are not:
  // Number.isFinite is false for every value that is no number.
  if (!Number.isFinite(value)) throw fail(rules, 'ERR_CLAIM_INVALID', name, 'type');
  return value as number;
}

/** Throws the first failing rule as an AuthError. `now` is in seconds. */
export function validateClaims(claims: JsonObject, rules: ClaimRules, now: number): void {
  const tolerance = rules.clockTolerance;

  const exp = numericDate(rules, claims, 'exp');
  if (exp === undefined) {
    if (rules.requireExpiration) throw fail(rules, 'ERR_CLAIM_MISSING', 'exp', 'missing');
  } else if (now - tolerance >= exp) {
    throw fail(rules, 'ERR_TOKEN_EXPIRED', 'exp', 'expired');
  }

  // A missing nbf or iat bounds nothing: read as -Infinity, it is never in the future.
  const nbf = numericDate(rules, claims, 'nbf') ?? Number.NEGATIVE_INFINITY;
  if (now + tolerance < nbf) throw fail(rules, 'ERR_TOKEN_NOT_YET_VALID', 'nbf', 'future');

  const iat = numericDate(rules, claims, 'iat');
  if ((iat ?? Number.NEGATIVE_INFINITY) > now + tolerance) throw fail(rules, 'ERR_CLAIM_INVALID', 'iat', 'future');
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined) throw fail(rules, 'ERR_CLAIM_MISSING', 'iat', 'missing');
    if (now - iat - tolerance > rules.maxTokenAge) throw fail(rules, 'ERR_TOKEN_TOO_OLD', 'iat', 'too_old');
  }

  const { audiences } = rules;
  if (audiences !== null) {
    const aud = own(claims, 'aud');
    if (aud === undefined) throw fail(rules, 'ERR_AUDIENCE_INVALID', 'aud', 'missing');
    const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
    if (values === undefined || values.length === 0 || !values.every((v) => typeof v === 'string')) {
      throw fail(rules, 'ERR_AUDIENCE_INVALID', 'aud', 'type');
    }
    if (!values.some((v) => audiences.includes(v as string))) throw fail(rules, 'ERR_AUDIENCE_INVALID', 'aud', 'mismatch');
  }

  for (const name of ['sub', 'jti'] as const) {
    const value = own(claims, name);
    if (value !== undefined && typeof value !== 'string') throw fail(rules, 'ERR_CLAIM_INVALID', name, 'type');
  }

  for (const name of rules.requiredClaims) {
    if (own(claims, name) === undefined) throw fail(rules, 'ERR_CLAIM_MISSING', name, 'missing');
  }
}

/** Milliseconds during which a verified token may be served from cache: what its claims allow. */
export function servingWindow(claims: JsonObject, rules: ClaimRules): { from: number; until: number } {
  const tolerance = rules.clockTolerance;
  const exp = numericDate(rules, claims, 'exp');
  const nbf = numericDate(rules, claims, 'nbf');
  const iat = numericDate(rules, claims, 'iat');
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  if (nbf !== undefined) from = Math.max(from, (nbf - tolerance) * 1000);
  if (iat !== undefined) from = Math.max(from, (iat - tolerance) * 1000);
  if (exp !== undefined) until = Math.min(until, (exp + tolerance) * 1000);
  if (
    rules.maxTokenAge !== undefined &&
    // Stryker disable next-line ConditionalExpression: with maxTokenAge, validateClaims refuses a token without iat, and only a validated token's window is asked for
    iat !== undefined
  ) {
    until = Math.min(until, (iat + rules.maxTokenAge + tolerance) * 1000);
  }
  return { from, until };
}
