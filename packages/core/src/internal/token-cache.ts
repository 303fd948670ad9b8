// The verified-token cache. It exists to skip the signature check of a token seen before, and
// is built to be safe where others were not:
// - keyed by the whole token string, in a cache owned by one verifier (no key builder to
//   collide, no sharing between configurations);
// - an entry is served only inside the time window its claims allow (exp, nbf, iat, maxTokenAge,
//   each with the clock tolerance), re-checked on every hit;
// - an entry dies with its key: when the key leaves its key set, the token is verified afresh;
// - revocation and policies still run on every hit (the verifier and authenticator do that);
// - bounded: at most `maxEntries` entries, the least recently inserted evicted first; failures
//   are never cached.

import type { PreparedKey } from './key-store.js';

export interface CacheEntry<T> {
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

export function createTokenCache<T>(maxEntries: number): TokenCache<T> {
  const entries = new Map<string, CacheEntry<T>>();
  return {
    get(token, now) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (now < entry.from || now >= entry.until || !entry.key.active) {
        entries.delete(token);
        return undefined;
      }
      return entry;
    },
    set(token, entry) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(token, entry);
    },
    get size() {
      return entries.size;
    },
  };
}
