// The verified-token cache. It exists to skip the signature check of a token seen before, and
// is built to be safe where others were not:
// - matched on the whole token string, in a cache owned by one verifier (no key builder to
//   collide, no sharing between configurations);
// - an entry is served only inside the time window its claims allow (exp, nbf, iat, maxTokenAge,
//   each with the clock tolerance), re-checked on every hit;
// - an entry dies with its key: when the key leaves its key set, the token is verified afresh;
// - revocation and policies still run on every hit (the verifier and authenticator do that);
// - bounded: at most `maxEntries` entries, the least recently inserted evicted first; failures
//   are never cached.

import type { PreparedKey } from './key-store.js';

export interface CacheEntry<T> {
  /** The whole token: a lookup matches only on it. */
  readonly token: string;
  readonly result: T;
  readonly key: PreparedKey;
  /** Milliseconds: served from `from` (inclusive) until `until` (exclusive). */
  readonly from: number;
  readonly until: number;
}

export interface TokenCache<T> {
  get(token: string, now: number): CacheEntry<T> | undefined;
  set(token: string, entry: CacheEntry<T>): void;
  readonly size: number;
}

// The map is indexed by a 30-bit number hashed from the eight characters before the token's last
// one (the last character of a base64url signature may carry as few as 2 bits). A request's token
// is a fresh string every time: a string index would be hashed anew on each lookup, where a small
// integer costs nothing to hash (see docs/performance.md). An entry matches only when the
// whole token is equal: tokens sharing an index never share a result, at most one replaces the
// other in the map. Only tokens that verified get in, so no client can choose what collides.
function indexOf(token: string): number {
  const end = token.length - 1;
  let index = 0;
  // Before the start of a short token, charCodeAt gives NaN, which `| 0` turns into 0.
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: another hash only spreads entries differently; a lookup matches the whole token
  for (let i = end - 8; i < end; i++) index = (Math.imul(index, 31) + token.charCodeAt(i)) | 0;
  return index & 0x3fffffff;
}

export function createTokenCache<T>(maxEntries: number): TokenCache<T> {
  const entries = new Map<number, CacheEntry<T>>();
  return {
    get(token, now) {
      const index = indexOf(token);
      const entry = entries.get(index);
      if (entry === undefined || entry.token !== token) return undefined;
      if (now < entry.from || now >= entry.until || !entry.key.active) {
        entries.delete(index);
        return undefined;
      }
      return entry;
    },
    set(token, entry) {
      const index = indexOf(token);
      if (!entries.has(index) && entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        // Stryker disable next-line ConditionalExpression: the map is full here, so never empty (maxEntries is at least 1)
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(index, entry);
    },
    get size() {
      return entries.size;
    },
  };
}
