// Faults on a real redis-server started here: stopped and restarted mid-run, restarted empty,
// frozen (slow), and connections cut during a redemption. Throughout, no revoked token is
// accepted, every failure is a prompt 503 (never a hang, never another error), and the stores
// recover by themselves, without being created again.

import { createIssuer, createRefreshTokens, createVerifier, isAuthError, type Verifier } from '@jwt-gate/core';
import { describeWithRedis, startRedisServer, startTcpProxy, type TcpProxy, type TestRedis } from '@jwt-gate/testing';
import { createClient } from 'redis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createRedisFailureStore, createRedisReplayStore, createRedisRevocationStore, RedisStoreError, type RedisRevocationStore } from '../src/index.js';

const newClient = (url: string) => createClient({ url, socket: { reconnectStrategy: () => 50 } });
type Client = ReturnType<typeof newClient>;
const iss = 'https://auth.example.com';
const secret = 'a-secret-of-at-least-thirty-two-bytes-long!!';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis(
  '@jwt-gate/redis when Redis fails',
  () => {
    let redis: TestRedis;
    let proxy: TcpProxy | undefined;
    const clients: Client[] = [];
    const stores: RedisRevocationStore[] = [];

    beforeEach(async () => {
      redis = await startRedisServer({ persistence: true });
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      for (const c of clients.splice(0)) c.destroy();
      await proxy?.close();
      proxy = undefined;
      await redis.dispose();
    });

    async function client(port = redis.port): Promise<Client> {
      const made = newClient(`redis://127.0.0.1:${port}`);
      made.on('error', () => {});
      await made.connect();
      clients.push(made);
      return made;
    }

    async function instance(options: { port?: number; whenUnavailable?: 'refuse' | 'serve-stale' } = {}) {
      const store = createRedisRevocationStore({
        client: await client(options.port),
        familyClaim: 'sid',
        gracePeriod: 600,
        heartbeatInterval: 100,
        commandTimeout: 400,
        ...(options.whenUnavailable ? { whenUnavailable: options.whenUnavailable } : {}),
      });
      stores.push(store);
      await store.ready();
      const issuer = createIssuer({ issuer: iss, audience: 'api', secret });
      const verifier = createVerifier({ issuer: iss, audience: 'api', secret, isRevoked: store });
      return { store, issuer, verifier, refresh: createRefreshTokens({ issuer, store }) };
    }

    /** 'accepted', 'revoked' or 'unavailable' (503): nothing else may come out. */
    async function outcome(verifier: Verifier, token: string): Promise<string> {
      try {
        await verifier.verify(token);
        return 'accepted';
      } catch (error) {
        if (isAuthError(error) && error.code === 'ERR_TOKEN_REVOKED') return 'revoked';
        if (isAuthError(error) && error.code === 'ERR_REVOCATION_UNAVAILABLE' && error.status === 503) return 'unavailable';
        throw error;
      }
    }

    async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
      const started = performance.now();
      try {
        await promise;
        return { ms: performance.now() - started, error: undefined };
      } catch (error) {
        return { ms: performance.now() - started, error };
      }
    }

    it('stopped and restarted mid-run: no revoked token accepted, 503 past the grace period, recovery without a restart of the app', async () => {
      const [a, b] = [await instance(), await instance()];
      const stale = await instance({ whenUnavailable: 'serve-stale' });
      const revoked = await a.issuer.sign({ sub: 'alice' });
      const kept = await a.issuer.sign({ sub: 'bob' });
      // Cached on every instance first: a cached token is checked against the mirror on each hit.
      for (const { verifier } of [a, b, stale]) expect(await outcome(verifier, revoked)).toBe('accepted');
      await a.store.revokeToken(await a.verifier.verify(revoked));
      await expect.poll(() => outcome(b.verifier, revoked), { timeout: 1000, interval: 5 }).toBe('revoked');

      await redis.stop();
      const seen = new Map<string, Set<string>>([['revoked', new Set()], ['kept', new Set()], ['stale', new Set()]]);
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        for (const { verifier } of [a, b]) {
          seen.get('revoked')!.add(await outcome(verifier, revoked));
          seen.get('kept')!.add(await outcome(verifier, kept));
        }
        seen.get('stale')!.add(`${await outcome(stale.verifier, revoked)}/${await outcome(stale.verifier, kept)}`);
        await sleep(20);
      }
      // Within the grace period the mirror answers; past it, 503. Never an accept of a revoked token.
      expect(['revoked', 'unavailable']).toEqual(expect.arrayContaining([...seen.get('revoked')!]));
      expect(['accepted', 'unavailable']).toEqual(expect.arrayContaining([...seen.get('kept')!]));
      expect(seen.get('revoked')).toContain('unavailable');
      expect(seen.get('kept')).toContain('unavailable');
      expect([...seen.get('stale')!]).toEqual(['revoked/accepted']);
      expect(a.store.state).toBe('stale');

      // Writes fail fast while Redis is down, as a 503 of the flow that made them.
      const write = await timed(a.refresh.revokeFamily('some-family'));
      expect(write.error).toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
      expect(write.ms).toBeLessThan(1000);
      const count = await timed(createRedisFailureStore({ client: clients[0]!, commandTimeout: 400 }).increment('k', 1000));
      expect(count.error).toBeInstanceOf(RedisStoreError);
      expect(count.ms).toBeLessThan(1000);

      await redis.restart();
      for (const { verifier } of [a, b]) {
        await expect.poll(() => outcome(verifier, kept), { timeout: 5000, interval: 20 }).toBe('accepted');
        expect(await outcome(verifier, revoked)).toBe('revoked');
      }
      expect(a.store.state).toBe('current');
      // And new revocations reach every instance again.
      await b.store.revokeToken(await b.verifier.verify(kept));
      await expect.poll(() => outcome(a.verifier, kept), { timeout: 1000, interval: 5 }).toBe('revoked');
    });

    it('restarted empty (no persistence, a failover that lost writes): the instances write back what Redis lost', async () => {
      await redis.dispose();
      redis = await startRedisServer({ persistence: false });
      const [a, b] = [await instance(), await instance()];
      await a.store.revoke(iss, 'gone', Math.floor(Date.now() / 1000) + 600);
      await expect.poll(() => b.store.isRevoked({ issuer: iss, claims: { jti: 'gone' } }), { timeout: 1000, interval: 5 }).toBe(true);
      await redis.stop({ kill: true });
      await redis.restart();
      // The new server started empty (no persistence); the instances put the revocation back.
      const admin = await client();
      await expect.poll(async () => Number(await admin.sendCommand(['ZCARD', '{jwt-gate}:revoked'])), { timeout: 5000, interval: 20 }).toBe(1);
      const late = await instance();
      expect(late.store.isRevoked({ issuer: iss, claims: { jti: 'gone' } })).toBe(true);
    });

    it('a slow Redis: a short stall only delays a redemption; a long one is a prompt 503, and the stalled redemption counts (its retry is a reuse)', async () => {
      const [a, b] = [await instance(), await instance()];
      const short = (await a.refresh.issue({ sub: 'alice' })).refreshToken;
      redis.pause();
      const delayed = a.refresh.redeem(short);
      await sleep(150);
      redis.resume();
      await expect(delayed).resolves.toMatchObject({ claims: { sub: 'alice' } });

      const login = await a.refresh.issue({ sub: 'alice' });
      const access = await a.issuer.sign({ sub: 'alice', sid: login.family });
      redis.pause();
      const stalled = await timed(a.refresh.redeem(login.refreshToken));
      expect(stalled.error).toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
      expect(stalled.ms).toBeLessThan(1000);
      const replay = await timed(createRedisReplayStore({ client: clients[0]!, commandTimeout: 400 }).recordOnce('jkt.jti', 1000));
      expect(replay.error).toBeInstanceOf(RedisStoreError);
      redis.resume();
      // The command had reached Redis, which ran it once it woke: the answer was lost, so the
      // retry looks like a copy and ends the login. Fail closed, never two successors.
      await expect(b.refresh.redeem(login.refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'reused' });
      await expect.poll(() => outcome(a.verifier, access), { timeout: 2000, interval: 10 }).toBe('revoked');
    });

    it('a connection dropped during a redemption: never two winners, and the store reconnects by itself', async () => {
      proxy = await startTcpProxy(redis.port);
      const a = await instance({ port: proxy.port });
      const b = await instance();

      // Dropped before Redis got the command: 503, and the token still redeems once afterwards.
      const first = await a.refresh.issue({ sub: 'alice' });
      proxy.mode = 'hold-requests';
      const lost = a.refresh.redeem(first.refreshToken);
      await expect.poll(() => proxy!.heldBytes, { timeout: 1000, interval: 5 }).toBeGreaterThan(0);
      proxy.cut();
      proxy.mode = 'pass';
      await expect(lost).rejects.toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
      const results = await Promise.allSettled([a.refresh.redeem(first.refreshToken), b.refresh.redeem(first.refreshToken)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

      // Dropped after Redis ran it: 503, and the retry is a reuse that ends the family everywhere.
      const second = await b.refresh.issue({ sub: 'bob' });
      const access = await b.issuer.sign({ sub: 'bob', sid: second.family });
      await expect.poll(() => a.store.state, { timeout: 5000, interval: 20 }).toBe('current');
      proxy.mode = 'drop-replies';
      const unanswered = a.refresh.redeem(second.refreshToken);
      await sleep(100);
      proxy.cut();
      proxy.mode = 'pass';
      await expect(unanswered).rejects.toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
      await expect(b.refresh.redeem(second.refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'reused' });
      await expect.poll(() => outcome(a.verifier, access), { timeout: 5000, interval: 10 }).toBe('revoked');
      expect(a.store.state).toBe('current');
    });

    it('a store started while Redis is down refuses (503) until it has loaded the list once, then serves', async () => {
      await redis.stop();
      const c = newClient(redis.url);
      c.on('error', () => {});
      void c.connect().catch(() => {});
      clients.push(c);
      const store = createRedisRevocationStore({ client: c, familyClaim: 'sid', heartbeatInterval: 100, commandTimeout: 300 });
      stores.push(store);
      expect(store.state).toBe('connecting');
      expect(() => store.isRevoked({ issuer: iss, claims: { jti: 'x' } })).toThrow(RedisStoreError);
      await expect(store.ready(300)).rejects.toBeInstanceOf(RedisStoreError);
      await redis.restart();
      await store.ready(5000);
      expect(store.isRevoked({ issuer: iss, claims: { jti: 'x' } })).toBe(false);
    });
  },
  'server',
);
