/**
 * Revocation keyed on (`iss`, `jti`), never on the token string: compact tokens are malleable
 * (an ECDSA signature has two valid forms), so a deny-list of strings can be bypassed. Token
 * families (a login session's refresh tokens and the access tokens naming it) are revoked as a
 * whole, and each family holds the generation of its current refresh token, so reuse detection
 * costs one record per live session, never one per redemption. Entries expire with the tokens
 * they describe, plus the largest clock tolerance a verifier allows, so a revoked token is not
 * accepted again in that slack.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { ownOptions } from '../internal/options.js';

/**
 * Seconds an entry outlives the `exp` it was given: the largest `clockTolerance` a verifier
 * accepts, during which the token itself may still verify.
 */
export const REVOCATION_MARGIN = 300;

/** A verified token as the store reads it: its issuer and claims. */
export interface RevocableToken {
  readonly issuer?: string;
  readonly claims: JWTPayload;
}

/** The outcome of {@link RevocationStore.advanceFamily}. */
export type FamilyAdvance =
  /** The generation was the family's current one (or the family is new): it moved one on. */
  | 'advanced'
  /** An older generation came back: a copy leaked. The family is revoked now. */
  | 'reused'
  /** The family was revoked before. */
  | 'revoked';

/**
 * Revoked tokens and token families. Writes are asynchronous, so a shared store (Redis) can
 * implement them; {@link RevocationStore.isRevoked} answers synchronously from what this process
 * holds (for a shared store, a local mirror it keeps current), so the per-request check never
 * waits on the network.
 *
 * What an implementation promises: a revocation, once its write resolved, is never forgotten
 * before its `expiresAt` (plus {@link REVOCATION_MARGIN}); `advanceFamily` is atomic across
 * every process sharing the store; `isRevoked` either answers from a list it knows to be current
 * within the store's documented delay, or throws (the verifier then answers 503).
 */
export interface RevocationStore {
  /**
   * Revokes one token by its `iss` and `jti` until `expiresAt` (seconds since the epoch; the
   * token's `exp`), plus {@link REVOCATION_MARGIN}.
   */
  revoke(issuer: string, jti: string, expiresAt?: number): Promise<void>;
  /** Revokes a verified token until its `exp`. Tokens without `iss` or `jti` cannot be revoked: a TypeError. */
  revokeToken(token: RevocableToken): Promise<void>;
  /** Revokes every token of a family (by the `familyClaim`) until `expiresAt`. */
  revokeFamily(issuer: string, family: string, expiresAt?: number): Promise<void>;
  /**
   * Redeems generation `generation` of a family, atomically: `advanced` when it is the family's
   * current generation (or the family is not known yet), which then becomes `generation + 1`;
   * `reused` when it is an older one, and the family is revoked at that moment; `revoked` when
   * the family was revoked before. The family's record lives until `expiresAt` (seconds).
   */
  advanceFamily(issuer: string, family: string, generation: number, expiresAt: number): Promise<FamilyAdvance>;
  /**
   * True when the token's (`iss`, `jti`) or its family is revoked. Synchronous: never waits on a
   * network. Throws when the store cannot vouch for its answer (a shared store's mirror out of
   * touch for longer than it allows); the verifier turns that into a 503.
   */
  isRevoked(token: RevocableToken): boolean;
  /** Entries currently held (revoked tokens and families). */
  readonly size: number;
  /** The claim naming token families, when the store was created with one. */
  readonly familyClaim: string | undefined;
}

/** Options of {@link createRevocationStore}. */
export interface RevocationStoreOptions {
  /**
   * A claim naming a token family (for example the refresh-token chain a token belongs to).
   * When set, {@link RevocationStore.revokeFamily} refuses every token of a family at once.
   */
  familyClaim?: string;
  /** Most entries held; a write beyond it rejects with a RangeError rather than forget one. Default 1,000,000. */
  maxEntries?: number;
  /** How long to keep an entry whose token has no `exp`, in seconds. Default 86400 (a day). */
  defaultTtl?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

interface Family {
  /** The generation of the family's current refresh token. */
  generation: number;
  revoked: boolean;
  /** Milliseconds since the epoch. */
  until: number;
}

/**
 * Creates an in-memory revocation store: one process. For several instances, use the Redis
 * store of `@jwt-gate/redis`, which implements the same interface.
 *
 * @example
 * ```ts
 * const revoked = createRevocationStore();
 * const verifier = createVerifier({ issuer, audience, secret, isRevoked: revoked });
 * // at logout
 * await revoked.revokeToken(req.auth);
 * ```
 */
export function createRevocationStore(input: RevocationStoreOptions = {}): RevocationStore {
  const options = ownOptions(input, 'createRevocationStore', ['familyClaim', 'maxEntries', 'defaultTtl', 'clock']);
  const familyClaim = options.familyClaim;
  if (familyClaim !== undefined && (typeof familyClaim !== 'string' || familyClaim.length === 0)) throw new TypeError('familyClaim must be a claim name');
  const maxEntries = options.maxEntries ?? 1_000_000;
  const defaultTtl = options.defaultTtl ?? 86_400;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  if (!Number.isFinite(defaultTtl) || defaultTtl <= 0) throw new RangeError('defaultTtl must be a positive number of seconds');
  const clock = options.clock ?? Date.now;

  // Keys: JSON arrays, so no separator can make two different pairs collide.
  const tokens = new Map<string, number>(); // -> expiry in ms
  const families = new Map<string, Family>();
  let nextSweep = 0;

  function sweep(now: number, force = false): void {
    if (!force && now < nextSweep) return;
    nextSweep = now + 60_000;
    for (const [key, until] of tokens) if (until <= now) tokens.delete(key);
    for (const [key, family] of families) if (family.until <= now) families.delete(key);
  }

  function untilOf(expiresAt: number | undefined, now: number): number {
    const until = expiresAt === undefined ? now + defaultTtl * 1000 : (expiresAt + REVOCATION_MARGIN) * 1000;
    if (!Number.isFinite(until)) throw new RangeError('expiresAt must be a finite NumericDate');
    return until;
  }

  /** Makes room for one more entry, or throws: a store never forgets a revocation to take another. */
  function room(now: number): void {
    sweep(now);
    if (tokens.size + families.size < maxEntries) return;
    sweep(now, true);
    if (tokens.size + families.size >= maxEntries) throw new RangeError('revocation store is full');
  }

  function liveToken(key: string, now: number): boolean {
    const until = tokens.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    tokens.delete(key);
    return false;
  }

  function liveFamily(key: string, now: number): Family | undefined {
    const family = families.get(key);
    if (family === undefined) return undefined;
    if (family.until > now) return family;
    families.delete(key);
    return undefined;
  }

  function revokeKey(key: string, expiresAt: number | undefined): void {
    const now = clock();
    const until = untilOf(expiresAt, now);
    if (until <= now) return;
    if (!tokens.has(key)) room(now);
    tokens.set(key, Math.max(tokens.get(key) ?? 0, until));
  }

  function familyKey(issuer: unknown, family: unknown, where: string): string {
    if (familyClaim === undefined) throw new TypeError(`${where} needs the store to be created with a familyClaim`);
    if (typeof issuer !== 'string' || typeof family !== 'string' || family.length === 0) throw new TypeError(`${where} needs an issuer and a family`);
    return JSON.stringify([issuer, family]);
  }

  function issuerOf(token: RevocableToken): string | undefined {
    if (typeof token.issuer === 'string') return token.issuer;
    const claims = token.claims as Record<string, unknown>;
    return Object.hasOwn(claims, 'iss') && typeof claims['iss'] === 'string' ? claims['iss'] : undefined;
  }

  return {
    async revoke(issuer, jti, expiresAt) {
      if (typeof issuer !== 'string' || typeof jti !== 'string' || jti.length === 0) throw new TypeError('revoke needs an issuer and a jti');
      revokeKey(JSON.stringify([issuer, jti]), expiresAt);
    },
    async revokeToken(token) {
      const issuer = issuerOf(token);
      const claims = token.claims as Record<string, unknown>;
      const jti = Object.hasOwn(claims, 'jti') ? claims['jti'] : undefined;
      if (issuer === undefined || typeof jti !== 'string' || jti.length === 0) throw new TypeError('only tokens with iss and jti can be revoked');
      const exp = Object.hasOwn(claims, 'exp') ? claims['exp'] : undefined;
      revokeKey(JSON.stringify([issuer, jti]), typeof exp === 'number' ? exp : undefined);
    },
    async revokeFamily(issuer, family, expiresAt) {
      const key = familyKey(issuer, family, 'revokeFamily');
      const now = clock();
      const until = untilOf(expiresAt, now);
      if (until <= now) return;
      const held = liveFamily(key, now);
      if (held === undefined) room(now);
      families.set(key, { generation: held?.generation ?? 0, revoked: true, until: Math.max(held?.until ?? 0, until) });
    },
    async advanceFamily(issuer, family, generation, expiresAt) {
      const key = familyKey(issuer, family, 'advanceFamily');
      if (!Number.isSafeInteger(generation) || generation < 0) throw new TypeError('advanceFamily needs a non-negative integer generation');
      const now = clock();
      const until = untilOf(expiresAt, now);
      const held = liveFamily(key, now);
      if (held?.revoked === true) return 'revoked';
      if (held !== undefined && generation !== held.generation) {
        held.revoked = true;
        held.until = Math.max(held.until, until);
        return 'reused';
      }
      if (held === undefined) room(now);
      families.set(key, { generation: generation + 1, revoked: false, until: Math.max(held?.until ?? 0, until) });
      return 'advanced';
    },
    isRevoked(token) {
      const issuer = issuerOf(token);
      if (issuer === undefined) return false;
      const now = clock();
      const claims = token.claims as Record<string, unknown>;
      const jti = Object.hasOwn(claims, 'jti') ? claims['jti'] : undefined;
      if (typeof jti === 'string' && liveToken(JSON.stringify([issuer, jti]), now)) return true;
      if (familyClaim === undefined) return false;
      const family = Object.hasOwn(claims, familyClaim) ? claims[familyClaim] : undefined;
      return typeof family === 'string' && liveFamily(JSON.stringify([issuer, family]), now)?.revoked === true;
    },
    get size() {
      sweep(clock());
      return tokens.size + families.size;
    },
    familyClaim,
  };
}
