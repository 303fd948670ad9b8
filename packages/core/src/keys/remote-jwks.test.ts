import { createTestKey, signToken, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../verification/verifier.js';
import { createRemoteJwks } from './remote-jwks.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('remote JWKS', () => {
  let server: JwksServer;
  let key: TestKey;
  let now: number;
  const clock = () => now;

  beforeEach(async () => {
    key = await createTestKey('ES256');
    server = await startJwksServer({ keys: [key.publicJwk!] });
    now = Date.now();
  });
  afterEach(async () => {
    await server.close();
  });

  const token = (k: TestKey = key, claims: Record<string, unknown> = {}) => signToken(k, { iss: issuer, aud: audience, ...claims }, { now: Math.floor(now / 1000) });

  it('fetches once and shares the keys between concurrent verifications', async () => {
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock });
    const t = await token();
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(t)));
    expect(server.hits.get('/jwks.json')).toBe(1);
  });

  it('shares one remote set between verifiers', async () => {
    const remote = createRemoteJwks(server.jwksUri, { clock });
    const a = createVerifier({ issuer, audience, jwksUri: remote, clock });
    const b = createVerifier({ issuer, audience: 'other', jwksUri: remote, clock });
    await a.verify(await token());
    await b.verify(await token(key, { aud: 'other' }));
    expect(server.hits.get('/jwks.json')).toBe(1);
  });

  it('refetches on an unknown kid at most once per cooldown', async () => {
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock, remote: { cooldown: 30_000 } });
    await verifier.verify(await token());
    now += 31_000; // the cooldown since the first fetch has passed
    const stranger = await createTestKey('ES256');
    const forged = await token(stranger);
    await Promise.all(Array.from({ length: 50 }, () => expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', status: 401 })));
    expect(server.hits.get('/jwks.json')).toBe(2);
    for (let i = 0; i < 20; i++) {
      const other = await createTestKey('ES256');
      await expect(verifier.verify(await token(other))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    }
    expect(server.hits.get('/jwks.json')).toBe(2);
    now += 31_000;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    expect(server.hits.get('/jwks.json')).toBe(3);
  });

  it('picks up a rotated key on its unknown kid', async () => {
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock });
    await verifier.verify(await token());
    const next = await createTestKey('ES256');
    server.keys = [key.publicJwk!, next.publicJwk!];
    // Within the cooldown of the last fetch the new kid is not fetched yet; after it, it is.
    await expect(verifier.verify(await token(next))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    now += 31_000;
    await expect(verifier.verify(await token(next))).resolves.toMatchObject({ issuer });
    server.keys = [next.publicJwk!];
    now += 700_000; // past cacheMaxAge: refreshed in the background
    await verifier.verify(await token(next));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
  });

  it('answers 503 when the endpoint fails before any key was had, and recovers by itself', async () => {
    server.behaviour = { kind: 'status', status: 500 };
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock, remote: { cooldown: 1_000 } });
    const t = await token();
    const error = await verifier.verify(t).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503, headers: {} });
    // Within the cooldown nothing is fetched again.
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(server.total()).toBe(1);
    server.behaviour = { kind: 'ok' };
    now += 1_500;
    await expect(verifier.verify(t)).resolves.toMatchObject({ issuer });
  });

  for (const [label, behaviour] of [
    ['invalid JSON', { kind: 'invalid-json' }],
    ['a body over the size cap', { kind: 'huge', bytes: 300_000 }],
    ['not a key set', { kind: 'body', body: '{"keys":"x"}' }],
    ['a 404', { kind: 'status', status: 404 }],
  ] as const) {
    it(`treats ${label} as an outage`, async () => {
      server.behaviour = behaviour;
      const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock });
      await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    });
  }

  it('gives up on a slow endpoint after the timeout', async () => {
    // The endpoint would answer with the right key after 2 s: only the 200 ms timeout can turn
    // this verification into an outage.
    server.behaviour = { kind: 'slow', delayMs: 2_000 };
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, remote: { timeout: 200 } });
    await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(server.hits.get('/jwks.json')).toBe(1);
  });

  it('keeps serving the last good keys while the endpoint fails', async () => {
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock, remote: { cooldown: 0 } });
    await verifier.verify(await token());
    server.behaviour = { kind: 'status', status: 503 };
    now += 3_600_000; // stale: a background refresh fails
    await expect(verifier.verify(await token())).resolves.toMatchObject({ issuer });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(verifier.verify(await token())).resolves.toMatchObject({ issuer });
    // An unknown kid during the outage is refused, never accepted: its key cannot be looked up (503).
    await expect(verifier.verify(await token(await createTestKey('ES256')))).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
  });

  it('answers 503 for an unknown kid while the endpoint fails, within the cooldown too, and 401 once it answers', async () => {
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock, remote: { cooldown: 30_000 } });
    await verifier.verify(await token());
    const stranger = await token(await createTestKey('ES256'));
    server.behaviour = { kind: 'status', status: 503 };
    now += 31_000;
    await expect(verifier.verify(stranger)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    expect(server.total()).toBe(2);
    // Within the cooldown of the failed fetch: still an outage, and nothing is fetched.
    await expect(verifier.verify(stranger)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    expect(server.total()).toBe(2);
    // Known keys keep verifying meanwhile.
    await expect(verifier.verify(await token())).resolves.toMatchObject({ issuer });
    server.behaviour = { kind: 'ok' };
    now += 31_000;
    await expect(verifier.verify(stranger)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', status: 401 });
    expect(server.total()).toBe(3);
  });

  it('ignores symmetric, private, encryption and duplicate-kid keys from the network', async () => {
    const rsa = await createTestKey('RS256');
    const dup = await createTestKey('ES256', { kid: 'same' });
    const dup2 = await createTestKey('ES256', { kid: 'same' });
    server.keys = [
      { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hmac' },
      { ...rsa.publicJwk!, use: 'enc' },
      dup.publicJwk!,
      dup2.publicJwk!,
    ];
    const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri, clock });
    await expect(verifier.verify(await token(rsa))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    await expect(verifier.verify(await token(dup))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
  });

  it('exports and imports its cache for cold starts', async () => {
    const first = createRemoteJwks(server.jwksUri);
    await first.keys();
    const snapshot = JSON.parse(JSON.stringify(first.exportCache()));
    await server.close();
    const verifier = createVerifier({ issuer, audience, jwksUri: createRemoteJwks(server.jwksUri, { cache: snapshot }) });
    await expect(verifier.verify(await token())).resolves.toMatchObject({ issuer });
    const warm = createVerifier({ issuer, audience, jwksUri: server.jwksUri, cache: { jwks: { [server.jwksUri]: snapshot } } });
    await expect(warm.verify(await token())).resolves.toMatchObject({ issuer });
    expect(warm.exportCache().jwks?.[server.jwksUri]?.jwks.keys).toHaveLength(1);
    server = await startJwksServer(); // for afterEach
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response(JSON.stringify({ keys: [key.publicJwk] }), { headers: { 'content-type': 'application/json' } });
    };
    const verifier = createVerifier({ issuer, audience, jwksUri: 'https://keys.example.com/jwks.json', remote: { fetch: fetchImpl } });
    await expect(verifier.verify(await token())).resolves.toMatchObject({ issuer });
    expect(calls).toEqual(['https://keys.example.com/jwks.json']);
  });

  it('follows a redirect within its origin, headers included, and refuses one to another origin', async () => {
    const other = await startJwksServer({ keys: [key.publicJwk!] });
    try {
      const headers = { 'x-api-key': 'key-for-the-jwks-origin-only' };
      server.behaviour = { kind: 'redirect', location: '/jwks-moved.json' };
      // A same-origin redirect lands on a 404 here; what matters is who received the header.
      await expect(createRemoteJwks(server.jwksUri, { headers }).keys()).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
      expect(server.requests.map((r) => [r.path, r.headers['x-api-key']])).toEqual([
        ['/jwks.json', 'key-for-the-jwks-origin-only'],
        ['/jwks-moved.json', 'key-for-the-jwks-origin-only'],
      ]);

      for (const status of [301, 302, 303, 307, 308] as const) {
        server.behaviour = { kind: 'redirect', location: other.jwksUri, status };
        const remote = createRemoteJwks(server.jwksUri, { headers });
        const verifier = createVerifier({ issuer, audience, jwksUri: remote, clock });
        await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      }
      expect(other.total()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('answers within the timeout when a response body never settles, and does not wait to cancel it', async () => {
    const stuck = () => new ReadableStream<Uint8Array>({ pull: () => new Promise<void>(() => undefined), cancel: () => new Promise<void>(() => undefined) });
    const bodies: Record<string, () => Response> = {
      'a 200 whose body never ends': () => new Response(stuck(), { status: 200, headers: { 'content-type': 'application/json' } }),
      'a 500 whose body never ends': () => new Response(stuck(), { status: 500 }),
    };
    for (const [what, respond] of Object.entries(bodies)) {
      const remote = createRemoteJwks('https://keys.example.com/jwks.json', { fetch: async () => respond(), timeout: 200 });
      const start = Date.now();
      await expect(remote.keys(), what).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
      expect(Date.now() - start, what).toBeLessThan(5_000);
    }
    // A fetch that ignores the abort signal and never resolves is bounded the same way.
    const ignoring = createRemoteJwks('https://keys.example.com/jwks.json', { fetch: () => new Promise<Response>(() => undefined), timeout: 200 });
    await expect(ignoring.keys()).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
  });

  it('refuses bad configuration at creation', () => {
    expect(() => createRemoteJwks('ftp://x/jwks')).toThrow(TypeError);
    expect(() => createRemoteJwks('not a url')).toThrow(TypeError);
    expect(() => createRemoteJwks(server.jwksUri, { timeout: -1 })).toThrow(TypeError);
    expect(() => createRemoteJwks(server.jwksUri, { cooldown: Number.NaN })).toThrow(TypeError);
  });
});
