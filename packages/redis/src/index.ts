/**
 * jwt-gate's shared stores on Redis, for applications that run more than one instance:
 * revocation (with a local mirror, so the per-request check never waits on the network),
 * refresh-token families, failed-login counts and one-time values (DPoP proofs). Each
 * implements the store interface of `@jwt-gate/core` whose in-memory store is the default.
 *
 * @module
 */

export { createRedisRevocationStore } from './revocation-store.js';
export type { MirrorState, RedisRevocationStore, RedisRevocationStoreOptions, WhenUnavailable } from './revocation-store.js';
export { createRedisFailureStore } from './failure-store.js';
export type { RedisFailureStoreOptions } from './failure-store.js';
export { createRedisReplayStore } from './replay-store.js';
export type { RedisReplayStoreOptions } from './replay-store.js';
export { RedisStoreError } from './client.js';
export type { CommandOptions, RedisClient, RedisSubscriber, StoreOptions } from './client.js';
