/**
 * An in-memory revocation store keyed on (`iss`, `jti`), never on the token string: compact
 * tokens are malleable (an ECDSA signature has two valid forms), so a deny-list of strings can be
 * bypassed. Entries expire with the token they revoke.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import type { VerifiedToken } from './verifier.js';

/** Options of {@link createRevocationStore}. */
export interface RevocationStoreOptions {
  /**
   * A claim naming a token family (for example the refresh-token chain a token belongs to).
   * When set, {@link RevocationStore.revokeFamily} refuses every token of a family at once.
   */
  familyClaim?: string;
  /** Most entries held; `revoke` throws a RangeError beyond it rather than forget one. Default 1,000,000. */
  maxEntries?: number;
  /** How long to keep an entry whose token has no `exp`, in seconds. Default 86400 (a day). */
  defaultTtl?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Revoked token ids. Pass it as the verifier's `isRevoked`. */
export interface RevocationStore {
  /** Revokes one token by its `iss` and `jti` until `expiresAt` (seconds since the epoch). */
  revoke(issuer: string, jti: string, expiresAt?: number): void;
  /** Revokes a verified token until its `exp`. Tokens without `jti` cannot be revoked and throw a TypeError. */
  revokeToken(token: VerifiedToken | { claims: JWTPayload; issuer?: string }): void;
  /** Revokes every token of a family (by the `familyClaim`) until `expiresAt`. */
  revokeFamily(issuer: string, family: string, expiresAt?: number): void;
  /** True when the token's (`iss`, `jti`) or family is revoked. */
  isRevoked(token: VerifiedToken | { claims: JWTPayload; issuer?: string }): boolean;
  /** Entries currently held. */
  readonly size: number;
  /** The claim naming token families, when the store was created with one. */
  readonly familyClaim: string | undefined;
}

/**
 * Creates an in-memory revocation store. One process only: behind a load balancer, keep
 * revocations in a shared store (Redis, a database) and pass your own `isRevoked`.
 *
 * @example
 * ```ts
 * const revoked = createRevocationStore();
 * const verifier = createVerifier({ issuer, audience, secret, isRevoked: revoked });
 * // at logout
 * revoked.revokeToken(req.auth);
 * ```
 */
export function createRevocationStore(options: RevocationStoreOptions = {}): RevocationStore {
  const familyClaim = options.familyClaim;
  if (familyClaim !== undefined && (typeof familyClaim !== 'string' || familyClaim.length === 0)) throw new TypeError('familyClaim must be a claim name');
  const maxEntries = options.maxEntries ?? 1_000_000;
  const defaultTtl = options.defaultTtl ?? 86_400;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  if (!Number.isFinite(defaultTtl) || defaultTtl <= 0) throw new RangeError('defaultTtl must be a positive number of seconds');
  const clock = options.clock ?? Date.now;

  // Key: a JSON array, so no separator can make two different pairs collide.
  const entries = new Map<string, number>(); // -> expiry in ms
  let nextSweep = 0;

  function sweep(now: number): void {
    if (now < nextSweep) return;
    nextSweep = now + 60_000;
    for (const [key, until] of entries) if (until <= now) entries.delete(key);
  }

  function add(key: string, expiresAt: number | undefined): void {
    const now = clock();
    sweep(now);
    const until = expiresAt === undefined ? now + defaultTtl * 1000 : expiresAt * 1000;
    if (!Number.isFinite(until)) throw new RangeError('expiresAt must be a finite NumericDate');
    if (until <= now) return;
    if (!entries.has(key) && entries.size >= maxEntries) {
      nextSweep = 0;
      sweep(now);
      if (entries.size >= maxEntries) throw new RangeError('revocation store is full');
    }
    entries.set(key, Math.max(entries.get(key) ?? 0, until));
  }

  function live(key: string): boolean {
    const until = entries.get(key);
    if (until === undefined) return false;
    if (until > clock()) return true;
    entries.delete(key);
    return false;
  }

  function issuerOf(token: { claims: JWTPayload; issuer?: string }): string | undefined {
    return token.issuer ?? (typeof token.claims.iss === 'string' ? token.claims.iss : undefined);
  }

  return {
    revoke(issuer, jti, expiresAt) {
      if (typeof issuer !== 'string' || typeof jti !== 'string' || jti.length === 0) throw new TypeError('revoke needs an issuer and a jti');
      add(JSON.stringify(['jti', issuer, jti]), expiresAt);
    },
    revokeToken(token) {
      const issuer = issuerOf(token);
      const jti = token.claims.jti;
      if (issuer === undefined || typeof jti !== 'string') throw new TypeError('only tokens with iss and jti can be revoked');
      add(JSON.stringify(['jti', issuer, jti]), typeof token.claims.exp === 'number' ? token.claims.exp : undefined);
    },
    revokeFamily(issuer, family, expiresAt) {
      if (familyClaim === undefined) throw new TypeError('revokeFamily needs the store to be created with a familyClaim');
      if (typeof issuer !== 'string' || typeof family !== 'string' || family.length === 0) throw new TypeError('revokeFamily needs an issuer and a family');
      add(JSON.stringify(['family', issuer, family]), expiresAt);
    },
    isRevoked(token) {
      const issuer = issuerOf(token);
      if (issuer === undefined) return false;
      const claims = token.claims as Record<string, unknown>;
      const jti = Object.hasOwn(claims, 'jti') ? claims['jti'] : undefined;
      if (typeof jti === 'string' && live(JSON.stringify(['jti', issuer, jti]))) return true;
      if (familyClaim !== undefined) {
        const family = Object.hasOwn(claims, familyClaim) ? claims[familyClaim] : undefined;
        if (typeof family === 'string' && live(JSON.stringify(['family', issuer, family]))) return true;
      }
      return false;
    },
    get size() {
      sweep(clock());
      return entries.size;
    },
    familyClaim,
  };
}
