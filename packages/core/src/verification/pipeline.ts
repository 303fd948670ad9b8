// The per-token pipeline, one named step each, over a plan made once (see plan.ts):
//
//   verifyToken:  encryption required? → cached result? → unwrap a JWE → verifyCompact
//   verifyCompact: parse → readHeader → matchIssuer → checkAlgorithm → checkType
//                  → selectKeys → checkSignature → acceptClaims → checkRevocation
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
import type { VerifiedToken } from './types.js';

type Outcome<T> = T | Promise<T>;

function fail(plan: VerificationPlan, code: AuthErrorCode, extra: { claim?: string; reason?: string; cause?: unknown } = {}): AuthError {
  return new AuthError(code, { realm: plan.realm, ...extra });
}

/** The whole verification of one token. */
export function verifyToken(plan: VerificationPlan, token: string): Outcome<VerifiedToken> {
  if (plan.requireEncryption) requireEncrypted(plan, token);
  const cached = cachedResult(plan, token);
  if (cached !== undefined) return cached;
  const { decryptor } = plan;
  if (decryptor !== undefined && typeof token === 'string' && token.length <= plan.maxTokenSize && isCompactJwe(token)) {
    return Promise.resolve(decryptor.unwrap(token)).then((inner) => verifyCompact(plan, token, inner));
  }
  return verifyCompact(plan, token, token);
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
function cachedResult(plan: VerificationPlan, token: string): Outcome<VerifiedToken> | undefined {
  if (plan.tokenCache === undefined || typeof token !== 'string') return undefined;
  const hit = plan.tokenCache.get(token, plan.clock());
  if (hit === undefined || plan.issuers.get(hit.result.issuer)?.keys.current() !== true) return undefined;
  return checkRevocation(plan, hit.result);
}

/** A compact JWS (`compact`), received as `token` (the JWE around it, or itself). */
function verifyCompact(plan: VerificationPlan, token: string, compact: string): Outcome<VerifiedToken> {
  const parsed = plan.parse(compact);
  const { alg, kid } = readHeader(plan, parsed.header);
  const issuer = matchIssuer(plan, parsed.payload);
  checkAlgorithm(plan, issuer, alg);
  checkType(plan, issuer, parsed.header);
  const keys = selectKeys(plan, issuer, alg, kid);
  const settle = (candidates: readonly PreparedKey[]): Outcome<VerifiedToken> => {
    const key = checkSignature(plan, candidates, parsed, alg);
    if (key instanceof Promise) return key.then((k) => checkRevocation(plan, acceptClaims(plan, token, issuer, parsed, k)));
    return checkRevocation(plan, acceptClaims(plan, token, issuer, parsed, key));
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

/** The trusted issuer the unverified `iss` names, matched before any key is looked up or fetched. */
function matchIssuer(plan: VerificationPlan, payload: JsonObject): IssuerPlan {
  const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
  if (typeof iss !== 'string') throw fail(plan, 'ERR_ISSUER_INVALID', { claim: 'iss', reason: iss === undefined ? 'missing' : 'type' });
  const issuer = plan.issuers.get(iss);
  if (issuer === undefined) throw fail(plan, 'ERR_ISSUER_INVALID', { claim: 'iss', reason: 'mismatch' });
  return issuer;
}

function checkAlgorithm(plan: VerificationPlan, issuer: IssuerPlan, alg: Algorithm): void {
  if (!issuer.allowed.has(alg)) throw fail(plan, 'ERR_ALGORITHM_NOT_ALLOWED');
}

function checkType(plan: VerificationPlan, issuer: IssuerPlan, header: JsonObject): void {
  if (issuer.tokenTypes === undefined) return;
  const typ = header['typ'];
  if (typeof typ !== 'string' || !issuer.tokenTypes.has(normalizeMediaType(typ))) {
    throw fail(plan, 'ERR_TOKEN_TYPE_INVALID', { claim: 'typ', reason: typ === undefined ? 'missing' : 'mismatch' });
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
      throw fail(plan, 'ERR_CONFIG_INVALID', { cause: error });
    }
  })();
}

/** The first candidate whose signature verifies. A crypto-layer error is a bad signature, never a 500. */
function checkSignature(plan: VerificationPlan, keys: readonly PreparedKey[], parsed: ParsedJws, alg: Algorithm, from = 0): Outcome<PreparedKey> {
  if (keys.length === 0) throw fail(plan, 'ERR_KEY_NOT_FOUND');
  for (let i = from; i < keys.length; i++) {
    const key = keys[i] as PreparedKey;
    let valid: boolean | Promise<boolean>;
    try {
      valid = plan.backend.verify(alg, key.handles.get(alg), parsed.signingInput, parsed.signature);
    } catch (error) {
      throw fail(plan, 'ERR_SIGNATURE_INVALID', { cause: error });
    }
    if (valid === true) return key;
    if (valid !== false) {
      return valid.then(
        (ok) => (ok ? key : checkSignature(plan, keys, parsed, alg, i + 1)),
        (error: unknown) => {
          throw fail(plan, 'ERR_SIGNATURE_INVALID', { cause: error });
        },
      );
    }
  }
  throw fail(plan, 'ERR_SIGNATURE_INVALID');
}

/** Claims valid: the frozen result, cached for the window its claims allow. */
function acceptClaims(plan: VerificationPlan, token: string, issuer: IssuerPlan, parsed: ParsedJws, key: PreparedKey): VerifiedToken {
  const now = plan.clock();
  validateClaims(parsed.payload, issuer.rules, now / 1000);
  // Frozen whole, cached or not: a handler can never alter what the next one reads.
  const result: VerifiedToken = deepFreeze({ claims: parsed.payload, header: parsed.header as JWTHeaderParameters, issuer: issuer.issuer, token });
  if (plan.tokenCache !== undefined) {
    const { from, until } = servingWindow(parsed.payload, issuer.rules);
    if (until > now) plan.tokenCache.set(token, { token, result, key, from, until });
  }
  return result;
}

/** Revocation, asked after everything else held and on every cache hit. */
function checkRevocation(plan: VerificationPlan, result: VerifiedToken): Outcome<VerifiedToken> {
  const { isRevoked } = plan;
  if (isRevoked === undefined) return result;
  const unavailable = (error: unknown): AuthError => (error instanceof AuthError ? error : fail(plan, 'ERR_REVOCATION_UNAVAILABLE', { cause: error }));
  let answer: boolean | Promise<boolean>;
  try {
    answer = isRevoked(result);
  } catch (error) {
    throw unavailable(error);
  }
  const settle = (revoked: boolean): VerifiedToken => {
    if (revoked === true) throw fail(plan, 'ERR_TOKEN_REVOKED');
    return result;
  };
  return typeof answer === 'boolean' ? settle(answer) : Promise.resolve(answer).then(settle, (error: unknown) => Promise.reject(unavailable(error)));
}
