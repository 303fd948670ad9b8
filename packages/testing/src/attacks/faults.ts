// Fault injection through an adapter, against a real local key server: outages of every
// shape, a flood of unknown kids, key rotation, and discovery metadata naming another issuer.
// Time is the verifier's injected clock; nothing here asserts how long anything took.

import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConformanceResponse, ConformanceTarget } from '../conformance/harness.js';
import { startJwksServer, type JwksBehaviour, type JwksServer } from '../jwks-server.js';
import { createTestKey, signToken, type TestKey } from '../keys.js';
import { ATTACK_AUDIENCE, ATTACK_REALM, type AttackAuthOptions, type AttackRoute, type AttackSetup } from './fixture.js';
import type { AttackDriver } from './suite.js';

const COOLDOWN = 30_000;
const CACHE_MAX_AGE = 600_000;

/** One app under test, its key server, and the clock its verifier reads. */
interface Rig {
  readonly server: JwksServer;
  readonly key: TestKey;
  readonly target: ConformanceTarget;
  readonly handled: AttackRoute[];
  /** Moves the verifier's clock forward. */
  advance(ms: number): void;
  /** A new token of the issuer (a fresh `jti` each time), signed by `key` (default: the served key). */
  token(key?: TestKey): Promise<string>;
  get(token: string): Promise<ConformanceResponse>;
}

/** Waits (without asserting on time) until the key server has answered `count` requests. */
async function hitsReach(server: JwksServer, count: number): Promise<void> {
  for (let i = 0; i < 500 && server.total() < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(server.total()).toBe(count);
}

/**
 * Registers the fault-injection suite for one adapter: an app built with the driver whose only
 * trusted issuer's keys come from a real local JWKS endpoint (or its discovery metadata), with
 * the verifier's clock under the test's control.
 *
 * @example
 * ```ts
 * faults('Koa 3', { errorBody: 'text', start: async (setup) => listenerTarget(createApp(setup).callback()) });
 * ```
 */
export function faults(name: string, driver: AttackDriver): void {
  describe(`faults: ${name}`, () => {
    const open: (() => Promise<void>)[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((close) => close()));
    });

    async function rig(options: { discovery?: boolean; timeout?: number } = {}): Promise<Rig> {
      const key = await createTestKey('ES256');
      const server = await startJwksServer({ keys: [key.publicJwk as JWK] });
      const issuer = server.issuer;
      let now = Date.now();
      const handled: AttackRoute[] = [];
      const auth: AttackAuthOptions = {
        issuers: [options.discovery === true ? { issuer, discovery: true } : { issuer, jwksUri: server.jwksUri }],
        audience: ATTACK_AUDIENCE,
        realm: ATTACK_REALM,
        tokenType: 'at+jwt',
        isRevoked: () => false,
        clock: () => now,
        remote: { cooldown: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE, timeout: options.timeout ?? 5_000 },
      };
      const setup: AttackSetup = { realm: ATTACK_REALM, auth, optionalAuth: { ...auth, optional: true }, handled: (route) => void handled.push(route) };
      const target = await driver.start(setup);
      open.push(() => target.close(), () => server.close());
      return {
        server,
        key,
        target,
        handled,
        advance: (ms) => void (now += ms),
        token: (signer = key) => signToken(signer, { iss: issuer, aud: ATTACK_AUDIENCE, sub: 'alice', jti: crypto.randomUUID() }, { now: Math.floor(now / 1000), header: { typ: 'at+jwt' } }),
        get: (token) => target.request({ method: 'GET', path: '/me', headers: [['authorization', `Bearer ${token}`]] }),
      };
    }

    const expectUnavailable = (response: ConformanceResponse, handled: AttackRoute[]) => {
      expect(response.status).toBe(503);
      expect(response.headers['www-authenticate']).toBeUndefined();
      if (driver.errorBody === 'json') expect(JSON.parse(response.text)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      expect(handled).toEqual([]);
    };
    const expectRefused = (response: ConformanceResponse, description: string) => {
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(`Bearer realm="${ATTACK_REALM}", error="invalid_token", error_description="${description}"`);
    };

    const outages: [string, JwksBehaviour][] = [
      ['answers 500', { kind: 'status', status: 500 }],
      ['answers 404', { kind: 'status', status: 404 }],
      ['drops the connection', { kind: 'drop' }],
      ['cuts the body short', { kind: 'truncate' }],
      ['returns invalid JSON', { kind: 'invalid-json' }],
      ['returns a body over the size cap', { kind: 'huge', bytes: 400_000 }],
      ['returns something that is not a key set', { kind: 'body', body: '{"keys":"x"}' }],
      ['returns HTML', { kind: 'body', body: '<html><body>maintenance</body></html>' }],
    ];
    for (const [what, behaviour] of outages) {
      it(`answers 503 while the JWKS endpoint ${what}, fetches no more than once per cooldown, and recovers by itself`, async () => {
        const r = await rig();
        r.server.behaviour = behaviour;
        const token = await r.token();
        expectUnavailable(await r.get(token), r.handled);
        expectUnavailable(await r.get(token), r.handled);
        expect(r.server.total()).toBe(1);
        r.server.behaviour = { kind: 'ok' };
        r.advance(COOLDOWN + 1);
        const response = await r.get(token);
        expect(response.status).toBe(200);
        expect(r.handled).toEqual(['me']);
        expect(r.server.total()).toBe(2);
      });
    }

    it('answers 503 when the JWKS endpoint is slower than the timeout, with one fetch for concurrent requests', async () => {
      const r = await rig({ timeout: 150 });
      r.server.behaviour = { kind: 'slow', delayMs: 2_000 };
      const token = await r.token();
      const responses = await Promise.all(Array.from({ length: 10 }, () => r.get(token)));
      for (const response of responses) expectUnavailable(response, r.handled);
      expect(r.server.total()).toBe(1);
    });

    it('keeps serving the last good keys through an outage, and answers 503 for an unknown key meanwhile', async () => {
      const r = await rig();
      expect((await r.get(await r.token())).status).toBe(200);
      r.server.behaviour = { kind: 'status', status: 503 };
      r.advance(CACHE_MAX_AGE + 1);
      expect((await r.get(await r.token())).status).toBe(200);
      await hitsReach(r.server, 2);
      expect((await r.get(await r.token())).status).toBe(200);
      // A kid it has not seen cannot be told from a forged one while the endpoint fails: 503, never an accept.
      r.handled.length = 0;
      expectUnavailable(await r.get(await r.token(await createTestKey('ES256'))), r.handled);
    });

    it('refetches at most once per cooldown under a flood of unknown kids', async () => {
      const r = await rig();
      expect((await r.get(await r.token())).status).toBe(200);
      expect(r.server.total()).toBe(1);
      const strangers = await Promise.all(Array.from({ length: 8 }, () => createTestKey('ES256')));
      const flood = async (count: number) => {
        const tokens = await Promise.all(Array.from({ length: count }, (_, i) => r.token(strangers[i % strangers.length])));
        for (const response of await Promise.all(tokens.map((token) => r.get(token)))) expectRefused(response, 'No key matches the token');
      };
      await flood(40); // within the cooldown of the first fetch: nothing is fetched
      expect(r.server.total()).toBe(1);
      r.advance(COOLDOWN + 1);
      await flood(40);
      await flood(40);
      expect(r.server.total()).toBe(2);
      r.advance(COOLDOWN + 1);
      await flood(40);
      expect(r.server.total()).toBe(3);
      expect(r.handled).toEqual(['me']);
    });

    it('picks up a rotated key, and stops accepting a key that left the set', async () => {
      const r = await rig();
      const old = await r.token();
      expect((await r.get(old)).status).toBe(200);
      const next = await createTestKey('ES256');
      r.server.keys = [r.key.publicJwk as JWK, next.publicJwk as JWK];
      // Within the cooldown the new kid cannot trigger a fetch yet; after it, it does.
      expectRefused(await r.get(await r.token(next)), 'No key matches the token');
      r.advance(COOLDOWN + 1);
      expect((await r.get(await r.token(next))).status).toBe(200);
      expect(r.server.total()).toBe(2);
      // The old key is retired; once the set is refreshed, neither the cached token nor a new one passes.
      r.server.keys = [next.publicJwk as JWK];
      r.advance(CACHE_MAX_AGE + 1);
      expect((await r.get(await r.token(next))).status).toBe(200);
      await hitsReach(r.server, 3);
      expect((await r.get(await r.token(next))).status).toBe(200);
      expectRefused(await r.get(old), 'No key matches the token');
      expectRefused(await r.get(await r.token()), 'No key matches the token');
    });

    it('never trusts discovery metadata naming another issuer, and recovers when it names the right one', async () => {
      const r = await rig({ discovery: true });
      const configured = r.server.issuer;
      // The metadata changes; the tokens keep naming the configured issuer.
      r.server.issuer = 'https://evil.example';
      const token = await r.token();
      expectUnavailable(await r.get(token), r.handled);
      for (const issuer of [`${configured}/`, configured.toUpperCase(), ` ${configured}`]) {
        r.server.issuer = issuer;
        r.advance(COOLDOWN + 1);
        expectUnavailable(await r.get(token), r.handled);
      }
      expect(r.server.hits.get('/jwks.json')).toBeUndefined();
      r.server.issuer = configured;
      r.advance(COOLDOWN + 1);
      expect((await r.get(token)).status).toBe(200);
      expect(r.server.hits.get('/jwks.json')).toBe(1);
    });
  });
}
