/**
 * Failed-attempt throttling (for a login endpoint): after `maxFailures` failures for one key
 * within `window` seconds, every attempt for that key is refused until the window closes, the
 * right password included. The counts live in a {@link FailureStore}: in memory by default, or
 * a shared one (`@jwt-gate/redis`) so that several instances count together.
 *
 * @module
 */

import { encodeBase64url } from '../jose/base64url.js';
import { ownOptions, positiveInteger, positiveSeconds } from '../internal/options.js';

/** An open window of failures for one key. */
export interface FailureCount {
  /** Failures counted in the window so far. */
  readonly count: number;
  /** When the window closes, in milliseconds since the epoch. */
  readonly resetAt: number;
}

/**
 * Where failures are counted. Implementations must make {@link FailureStore.increment} atomic:
 * two instances counting the same key at once both count.
 */
export interface FailureStore {
  /** Counts one failure for `key`, opening a window of `windowMs` when none is open; resolves to the window. */
  increment(key: string, windowMs: number): Promise<FailureCount>;
  /** The open window of `key`, or undefined. */
  get(key: string): Promise<FailureCount | undefined>;
  /** Closes the window of `key` (a success). */
  delete(key: string): Promise<void>;
}

/** Options of {@link createMemoryFailureStore}. */
export interface MemoryFailureStoreOptions {
  /**
   * Most keys held at once. When full, the window closest to its end is dropped for a new key, so
   * memory stays bounded whatever a client sends. Default 100000.
   */
  maxEntries?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/**
 * An in-memory {@link FailureStore}: one process. Each key holds one small record that expires
 * with its window.
 *
 * @example
 * ```ts
 * const throttle = createLoginThrottle({ store: createMemoryFailureStore({ maxEntries: 10_000 }) });
 * ```
 */
export function createMemoryFailureStore(input: MemoryFailureStoreOptions = {}): FailureStore {
  const options = ownOptions(input, 'createMemoryFailureStore', ['maxEntries', 'clock']);
  const maxEntries = positiveInteger('createMemoryFailureStore', 'maxEntries', options.maxEntries, 100_000);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createMemoryFailureStore: clock must be a function returning milliseconds');
  // Insertion order is window order (a window is re-inserted when it opens), so the first entry
  // is always the one closest to its end.
  const windows = new Map<string, { count: number; resetAt: number }>();

  function open(key: string, now: number): { count: number; resetAt: number } | undefined {
    const entry = windows.get(key);
    if (entry === undefined) return undefined;
    if (entry.resetAt > now) return entry;
    windows.delete(key);
    return undefined;
  }

  function sweep(now: number): void {
    for (const [key, entry] of windows) {
      if (entry.resetAt > now && windows.size < maxEntries) return;
      windows.delete(key);
    }
  }

  return {
    async increment(key, windowMs) {
      if (typeof key !== 'string') throw new TypeError('increment: key must be a string');
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('increment: windowMs must be a positive number');
      const now = clock();
      let entry = open(key, now);
      if (entry === undefined) {
        sweep(now);
        entry = { count: 0, resetAt: now + windowMs };
        windows.set(key, entry);
      }
      entry.count++;
      return { count: entry.count, resetAt: entry.resetAt };
    },
    async get(key) {
      const entry = open(key, clock());
      return entry === undefined ? undefined : { count: entry.count, resetAt: entry.resetAt };
    },
    async delete(key) {
      windows.delete(key);
    },
  };
}

/** Options of {@link createLoginThrottle}. */
export interface LoginThrottleOptions {
  /** Where failures are counted. Default: a new {@link createMemoryFailureStore} (one process). */
  store?: FailureStore;
  /** Failures allowed in one window; the next attempt is refused. Default 10. */
  maxFailures?: number;
  /** The window, in seconds, opened by the first failure. Default 60. */
  window?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Throttles attempts per key (a username and a client address, ...) once too many failed. */
export interface LoginThrottle {
  /**
   * Counts an attempt for `key` before its outcome is known, so attempts sent in parallel cannot
   * slip past the limit. Resolves to `undefined` when the attempt may go ahead, or to the whole
   * seconds to wait (for `Retry-After`) while the key is locked.
   */
  attempt(key: string): Promise<number | undefined>;
  /** The attempt succeeded: clears the key's count, so successful logins are never throttled. */
  success(key: string): Promise<void>;
}

const encoder = new TextEncoder();

/** A fixed-size store key: memory stays small, and a shared store never holds usernames. */
async function hashKey(key: string): Promise<string> {
  if (typeof key !== 'string') throw new TypeError('key must be a string');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(key)));
  return encodeBase64url(digest);
}

/**
 * Creates a throttle for failed attempts. Each attempt counts when it starts and a success
 * clears the count, so after `maxFailures` failures within `window` seconds every attempt is
 * refused until the window closes, the right password included.
 *
 * @example A login route
 * ```ts
 * const throttle = createLoginThrottle({ maxFailures: 10, window: 60 });
 * const key = `${username}\n${clientAddress}`;
 * const wait = await throttle.attempt(key);
 * if (wait !== undefined) return res.status(429).set('Retry-After', String(wait)).json({ error: 'slow_down' });
 * if (!passwordMatches) return res.status(401).json({ error: 'invalid_grant' });
 * await throttle.success(key);
 * ```
 */
export function createLoginThrottle(input: LoginThrottleOptions = {}): LoginThrottle {
  const options = ownOptions(input, 'createLoginThrottle', ['store', 'maxFailures', 'window', 'clock']);
  const maxFailures = positiveInteger('createLoginThrottle', 'maxFailures', options.maxFailures, 10);
  const windowMs = positiveSeconds('createLoginThrottle', 'window', options.window, 60) * 1000;
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createLoginThrottle: clock must be a function returning milliseconds');
  const store = options.store ?? createMemoryFailureStore({ clock });
  if (typeof store !== 'object' || store === null || typeof store.increment !== 'function' || typeof store.get !== 'function' || typeof store.delete !== 'function') {
    throw new TypeError('createLoginThrottle: store must be a failure store (increment, get, delete)');
  }
  return Object.freeze({
    async attempt(key: string): Promise<number | undefined> {
      const window = await store.increment(await hashKey(key), windowMs);
      if (window.count <= maxFailures) return undefined;
      return Math.max(1, Math.ceil((window.resetAt - clock()) / 1000));
    },
    async success(key: string): Promise<void> {
      await store.delete(await hashKey(key));
    },
  });
}
