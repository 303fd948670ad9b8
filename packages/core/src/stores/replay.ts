/**
 * Replay detection: a one-time value (a DPoP proof's key thumbprint and `jti`, a nonce) is
 * recorded once for a window; the same value again within the window is a replay. Entries
 * expire with their window, so memory follows the values still inside one.
 *
 * @module
 */

import { ownOptions, positiveInteger } from '../internal/options.js';
import { encodeBase64url } from '../jose/base64url.js';

/**
 * Where one-time values are recorded. {@link ReplayStore.recordOnce} must be atomic (set if
 * absent, with an expiry): of two calls with one key, however concurrent and on whichever
 * instance, exactly one resolves to true.
 */
export interface ReplayStore {
  /**
   * Records `key` for `ttlMs` milliseconds: true when it was not recorded yet (first use), false
   * when it is still recorded (a replay). Rejects when the store cannot answer (full, or its
   * server unreachable): treat that as a refusal (503), never as a first use.
   */
  recordOnce(key: string, ttlMs: number): Promise<boolean>;
}

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most values held at once. When full of values still inside their window, `recordOnce`
   * rejects with a RangeError rather than forget one (forgetting would let it be replayed).
   * Default 1000000.
   */
  maxEntries?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Keys up to this length are held as given; longer ones as their SHA-256, so every entry is small. */
const MAX_KEY_LENGTH = 128;
const encoder = new TextEncoder();

/** A key of bounded size: itself, or its SHA-256 in base64url (43 characters) when longer. */
export async function boundedKey(key: string): Promise<string> {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('recordOnce: key must be a non-empty string');
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `#${encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(key))))}`;
}

/**
 * Creates an in-memory {@link ReplayStore}: one process. Each value holds one small entry until
 * its window ends. For several instances, use the Redis store of `@jwt-gate/redis`.
 *
 * @example A DPoP proof's jti, once per key, for the proof's lifetime
 * ```ts
 * const replays = createMemoryReplayStore();
 * if (!(await replays.recordOnce(`${thumbprint}.${proof.jti}`, 300_000))) throw replayed();
 * ```
 */
export function createMemoryReplayStore(input: MemoryReplayStoreOptions = {}): ReplayStore {
  const options = ownOptions(input, 'createMemoryReplayStore', ['maxEntries', 'clock']);
  const maxEntries = positiveInteger('createMemoryReplayStore', 'maxEntries', options.maxEntries, 1_000_000);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createMemoryReplayStore: clock must be a function returning milliseconds');
  const entries = new Map<string, number>(); // key -> expiry in ms
  let nextSweep = 0;

  function sweep(now: number, force: boolean): void {
    if (!force && now < nextSweep) return;
    nextSweep = now + 10_000;
    for (const [key, until] of entries) if (until <= now) entries.delete(key);
  }

  return Object.freeze({
    async recordOnce(key: string, ttlMs: number): Promise<boolean> {
      if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('recordOnce: ttlMs must be a positive number of milliseconds');
      const held = await boundedKey(key);
      // From here on no await: the check and the write are one step, so two calls cannot both win.
      const now = clock();
      const until = entries.get(held);
      if (until !== undefined && until > now) return false;
      if (until === undefined) {
        sweep(now, false);
        if (entries.size >= maxEntries) sweep(now, true);
        if (entries.size >= maxEntries) throw new RangeError('replay store is full');
      }
      entries.set(held, now + ttlMs);
      return true;
    },
  });
}
