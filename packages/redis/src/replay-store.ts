import type { ReplayStore } from '@jwt-gate/core';
import { boundedKey, commonOptions, send, type StoreOptions } from './client.js';

/** Options of {@link createRedisReplayStore}. */
export type RedisReplayStoreOptions = StoreOptions;

/**
 * A {@link ReplayStore} on Redis: a one-time value (a DPoP proof's key thumbprint and `jti`) is
 * taken once across every instance. `recordOnce` is one `SET <prefix>:replay:<key> 1 NX PX
 * <ttl>`: atomic, and the key expires with its window. Rejects with a `RedisStoreError`
 * (answer 503, never a first use) when Redis cannot answer within `commandTimeout`.
 *
 * @example
 * ```ts
 * const replays = createRedisReplayStore({ client });
 * if (!(await replays.recordOnce(`${thumbprint}.${jti}`, 300_000))) throw replayed();
 * ```
 */
export function createRedisReplayStore(input: RedisReplayStoreOptions): ReplayStore {
  const { client, prefix, timeout } = commonOptions(input, 'createRedisReplayStore', []);
  return Object.freeze({
    async recordOnce(key: string, ttlMs: number): Promise<boolean> {
      if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('recordOnce: ttlMs must be a positive number of milliseconds');
      const reply = await send(client, ['SET', `${prefix}:replay:${boundedKey(key, 'recordOnce')}`, '1', 'NX', 'PX', String(Math.ceil(ttlMs))], timeout);
      return reply === 'OK';
    },
  });
}
