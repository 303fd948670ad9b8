// The stores against a real Redis (REDIS_URL, or a redis-server started for the suite): their
// semantics match the in-memory stores', their keys are namespaced and expire with what they
// describe, and their atomic steps hold across clients, as across instances.

import { createIssuer, createLoginThrottle, createRefreshTokens, createVerifier, generateSigningKey } from '@jwt-gate/core';
import { describeWithRedis, testRedis, type TestRedis } from '@jwt-gate/testing';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createRedisFailureStore, createRedisReplayStore, createRedisRevocationStore, type RedisRevocationStore } from '../src/index.js';

const newClient = (url: string) => createClient({ url, socket: { reconnectStrategy: () => 50 } });
type Client = ReturnType<typeof newClient>;
const iss = 'https://auth.example.com';

describeWithRedis('@jwt-gate/redis stores on a real Redis', () => {
  let redis: TestRedis;
  const clients: Client[] = [];
  const stores: RedisRevocationStore[] = [];
  let prefix: string;
  let n = 0;

  async function client(): Promise<Client> {
    const made = newClient(redis.url);
    made.on('error', () => {});
    await made.connect();
    clients.push(made);
    return made;
  }

  async function revocations(options: Partial<Parameters<typeof createRedisRevocationStore>[0]> = {}): Promise<RedisRevocationStore> {
    const store = createRedisRevocationStore({ client: await client(), prefix, familyClaim: 'sid', heartbeatInterval: 100, ...options });
    stores.push(store);
    await store.ready();
    return store;
  }

  beforeAll(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  // Every test in a namespace of its own, so a shared REDIS_URL holds no state between them.
  const fresh = () => (prefix = `jwt-gate-test-${process.pid}-${++n}`);

  it('failure store: counts across clients in one window that expires with it, and clears on success', async () => {
    fresh();
    const [a, b] = [createRedisFailureStore({ client: await client(), prefix }), createRedisFailureStore({ client: await client(), prefix })];
    const counts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).increment('k', 60_000)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const window = await a.get('k');
    expect(window?.count).toBe(20);
    expect(window!.resetAt - Date.now()).toBeGreaterThan(58_000);
    const admin = await client();
    const ttl = Number(await admin.sendCommand(['PTTL', `${prefix}:failures:k`]));
    expect(ttl).toBeGreaterThan(58_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await b.delete('k');
    expect(await a.get('k')).toBeUndefined();
    expect((await a.increment('short', 50)).count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await a.get('short')).toBeUndefined();
  });

  it('failure store: a login throttle over it locks a key after maxFailures across instances', async () => {
    fresh();
    const throttles = [0, 1, 2].map(async () => createLoginThrottle({ store: createRedisFailureStore({ client: await client(), prefix }), maxFailures: 10, window: 60 }));
    const [x, y, z] = await Promise.all(throttles);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => [x, y, z][i % 3]!.attempt('alice\n127.0.0.1')));
    expect(answers.filter((wait) => wait === undefined)).toHaveLength(10);
    expect(answers.filter((wait) => typeof wait === 'number' && wait >= 1 && wait <= 60)).toHaveLength(20);
  });

  it('replay store: of concurrent records of one value on several clients exactly one wins, until its window ends', async () => {
    fresh();
    const replays = await Promise.all([0, 1, 2, 3].map(async () => createRedisReplayStore({ client: await client(), prefix })));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => replays[i % 4]!.recordOnce('jkt.jti-1', 200)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    const admin = await client();
    expect(Number(await admin.sendCommand(['PTTL', `${prefix}:replay:jkt.jti-1`]))).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await replays[0]!.recordOnce('jkt.jti-1', 200)).toBe(true);
    // Long values are held as their hash: every key stays small.
    expect(await replays[1]!.recordOnce('x'.repeat(10_000), 1000)).toBe(true);
    expect(await replays[2]!.recordOnce('x'.repeat(10_000), 1000)).toBe(false);
    const keys = (await admin.sendCommand(['KEYS', `${prefix}:replay:*`])) as string[];
    expect(Math.max(...keys.map((key) => key.length))).toBeLessThan(prefix.length + 60);
  });

  it('revocation: a token revoked on one instance is refused by the others, within a second', async () => {
    fresh();
    const [a, b, c] = [await revocations(), await revocations(), await revocations()];
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = { issuer: iss, claims: { iss, jti: 'jti-1', exp } };
    expect([a, b, c].map((s) => s.isRevoked(token))).toEqual([false, false, false]);
    const started = performance.now();
    await a.revokeToken(token);
    expect(a.isRevoked(token)).toBe(true);
    const delays = await Promise.all(
      [b, c].map(async (store) => {
        while (!store.isRevoked(token)) {
          if (performance.now() - started > 1000) throw new Error('not propagated within 1 s');
          await new Promise((resolve) => setImmediate(resolve));
        }
        return performance.now() - started;
      }),
    );
    expect(Math.max(...delays)).toBeLessThan(1000);
    expect(b.isRevoked({ issuer: iss, claims: { iss, jti: 'jti-2' } })).toBe(false);
    // Keyed on (iss, jti): the same jti of another issuer is another token.
    expect(b.isRevoked({ issuer: 'https://other.example', claims: { jti: 'jti-1' } })).toBe(false);
    // A store started later loads what was revoked before it.
    const late = await revocations();
    expect(late.isRevoked(token)).toBe(true);
  });

  it('revocation: keys are namespaced and expire with the tokens they describe (plus the clock tolerance)', async () => {
    fresh();
    const store = await revocations();
    const exp = Math.floor(Date.now() / 1000) + 100;
    await store.revoke(iss, 'jti-ttl', exp);
    await store.revokeFamily(iss, 'family-ttl', exp + 1000);
    const admin = await client();
    const keys = ((await admin.sendCommand(['KEYS', `*${prefix}*`])) as string[]).sort();
    expect(keys).toEqual([`{${prefix}}:revoked`, `{${prefix}}:revoked:seq`]);
    const members = (await admin.sendCommand(['ZRANGE', `{${prefix}}:revoked`, '0', '-1', 'WITHSCORES'])) as [string, number][];
    expect(members).toEqual([
      [JSON.stringify(['t', iss, 'jti-ttl']), (exp + 300) * 1000],
      [JSON.stringify(['f', iss, 'family-ttl']), (exp + 1300) * 1000],
    ]);
    const expiry = Number(await admin.sendCommand(['PEXPIRETIME', `{${prefix}}:revoked`]));
    expect(expiry).toBe((exp + 1300) * 1000);
    expect(Number(await admin.sendCommand(['PEXPIRETIME', `{${prefix}}:revoked:seq`]))).toBe(expiry);
    // An already expired token is not written at all.
    await store.revoke(iss, 'old', Math.floor(Date.now() / 1000) - 400);
    expect(Number(await admin.sendCommand(['ZCARD', `{${prefix}}:revoked`]))).toBe(2);
  });

  it('refresh families: of parallel redemptions of one token spread over instances exactly one wins, and the reuse ends the family everywhere', async () => {
    fresh();
    const key = await generateSigningKey('ES256');
    const instances = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const store = await revocations();
        const issuer = createIssuer({ issuer: iss, audience: 'api', privateKey: key.privateKey });
        const verifier = createVerifier({ issuer: iss, audience: 'api', publicKey: key.publicJwk, isRevoked: store });
        return { store, issuer, verifier, refresh: createRefreshTokens({ issuer, store }) };
      }),
    );
    const login = await instances[0]!.refresh.issue({ sub: 'alice' });
    const access = await instances[0]!.issuer.sign({ sub: 'alice', sid: login.family });
    for (const { verifier } of instances) await expect(verifier.verify(access)).resolves.toMatchObject({ claims: { sub: 'alice' } });

    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => instances[i % 4]!.refresh.redeem(login.refreshToken)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(lost.reason).toMatchObject({ code: 'ERR_TOKEN_REVOKED', status: 401 });
    }
    // The reuse revoked the family: every instance refuses its access tokens within a second.
    const deadline = Date.now() + 1000;
    for (const { verifier } of instances) {
      for (;;) {
        const refused = await verifier.verify(access).then(() => false, (error: { code?: string }) => error.code === 'ERR_TOKEN_REVOKED');
        if (refused) break;
        if (Date.now() > deadline) throw new Error('the family was not refused everywhere within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const successor = (won[0] as PromiseFulfilledResult<{ refreshToken: string }>).value.refreshToken;
    await expect(instances[3]!.refresh.redeem(successor)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
  });

  it('refresh families: one record per live session in Redis, however often it is redeemed, expiring with its last token', async () => {
    fresh();
    const store = await revocations();
    const issuer = createIssuer({ issuer: iss, audience: 'api', secret: 'a-secret-of-at-least-thirty-two-bytes-long!!' });
    const [first, second] = [createRefreshTokens({ issuer, store, expiresIn: 3600 }), createRefreshTokens({ issuer, store: await revocations(), expiresIn: 3600 })];
    let token = (await first.issue({ sub: 'alice' })).refreshToken;
    for (let i = 0; i < 60; i++) token = (await (i % 2 ? first : second).redeem(token)).refreshToken;
    const admin = await client();
    const keys = (await admin.sendCommand(['KEYS', `*${prefix}*`])) as string[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^\\{${prefix}\\}:family:[\\w-]{43}$`));
    expect(await admin.sendCommand(['GET', keys[0]!])).toBe('60');
    const ttl = Number(await admin.sendCommand(['PTTL', keys[0]!]));
    expect(ttl).toBeGreaterThan(3_600_000);
    // The refresh tokens' lifetime, plus the clock tolerance the flow and the store each allow.
    expect(ttl).toBeLessThanOrEqual(4_200_000 + 1000);
    expect(store.size).toBe(0);
  });

  it('a logout (revokeFamily) on one instance ends the refresh tokens and access tokens of that login on every instance', async () => {
    fresh();
    const secret = 'a-secret-of-at-least-thirty-two-bytes-long!!';
    const issuer = createIssuer({ issuer: iss, audience: 'api', secret });
    const [a, b] = [await revocations(), await revocations()];
    const [refreshA, refreshB] = [createRefreshTokens({ issuer, store: a }), createRefreshTokens({ issuer, store: b })];
    const verifierB = createVerifier({ issuer: iss, audience: 'api', secret, isRevoked: b });
    const login = await refreshA.issue({ sub: 'bob' });
    const access = await issuer.sign({ sub: 'bob', sid: login.family });
    await refreshA.revokeFamily(login.family);
    await expect(refreshB.redeem(login.refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'family_revoked' });
    await expect.poll(() => verifierB.verify(access).then(() => 'accepted', (error: { code: string }) => error.code), { timeout: 1000, interval: 5 }).toBe('ERR_TOKEN_REVOKED');
  });

  it('refuses bad options and arguments at once', async () => {
    fresh();
    const c = await client();
    expect(() => createRedisRevocationStore({ client: c, prefix: 'has space' })).toThrow(TypeError);
    expect(() => createRedisRevocationStore({ client: {} as never })).toThrow(TypeError);
    expect(() => createRedisRevocationStore({ client: c, whenUnavailable: 'accept' as never })).toThrow(TypeError);
    expect(() => createRedisRevocationStore({ client: c, gracePeriod: -1 })).toThrow(RangeError);
    expect(() => createRedisFailureStore({ client: c, comandTimeout: 5 } as never)).toThrow(/unknown option/);
    const store = createRedisRevocationStore({ client: c, prefix });
    stores.push(store);
    await expect(store.revokeFamily(iss, 'f')).rejects.toBeInstanceOf(TypeError);
    await expect(store.advanceFamily(iss, 'f', 0, Date.now() / 1000 + 60)).rejects.toBeInstanceOf(TypeError);
    await expect(store.revokeToken({ issuer: iss, claims: {} })).rejects.toBeInstanceOf(TypeError);
    await expect(createRedisReplayStore({ client: c }).recordOnce('', 1000)).rejects.toBeInstanceOf(TypeError);
  });
});
