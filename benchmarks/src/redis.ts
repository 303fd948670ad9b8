// The shared stores on Redis: how many refresh-token redemptions per second the atomic
// compare-and-advance sustains (against the in-memory store, in the same run), and how long a
// revocation takes to reach another instance's mirror. Redis: REDIS_URL, or a redis-server
// started here on a free loopback port.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createIssuer, createRefreshTokens, createRevocationStore, type RevocationStore } from '@jwt-gate/core';
import { createRedisRevocationStore, type RedisRevocationStore } from '@jwt-gate/redis';
import { createClient } from 'redis';
import { median } from './measure.js';

export interface BenchRedis {
  readonly url: string;
  /** Where it came from: REDIS_URL, or a redis-server started for the run. */
  readonly source: 'REDIS_URL' | 'redis-server';
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** REDIS_URL, or a redis-server on a free port; undefined when neither is there. */
export async function startBenchRedis(): Promise<BenchRedis | undefined> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, source: 'REDIS_URL', stop: async () => {} };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = createClient({ url, socket: { reconnectStrategy: () => 50 } });
  probe.on('error', () => {});
  await probe.connect();
  probe.destroy();
  return {
    url,
    source: 'redis-server',
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function connected(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}
type Client = Awaited<ReturnType<typeof connected>>;

/** Redemptions per second: `chains` logins each redeeming its own refresh token in turn, for `durationMs`. */
async function redemptionRate(store: RevocationStore, durationMs: number, chains: number): Promise<number> {
  const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'bench-api', secret: 'bench-secret-'.padEnd(48, 'x') });
  const refresh = createRefreshTokens({ issuer, store });
  const tokens = await Promise.all(Array.from({ length: chains }, async () => (await refresh.issue({ sub: 'user-7f3a9c2e' })).refreshToken));
  let count = 0;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (first) => {
      let token = first;
      while (performance.now() - started < durationMs) {
        token = (await refresh.redeem(token)).refreshToken;
        count++;
      }
    }),
  );
  return (count * 1000) / (performance.now() - started);
}

export interface RedisFlows {
  /** Refresh-token redemptions per second (sign, verify, advance), median of the rounds. */
  readonly redemptionsPerSecond: { readonly memory: number; readonly redis: number; readonly ratio: number; readonly chains: number };
  /** Milliseconds from a revocation's write resolving on one instance to another's mirror refusing the token. */
  readonly propagationMs: { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number };
}

/** Both measurements of the Redis stores, on `url`. */
export async function benchRedisFlows(url: string, options: { durationMs: number; rounds: number; samples: number }): Promise<RedisFlows> {
  const clients: Client[] = [];
  const stores: RedisRevocationStore[] = [];
  const redisStore = async (prefix: string) => {
    const client = await connected(url);
    clients.push(client);
    const store = createRedisRevocationStore({ client, familyClaim: 'sid', prefix });
    stores.push(store);
    await store.ready();
    return store;
  };
  try {
    const chains = 32;
    const prefix = `jwt-gate-bench-flows-${process.pid}`;
    const shared = await redisStore(prefix);
    const memory: number[] = [];
    const redis: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const m = await redemptionRate(createRevocationStore({ familyClaim: 'sid' }), options.durationMs, chains);
      const r = await redemptionRate(shared, options.durationMs, chains);
      memory.push(m);
      redis.push(r);
      ratios.push(r / m);
    }

    // Two instances: one writes, the other polls its mirror as the verifier would.
    const writer = await redisStore(`${prefix}-propagation`);
    const reader = await redisStore(`${prefix}-propagation`);
    const delays: number[] = [];
    const exp = Math.floor(Date.now() / 1000) + 600;
    for (let i = 0; i < options.samples; i++) {
      const token = { issuer: 'https://auth.example.com', claims: { jti: `propagation-${i}` } };
      await writer.revoke('https://auth.example.com', `propagation-${i}`, exp);
      const written = performance.now();
      while (!reader.isRevoked(token)) await new Promise((resolve) => setImmediate(resolve));
      delays.push(performance.now() - written);
    }
    delays.sort((a, b) => a - b);
    const at = (q: number) => Math.round((delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] as number) * 1000) / 1000;
    return {
      redemptionsPerSecond: { memory: median(memory), redis: median(redis), ratio: median(ratios), chains },
      propagationMs: { samples: delays.length, p50: at(0.5), p99: at(0.99), max: at(1) },
    };
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    for (const client of clients) client.destroy();
  }
}
