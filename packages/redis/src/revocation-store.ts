/**
 * The revocation store on Redis. Writes go to Redis in one atomic script each; reads never do:
 * `isRevoked` answers from a local mirror of the revoked (`iss`, `jti`) pairs and families,
 * which Redis keeps current through pub/sub and which is loaded whole again after every
 * reconnect. A heartbeat proves the mirror current; past `gracePeriod` without that proof the
 * store refuses (503) or, by choice, keeps serving the last list it knew.
 *
 * @module
 */

import { REVOCATION_MARGIN, type FamilyAdvance, type RevocableToken, type RevocationStore } from '@jwt-gate/core';
import { commonOptions, hashOf, positiveMs, RedisStoreError, run, script, send, type RedisSubscriber, type StoreOptions } from './client.js';

/** What the store does when its mirror cannot be proven current. */
export type WhenUnavailable = 'refuse' | 'serve-stale';

/**
 * The mirror's state: `connecting` until its first full load, `current` while proven current
 * within `gracePeriod`, `stale` after that (until a reconnect and a full load), `closed`.
 */
export type MirrorState = 'connecting' | 'current' | 'stale' | 'closed';

/** Options of {@link createRedisRevocationStore}. */
export interface RedisRevocationStoreOptions extends StoreOptions {
  /** The claim naming token families (refresh-token chains); `sid` for `createRefreshTokens`' default. */
  familyClaim?: string;
  /**
   * When the mirror cannot be proven current (Redis unreachable for longer than `gracePeriod`):
   * `'refuse'` makes `isRevoked` throw, so the verifier answers 503; `'serve-stale'` keeps
   * answering from the last list known (a revocation made meanwhile elsewhere is not seen until
   * Redis is back). Before the first full load, the store always refuses. Default `'refuse'`.
   */
  whenUnavailable?: WhenUnavailable;
  /** Milliseconds the mirror is trusted after its last proof of being current. Default 5000. */
  gracePeriod?: number;
  /** Milliseconds between the heartbeats that prove the mirror current. Default 1000. */
  heartbeatInterval?: number;
  /**
   * Most entries the mirror holds. Beyond it the store refuses (503) rather than forget a
   * revocation. Default 1000000.
   */
  maxEntries?: number;
  /** Seconds a revocation without `exp` is kept. Default 86400 (a day). */
  defaultTtl?: number;
  /** Called when the mirror's state changes, with the Redis error behind a change for the worse. */
  onStateChange?: (state: MirrorState, error?: unknown) => void;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** A {@link RevocationStore} shared through Redis, with a local mirror. */
export interface RedisRevocationStore extends RevocationStore {
  /** The mirror's state. */
  readonly state: MirrorState;
  /**
   * Resolves once the mirror is current (loaded and subscribed); rejects with a
   * `RedisStoreError` after `timeoutMs` (default 5000). Awaiting it before listening spares the
   * first requests a 503.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops the heartbeat and closes the store's own subscriber connection (never your client). */
  close(): Promise<void>;
}

// The revocations live in one sorted set: member = the JSON of ["t", iss, jti] or ["f", iss,
// family], score = until when (ms). The set expires with its last member; members that expired
// are pruned at each write. `seq` numbers the writes, each published with its number, so a gap
// tells a subscriber it missed one.
const REVOKE_FUNCTION = `
local function revoke(zset, seq, channel, now, member, until_ms)
  local held = tonumber(redis.call('ZSCORE', zset, member) or '0')
  if until_ms <= now or until_ms <= held then return 0 end
  redis.call('ZADD', zset, until_ms, member)
  local n = redis.call('INCR', seq)
  redis.call('PUBLISH', channel, n .. ' ' .. string.format('%d', until_ms) .. ' ' .. member)
  return 1
end
local function settle(zset, seq, now)
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
  local last = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
  if last[2] then
    redis.call('PEXPIREAT', zset, last[2])
    redis.call('PEXPIREAT', seq, last[2])
  end
end
`;

// KEYS: set, seq. ARGV: channel, now, then member and until pairs.
const REVOKE = script(`${REVOKE_FUNCTION}
local now = tonumber(ARGV[2])
local added = 0
for i = 3, #ARGV, 2 do
  added = added + revoke(KEYS[1], KEYS[2], ARGV[1], now, ARGV[i], tonumber(ARGV[i + 1]))
end
settle(KEYS[1], KEYS[2], now)
return added
`);

// KEYS: the family's generation, set, seq. ARGV: channel, now, family member, until, generation.
// The compare-and-advance of a refresh-token family, in one step on the server: of any number
// of redemptions of one token, on any instances, one finds its generation current.
const ADVANCE = script(`${REVOKE_FUNCTION}
local now = tonumber(ARGV[2])
local until_ms = tonumber(ARGV[4])
local generation = tonumber(ARGV[5])
if tonumber(redis.call('ZSCORE', KEYS[2], ARGV[3]) or '0') > now then return 'revoked' end
local current = redis.call('GET', KEYS[1])
local keep = until_ms
if current then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 and now + ttl > keep then keep = now + ttl end
end
if current and tonumber(current) ~= generation then
  revoke(KEYS[2], KEYS[3], ARGV[1], now, ARGV[3], keep)
  settle(KEYS[2], KEYS[3], now)
  return 'reused'
end
redis.call('SET', KEYS[1], generation + 1, 'PXAT', keep)
return 'advanced'
`);

interface Keys {
  readonly set: string;
  readonly seq: string;
  readonly channel: string;
  family(member: string): string;
}

function keysOf(prefix: string): Keys {
  // One hash tag for every revocation key, so the scripts also run on a Redis Cluster.
  const tag = `{${prefix}}`;
  return { set: `${tag}:revoked`, seq: `${tag}:revoked:seq`, channel: `${prefix}:revoked`, family: (member) => `${tag}:family:${hashOf(member)}` };
}

const tokenMember = (issuer: string, jti: string) => JSON.stringify(['t', issuer, jti]);
const familyMember = (issuer: string, family: string) => JSON.stringify(['f', issuer, family]);

function issuerOf(token: RevocableToken): string | undefined {
  if (typeof token.issuer === 'string') return token.issuer;
  const claims = token.claims as Record<string, unknown>;
  return Object.hasOwn(claims, 'iss') && typeof claims['iss'] === 'string' ? claims['iss'] : undefined;
}

function claimOf(token: RevocableToken, name: string): unknown {
  const claims = token.claims as Record<string, unknown>;
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/**
 * Creates a {@link RevocationStore} shared by every instance on one Redis. Pass it to the
 * verifier (`isRevoked`) and to `createRefreshTokens` (`store`). It opens one connection of its
 * own (a duplicate of `client`) for pub/sub; `close()` it at shutdown.
 *
 * Keys (with the default prefix): `{jwt-gate}:revoked`, a sorted set of the revoked tokens and
 * families until their expiry; `{jwt-gate}:revoked:seq`, the count of revocations;
 * `{jwt-gate}:family:<hash>`, each family's current refresh-token generation until its last
 * refresh token expires. Channel `jwt-gate:revoked`.
 *
 * @example
 * ```ts
 * const client = createClient({ url: process.env.REDIS_URL });
 * client.on('error', () => {}); // the store reports what matters through onStateChange
 * await client.connect();
 * const revocations = createRedisRevocationStore({ client, familyClaim: 'sid' });
 * await revocations.ready();
 * const refresh = createRefreshTokens({ issuer, store: revocations });
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'api', secret, isRevoked: revocations });
 * ```
 */
export function createRedisRevocationStore(input: RedisRevocationStoreOptions): RedisRevocationStore {
  const where = 'createRedisRevocationStore';
  const { options, client, prefix, timeout } = commonOptions(input, where, [
    'familyClaim',
    'whenUnavailable',
    'gracePeriod',
    'heartbeatInterval',
    'maxEntries',
    'defaultTtl',
    'onStateChange',
    'clock',
  ]);
  const familyClaim = options.familyClaim;
  if (familyClaim !== undefined && (typeof familyClaim !== 'string' || familyClaim.length === 0)) throw new TypeError(`${where}: familyClaim must be a claim name`);
  const whenUnavailable = options.whenUnavailable ?? 'refuse';
  if (whenUnavailable !== 'refuse' && whenUnavailable !== 'serve-stale') throw new TypeError(`${where}: whenUnavailable must be 'refuse' or 'serve-stale'`);
  const grace = positiveMs(where, 'gracePeriod', options.gracePeriod, 5000);
  const heartbeatMs = positiveMs(where, 'heartbeatInterval', options.heartbeatInterval, 1000);
  const maxEntries = options.maxEntries ?? 1_000_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`${where}: maxEntries must be a positive integer`);
  const defaultTtl = options.defaultTtl ?? 86_400;
  if (typeof defaultTtl !== 'number' || !Number.isFinite(defaultTtl) || defaultTtl <= 0) throw new RangeError(`${where}: defaultTtl must be a positive number of seconds`);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError(`${where}: clock must be a function returning milliseconds`);
  const onStateChange = options.onStateChange;
  if (onStateChange !== undefined && typeof onStateChange !== 'function') throw new TypeError(`${where}: onStateChange must be a function`);
  const keys = keysOf(prefix);

  // The mirror: member -> until (ms). Only revocations, which expire with their tokens.
  const mirror = new Map<string, number>();
  let everLoaded = false;
  /** A full load happened since the subscriber's last (re)connection. */
  let loaded = false;
  /** Counts the subscriber's disconnections, so a load that straddled one is not trusted. */
  let epoch = 0;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  /** The highest `seq` applied in order; a message beyond `lastSeq + 1` means one was missed. */
  let lastSeq = 0;
  /** A `seq` read from Redis that the subscription must have reached by the next heartbeat. */
  let expectedSeq: number | undefined;
  /** The `seq` of messages that arrived during a load, to continue from once it is done. */
  const seenDuringLoad = new Set<number>();
  let overflowed = false;
  let closed = false;
  let state: MirrorState = 'connecting';
  let lastError: unknown;
  let nextSweep = 0;
  const waiters = new Set<() => void>();

  function setState(next: MirrorState, error?: unknown): void {
    if (next === state) return;
    state = next;
    if (next === 'current') for (const wake of waiters) wake();
    try {
      onStateChange?.(next, error);
    } catch {
      // A reporting callback never breaks the store.
    }
  }

  function trusted(now: number): boolean {
    if (closed || overflowed || !everLoaded) return false;
    return now - confirmedAt <= grace || whenUnavailable === 'serve-stale';
  }

  function apply(member: string, until: number, now: number): void {
    if ((mirror.get(member) ?? 0) >= until || until <= now) return;
    if (!mirror.has(member) && mirror.size >= maxEntries) {
      sweep(now, true);
      if (mirror.size >= maxEntries) {
        // Never forget a revocation to take another: refuse until a load fits again.
        overflowed = true;
        loaded = false;
        return;
      }
    }
    mirror.set(member, until);
  }

  function sweep(now: number, force: boolean): void {
    if (!force && now < nextSweep) return;
    nextSweep = now + 60_000;
    for (const [member, until] of mirror) if (until <= now) mirror.delete(member);
  }

  function onMessage(message: string): void {
    const first = message.indexOf(' ');
    const second = message.indexOf(' ', first + 1);
    const seq = Number(message.slice(0, first));
    const until = Number(message.slice(first + 1, second));
    const member = message.slice(second + 1);
    if (first < 0 || second < 0 || !Number.isSafeInteger(seq) || !Number.isFinite(until) || !member.startsWith('[')) return;
    apply(member, until, clock());
    if (!loaded) seenDuringLoad.add(seq);
    else if (seq === lastSeq + 1) lastSeq = seq;
    else if (seq > lastSeq + 1) {
      // A revocation went by unseen: load the whole list again.
      loaded = false;
      void load();
    }
  }

  // --- The subscriber connection and the full load --------------------------------------------

  const subscriber: RedisSubscriber = client.duplicate();
  subscriber.on('error', (error) => {
    lastError = error;
    disconnected();
  });
  subscriber.on('end', disconnected);
  subscriber.on('ready', () => void load());

  function disconnected(): void {
    loaded = false;
    epoch++;
  }

  let loading: Promise<void> | undefined;
  function load(): Promise<void> {
    loading ??= loadOnce().finally(() => (loading = undefined));
    return loading;
  }

  async function loadOnce(): Promise<void> {
    if (closed) return;
    const started = clock();
    const at = epoch;
    seenDuringLoad.clear();
    try {
      // The subscription first: a revocation made during the load arrives through it.
      await send(subscriber, ['PING'], timeout);
      const seq = Number(await send(client, ['GET', keys.seq], timeout)) || 0;
      const held = new Map<string, number>();
      let cursor = '0';
      do {
        const [next, items] = (await send(client, ['ZSCAN', keys.set, cursor, 'COUNT', '1000'], timeout)) as [string, string[]];
        for (let i = 0; i + 1 < items.length; i += 2) held.set(items[i] as string, Number(items[i + 1]));
        cursor = String(next);
      } while (cursor !== '0');
      const now = clock();
      overflowed = false;
      for (const [member, until] of held) apply(member, until, now);
      // What this instance knows and Redis lost (a restart without persistence, a failover to a
      // replica that had not caught up) is written back: revocations only ever grow.
      const lost: string[] = [];
      for (const [member, until] of mirror) if (until > now && (held.get(member) ?? 0) < until) lost.push(member, String(until));
      for (let i = 0; i < lost.length; i += 200) await run(client, REVOKE, [keys.set, keys.seq], [keys.channel, String(now), ...lost.slice(i, i + 200)], timeout);
      if (at !== epoch || closed || overflowed) return;
      // Messages come in order: continue from the loaded seq through those already seen.
      lastSeq = seq;
      while (seenDuringLoad.has(lastSeq + 1)) lastSeq++;
      seenDuringLoad.clear();
      expectedSeq = undefined;
      loaded = true;
      everLoaded = true;
      confirmedAt = started;
      setState('current');
    } catch (error) {
      lastError = error;
    }
  }

  // --- The heartbeat ---------------------------------------------------------------------------

  let beating = false;
  async function heartbeat(): Promise<void> {
    if (closed || beating) return;
    beating = true;
    const sent = clock();
    const at = epoch;
    try {
      if (!loaded) await load();
      else {
        await send(subscriber, ['PING'], timeout);
        const seq = Number(await send(client, ['GET', keys.seq], timeout)) || 0;
        if (seq < lastSeq || (expectedSeq !== undefined && lastSeq < expectedSeq)) {
          // Redis lost revocations, or the subscription fell behind: load the whole list again.
          loaded = false;
          await load();
        } else {
          expectedSeq = seq > lastSeq ? seq : undefined;
          if (loaded && at === epoch) confirmedAt = sent;
        }
      }
      sweep(clock(), false);
    } catch (error) {
      lastError = error;
    } finally {
      beating = false;
      if (!closed) {
        const now = clock();
        setState(!everLoaded ? 'connecting' : now - confirmedAt <= grace && !overflowed ? 'current' : 'stale', lastError);
      }
    }
  }

  const timer = setInterval(() => void heartbeat(), heartbeatMs);
  timer.unref?.();
  void subscriber.connect().catch((error: unknown) => (lastError = error));
  void subscriber.subscribe(keys.channel, onMessage).catch((error: unknown) => (lastError = error));

  // --- The store -------------------------------------------------------------------------------

  function untilOf(expiresAt: number | undefined, now: number): number {
    const until = expiresAt === undefined ? now + defaultTtl * 1000 : (expiresAt + REVOCATION_MARGIN) * 1000;
    if (!Number.isFinite(until)) throw new RangeError('expiresAt must be a finite NumericDate');
    return Math.ceil(until);
  }

  function needsFamilies(issuer: unknown, family: unknown, name: string): asserts family is string {
    if (familyClaim === undefined) throw new TypeError(`${name} needs the store to be created with a familyClaim`);
    if (typeof issuer !== 'string' || typeof family !== 'string' || family.length === 0) throw new TypeError(`${name} needs an issuer and a family`);
  }

  async function write(member: string, expiresAt: number | undefined): Promise<void> {
    const now = clock();
    const until = untilOf(expiresAt, now);
    if (until <= now) return;
    // Mirrored here first: this instance refuses the token at once, and should Redis not take
    // the write, the next full load writes it back.
    apply(member, until, now);
    await run(client, REVOKE, [keys.set, keys.seq], [keys.channel, String(now), member, String(until)], timeout);
  }

  function unavailable(): RedisStoreError {
    return new RedisStoreError(
      closed ? 'the revocation store is closed' : overflowed ? 'the revocation mirror is full' : 'the revocation list is not known to be current',
      { cause: lastError },
    );
  }

  return Object.freeze({
    familyClaim,
    get size() {
      return mirror.size;
    },
    get state() {
      return state;
    },
    async revoke(issuer: string, jti: string, expiresAt?: number) {
      if (typeof issuer !== 'string' || typeof jti !== 'string' || jti.length === 0) throw new TypeError('revoke needs an issuer and a jti');
      await write(tokenMember(issuer, jti), expiresAt);
    },
    async revokeToken(token: RevocableToken) {
      const issuer = issuerOf(token);
      const jti = claimOf(token, 'jti');
      if (issuer === undefined || typeof jti !== 'string' || jti.length === 0) throw new TypeError('only tokens with iss and jti can be revoked');
      const exp = claimOf(token, 'exp');
      await write(tokenMember(issuer, jti), typeof exp === 'number' ? exp : undefined);
    },
    async revokeFamily(issuer: string, family: string, expiresAt?: number) {
      needsFamilies(issuer, family, 'revokeFamily');
      await write(familyMember(issuer, family), expiresAt);
    },
    async advanceFamily(issuer: string, family: string, generation: number, expiresAt: number): Promise<FamilyAdvance> {
      needsFamilies(issuer, family, 'advanceFamily');
      if (!Number.isSafeInteger(generation) || generation < 0) throw new TypeError('advanceFamily needs a non-negative integer generation');
      const now = clock();
      const until = untilOf(expiresAt, now);
      const member = familyMember(issuer, family);
      const outcome = await run(client, ADVANCE, [keys.family(member), keys.set, keys.seq], [keys.channel, String(now), member, String(until), String(generation)], timeout);
      if (outcome !== 'advanced' && outcome !== 'reused' && outcome !== 'revoked') throw new RedisStoreError('unexpected reply from Redis');
      // The family ended: refused here at once, before the published message comes back.
      if (outcome === 'reused') apply(member, until, now);
      return outcome;
    },
    isRevoked(token: RevocableToken): boolean {
      const now = clock();
      if (!trusted(now)) throw unavailable();
      const issuer = issuerOf(token);
      if (issuer === undefined) return false;
      const jti = claimOf(token, 'jti');
      if (typeof jti === 'string' && (mirror.get(tokenMember(issuer, jti)) ?? 0) > now) return true;
      if (familyClaim === undefined) return false;
      const family = claimOf(token, familyClaim);
      return typeof family === 'string' && (mirror.get(familyMember(issuer, family)) ?? 0) > now;
    },
    ready(timeoutMs = 5000): Promise<void> {
      if (state === 'current') return Promise.resolve();
      void heartbeat();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(deadline);
          waiters.delete(wake);
          resolve();
        };
        const deadline = setTimeout(() => {
          waiters.delete(wake);
          reject(new RedisStoreError(`the revocation list did not load within ${timeoutMs} ms`, { cause: lastError }));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      setState('closed');
      subscriber.destroy();
    },
  });
}
