// The per-token pipeline, one named step each, over a plan made once (see plan.ts):
//
//   verifyToken:  cached result? → the caller's syntax check → encryption required? → unwrap a JWE
//                 → verifyCompact
//   verifyCompact: parse → readHeader → find the issuer (before any key is touched)
//   verifyForIssuer: checkAlgorithm → checkType → selectKeys → checkSignature → acceptClaims
//                    → checkRevocation
//
// Each step throws an AuthError on refusal. Steps stay synchronous where nothing needs waiting
// (keys at hand, a node:crypto signature check, a synchronous revocation store) and return a
// promise only where something had to be awaited.

import type { JWTHeaderParameters } from 'jose';
import { AuthError, type AuthErrorCode } from '../errors/auth-error.js';
import type { Algorithm } from '../jose/algorithms.js';
import { isCompactJwe, type ParsedJws } from '../jose/compact.js';
import { deepFreeze, type JsonObject } from '../jose/json.js';
import { normalizeMediaType } from '../jose/media-type.js';
import { validateClaims, servingWindow } from './claims.js';
import type { PreparedKey } from './key-store.js';
import type { VerificationPlan } from './plan.js';
import type { IssuerPlan } from './trusted-issuers.js';
import type { VerifiedToken, VerifyContext } from './types.js';

type Outcome<T> = T | Promise<T>;

function fail(plan: VerificationPlan, code: AuthErrorCode, extra: { claim?: string; reason?: string; cause?: unknown; issuer?: string | null } = {}): AuthError {
  const { issuer, ...rest } = extra;
  return new AuthError(code, { realm: plan.realm, ...rest, ...(typeof issuer === 'string' ? { issuer } : {}) });
}

const NO_CONTEXT: VerifyContext = Object.freeze({});

/**
 * The whole verification of one token. `checkSyntax` (the authenticator's check of a bearer
 * token's syntax) runs unless the token is cached: a token that verified before passed it then,
 * as it passed the encryption requirement.
 */
export function verifyToken(plan: VerificationPlan, token: string, context: VerifyContext = NO_CONTEXT, checkSyntax?: (token: string) => void): Outcome<VerifiedToken> {
  const cached = cachedResult(plan, token, context);
  if (cached !== undefined) return cached;
  checkSyntax?.(token);
  if (plan.requireEncryption) requireEncrypted(plan, token);
  const { decryptor } = plan;
  if (decryptor !== undefined && typeof token === 'string' && token.length <= plan.maxTokenSize && isCompactJwe(token)) {
    return Promise.resolve(decryptor.unwrap(token)).then((inner) => verifyCompact(plan, token, inner, context));
  }
  return verifyCompact(plan, token, token, context);
}

/** A signed token that arrives unencrypted where `requireEncryption` is set. */
function requireEncrypted(plan: VerificationPlan, token: string): void {
  if (typeof token !== 'string') throw fail(plan, 'ERR_TOKEN_MALFORMED', { reason: 'format' });
  if (token.length > plan.maxTokenSize) throw fail(plan, 'ERR_TOKEN_TOO_LARGE');
  if (!isCompactJwe(token)) throw fail(plan, 'ERR_ENCRYPTION_REQUIRED');
}

/**
 * The result of this exact token string from the verified-token cache, while its key is still
 * current; revocation is asked again on every hit.
 */
function cachedResult(plan: VerificationPlan, token: string, context: VerifyContext): Outcome<VerifiedToken> | undefined {
  if (plan.tokenCache === undefined || typeof token !== 'string') return undefined;
  const hit = plan.tokenCache.get(token, plan.clock());
  if (hit === undefined || plan.issuers.get(hit.result.issuer)?.keys.current() !== true) return undefined;
  return checkRevocation(plan, hit.result, context);
}

/** A compact JWS (`compact`), received as `token` (the JWE around it, or itself). */
function verifyCompact(plan: VerificationPlan, token: string, compact: string, context: VerifyContext): Outcome<VerifiedToken> {
  const parsed = plan.parse(compact);
  const header = readHeader(plan, parsed.header);
  // The unverified `iss` picks the trusted issuer before any key is looked up or fetched.
  const issuer = plan.issuers.find(parsed.payload, context.request);
  if (issuer instanceof Promise) return issuer.then((found) => verifyForIssuer(plan, token, parsed, header, found, context));
  return verifyForIssuer(plan, token, parsed, header, issuer, context);
}

function verifyForIssuer(plan: VerificationPlan, token: string, parsed: ParsedJws, { alg, kid }: { alg: Algorithm; kid: string | undefined }, issuer: IssuerPlan, context: VerifyContext): Outcome<VerifiedToken> {
  checkAlgorithm(plan, issuer, alg);
  checkType(plan, issuer, parsed.header);
  const keys = selectKeys(plan, issuer, alg, kid);
  const settle = (candidates: readonly PreparedKey[]): Outcome<VerifiedToken> => {
    const key = checkSignature(plan, issuer, candidates, parsed, alg);
    if (key instanceof Promise) return key.then((k) => checkRevocation(plan, acceptClaims(plan, token, issuer, parsed, k), context));
    return checkRevocation(plan, acceptClaims(plan, token, issuer, parsed, key), context);
  };
  return Array.isArray(keys) ? settle(keys) : keys.then(settle);
}

/** `alg` and `kid`; refuses `crit` and unencoded payloads. Header keys (`jwk`, `jku`, `x5u`, `x5c`) are never read. */
function readHeader(plan: VerificationPlan, header: JsonObject): { alg: Algorithm; kid: string | undefined } {
  const alg = header['alg'];
  if (typeof alg !== 'string') throw fail(plan, 'ERR_TOKEN_MALFORMED', { reason: 'alg' });
  // RFC 7515 §4.1.11: we understand no extension, so any `crit` makes the token invalid.
  if (Object.hasOwn(header, 'crit')) throw fail(plan, 'ERR_CRIT_UNSUPPORTED');
  // RFC 7797 unencoded payloads are not JWTs.
  if (Object.hasOwn(header, 'b64') && header['b64'] !== true) throw fail(plan, 'ERR_TOKEN_MALFORMED', { reason: 'b64' });
  const kid = header['kid'];
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) throw fail(plan, 'ERR_TOKEN_MALFORMED', { reason: 'kid' });
  return { alg: alg as Algorithm, kid: kid as string | undefined };
}

function checkAlgorithm(plan: VerificationPlan, issuer: IssuerPlan, alg: Algorithm): void {
  if (!issuer.allowed.has(alg)) throw fail(plan, 'ERR_ALGORITHM_NOT_ALLOWED', { issuer: issuer.issuer });
}

function checkType(plan: VerificationPlan, issuer: IssuerPlan, header: JsonObject): void {
  if (issuer.tokenTypes === undefined) return;
  const typ = header['typ'];
  if (typeof typ !== 'string' || !issuer.tokenTypes.has(normalizeMediaType(typ))) {
    throw fail(plan, 'ERR_TOKEN_TYPE_INVALID', { claim: 'typ', reason: typ === undefined ? 'missing' : 'mismatch', issuer: issuer.issuer });
  }
}

/** The candidate keys: at hand, or after a fetch (and one refetch for an unknown `kid`). */
function selectKeys(plan: VerificationPlan, issuer: IssuerPlan, alg: Algorithm, kid: string | undefined): Outcome<PreparedKey[]> {
  const selected = issuer.keys.select(alg, kid);
  if (Array.isArray(selected) && selected.length > 0) return selected;
  return (async () => {
    try {
      let keys = await selected;
      if (keys.length === 0 && (await issuer.keys.refresh())) keys = await issuer.keys.select(alg, kid);
      return keys;
    } catch (error) {
      if (error instanceof AuthError) throw error.withRealm(plan.realm);
      throw fail(plan, 'ERR_CONFIG_INVALID', { cause: error, issuer: issuer.issuer });
    }
  })();
}

/** The first candidate whose signature verifies. A crypto-layer error is a bad signature, never a 500. */
function checkSignature(plan: VerificationPlan, issuer: IssuerPlan, keys: readonly PreparedKey[], parsed: ParsedJws, alg: Algorithm, from = 0): Outcome<PreparedKey> {
  if (keys.length === 0) throw fail(plan, 'ERR_KEY_NOT_FOUND', { issuer: issuer.issuer });
  for (let i = from; i < keys.length; i++) {
    const key = keys[i] as PreparedKey;
    let valid: boolean | Promise<boolean>;
    try {
      valid = plan.backend.verify(alg, key.handles.get(alg), parsed.signingInput, parsed.signature);
    } catch (error) {
      throw fail(plan, 'ERR_SIGNATURE_INVALID', { cause: error, issuer: issuer.issuer });
    }
    if (valid === true) return key;
    if (valid !== false) {
      return valid.then(
        (ok) => (ok ? key : checkSignature(plan, issuer, keys, parsed, alg, i + 1)),
        (error: unknown) => {
          throw fail(plan, 'ERR_SIGNATURE_INVALID', { cause: error, issuer: issuer.issuer });
        },
      );
    }
  }
  throw fail(plan, 'ERR_SIGNATURE_INVALID', { issuer: issuer.issuer });
}

/** Claims valid: the frozen result, cached for the window its claims allow. */
function acceptClaims(plan: VerificationPlan, token: string, issuer: IssuerPlan, parsed: ParsedJws, key: PreparedKey): VerifiedToken {
  const now = plan.clock();
  validateClaims(parsed.payload, issuer.rules, now / 1000);
  // Frozen whole, cached or not: a handler can never alter what the next one reads.
  const name = issuer.issuer ?? (typeof parsed.payload['iss'] === 'string' ? parsed.payload['iss'] : '');
  const result: VerifiedToken = deepFreeze({ claims: parsed.payload, header: parsed.header as JWTHeaderParameters, issuer: name, token });
  if (plan.tokenCache !== undefined) {
    const { from, until } = servingWindow(parsed.payload, issuer.rules);
    if (until > now) plan.tokenCache.set(token, { token, result, key, from, until });
  }
  return result;
}

/** Revocation, asked after everything else held and on every cache hit, with the request where there is one. */
function checkRevocation(plan: VerificationPlan, result: VerifiedToken, context: VerifyContext): Outcome<VerifiedToken> {
  const { isRevoked } = plan;
  if (isRevoked === undefined) return result;
  const unavailable = (error: unknown): AuthError => (error instanceof AuthError ? error : fail(plan, 'ERR_REVOCATION_UNAVAILABLE', { cause: error, issuer: result.issuer }));
  let answer: boolean | Promise<boolean>;
  try {
    answer = isRevoked(result, context.request);
  } catch (error) {
    throw unavailable(error);
  }
  const settle = (revoked: boolean): VerifiedToken => {
    if (revoked === true) throw fail(plan, 'ERR_TOKEN_REVOKED', { issuer: result.issuer });
    return result;
  };
  return typeof answer === 'boolean' ? settle(answer) : Promise.resolve(answer).then(settle, (error: unknown) => Promise.reject(unavailable(error)));
}
