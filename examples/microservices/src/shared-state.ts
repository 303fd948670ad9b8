// The revocation store every service shares through REDIS_URL: the auth service keeps login
// sessions (refresh-token families) in it, the APIs check every token against its local mirror
// (no network call per request) and revoke a session at logout. Without REDIS_URL: none.

import { createRedisRevocationStore, type RedisRevocationStore } from '@jwt-gate/redis';
import { createClient } from 'redis';
import { redisUrl } from './config.js';

export async function sharedRevocations(service: string): Promise<RedisRevocationStore | undefined> {
  if (redisUrl === undefined) return undefined;
  const client = createClient({ url: redisUrl });
  // The client reports every reconnection attempt; the store reports each outage once.
  client.on('error', () => {});
  client.connect().catch(() => {});
  const store = createRedisRevocationStore({
    client,
    familyClaim: 'sid',
    onStateChange: (state, error) => console.warn(`${service}: revocation list ${state}${error instanceof Error && state !== 'current' ? `: ${error.message}` : ''}`),
  });
  await store.ready().catch(() => console.warn(`${service}: Redis at ${redisUrl} is not answering; requests that need it get 503 until it does`));
  return store;
}
