import type { FailureCount, FailureStore } from '@jwt-gate/core';
import { boundedKey, commonOptions, run, script, send, type StoreOptions } from './client.js';

/** Options of {@link createRedisFailureStore}. */
export interface RedisFailureStoreOptions extends StoreOptions {
  /** Current time in milliseconds, for `resetAt`. Default `Date.now`. */
  clock?: () => number;
}

// One count per key, expiring with its window: the first failure opens the window (PEXPIRE),
// later ones count inside it. One script, so two instances counting at once both count.
const INCREMENT = script(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

const READ = script(`
local count = redis.call('GET', KEYS[1])
if not count then return false end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`);

/**
 * A {@link FailureStore} on Redis, for `createLoginThrottle`: failed attempts counted across
 * every instance. Key `<prefix>:failures:<key>` (the throttle's keys are SHA-256 hashes, never
 * usernames) holds the count and expires when its window closes. Rejects with a
 * `RedisStoreError` (answer 503) when Redis cannot answer within `commandTimeout`.
 *
 * @example
 * ```ts
 * const throttle = createLoginThrottle({ store: createRedisFailureStore({ client }) });
 * ```
 */
export function createRedisFailureStore(input: RedisFailureStoreOptions): FailureStore {
  const { options, client, prefix, timeout } = commonOptions(input, 'createRedisFailureStore', ['clock']);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('createRedisFailureStore: clock must be a function returning milliseconds');
  const keyOf = (key: string) => `${prefix}:failures:${boundedKey(key, 'failure store')}`;
  const windowOf = (reply: unknown): FailureCount | undefined => {
    if (!Array.isArray(reply)) return undefined;
    const [count, ttl] = reply.map(Number) as [number, number];
    return { count, resetAt: clock() + Math.max(0, ttl) };
  };

  return Object.freeze({
    async increment(key: string, windowMs: number): Promise<FailureCount> {
      if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError('increment: windowMs must be a positive number');
      const counted = windowOf(await run(client, INCREMENT, [keyOf(key)], [String(Math.ceil(windowMs))], timeout));
      if (counted === undefined) throw new TypeError('increment: unexpected reply from Redis');
      return counted;
    },
    async get(key: string): Promise<FailureCount | undefined> {
      return windowOf(await run(client, READ, [keyOf(key)], [], timeout));
    },
    async delete(key: string): Promise<void> {
      await send(client, ['DEL', keyOf(key)], timeout);
    },
  });
}
