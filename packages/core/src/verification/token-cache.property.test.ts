import { createTestKey, signToken } from '@jwt-gate/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PreparedKey } from './key-store.js';
import { createTokenCache, type CacheEntry } from './token-cache.js';
import { createVerifier, type VerifierOptions } from './verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

function entry(token: string, from: number, until: number, active = true): CacheEntry<string> {
  const key: PreparedKey = { kid: undefined, handles: new Map(), active };
  return { token, result: `result of ${token}`, key, from, until };
}

describe('the verified-token cache under generated clocks', () => {
  it('serves an entry exactly while from <= now < until and its key is active', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: -2e9, max: 2e9 }),
        fc.boolean(),
        (from, length, offset, active) => {
          const cache = createTokenCache<string>(8);
          const token = 'header.payload.signature';
          const stored = entry(token, from, from + length, active);
          cache.set(token, stored);
          const now = from + offset;
          const inside = now >= from && now < from + length && active;
          expect(cache.get(token, now)).toBe(inside ? stored : undefined);
        },
      ),
    );
  });

  it('serves nothing once the key is deactivated, whatever the clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), fc.nat({ max: 1e6 }), (from, length, step) => {
        const cache = createTokenCache<string>(8);
        const stored = entry('a.b.c', from, from + length);
        cache.set('a.b.c', stored);
        const now = from + (step % length);
        expect(cache.get('a.b.c', now)).toBe(stored);
        stored.key.active = false;
        expect(cache.get('a.b.c', now)).toBeUndefined();
        // Once dropped it stays gone, even with the key active again.
        stored.key.active = true;
        expect(cache.get('a.b.c', now)).toBeUndefined();
      }),
    );
  });

  it('drops an entry met outside its window: it is not served when the clock comes back into it', () => {
    const cache = createTokenCache<string>(8);
    const stored = entry('a.b.c', 1_000, 2_000);
    cache.set('a.b.c', stored);
    expect(cache.get('a.b.c', 999)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.get('a.b.c', 1_500)).toBeUndefined();
    cache.set('a.b.c', stored);
    expect(cache.get('a.b.c', 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('matches only the whole token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (a, b) => {
        fc.pre(a !== b);
        const cache = createTokenCache<string>(8);
        cache.set(a, entry(a, 0, 10));
        expect(cache.get(b, 5)).toBeUndefined();
        expect(cache.get(a, 5)?.token).toBe(a);
      }),
    );
  });

  it('holds at most maxEntries, evicting the oldest insertion first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), (max, count) => {
        const cache = createTokenCache<string>(max);
        // Tokens that differ well before their last character, so each has its own slot.
        const tokens = Array.from({ length: count }, (_, i) => `tok.${String(i).padStart(8, '0')}.x`);
        for (const token of tokens) cache.set(token, entry(token, 0, 10));
        expect(cache.size).toBe(Math.min(max, count));
        tokens.forEach((token, i) => {
          expect(cache.get(token, 5)?.token).toBe(i >= count - max ? token : undefined);
        });
      }),
    );
  });

  it('replacing an entry of the same token evicts nothing else', () => {
    const cache = createTokenCache<string>(2);
    cache.set('tok.00000001.x', entry('tok.00000001.x', 0, 10));
    cache.set('tok.00000002.x', entry('tok.00000002.x', 0, 10));
    const renewed = entry('tok.00000002.x', 0, 20);
    cache.set('tok.00000002.x', renewed);
    expect(cache.size).toBe(2);
    expect(cache.get('tok.00000001.x', 5)?.token).toBe('tok.00000001.x');
    expect(cache.get('tok.00000002.x', 15)).toBe(renewed);
  });

  it('never lets the verifier answer for a cached token outside what its claims allow', async () => {
    const key = await createTestKey('HS256');
    const base = 1_800_000_000;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          iatOffset: fc.integer({ min: -600, max: 0 }),
          lifetime: fc.integer({ min: 1, max: 900 }),
          nbfOffset: fc.option(fc.integer({ min: -600, max: 0 }), { nil: undefined }),
          tolerance: fc.integer({ min: 0, max: 300 }),
          maxTokenAge: fc.option(fc.integer({ min: 1, max: 1200 }), { nil: undefined }),
          later: fc.integer({ min: -1200, max: 2400 }),
        }),
        async ({ iatOffset, lifetime, nbfOffset, tolerance, maxTokenAge, later }) => {
          const iat = base + iatOffset;
          const exp = base + lifetime;
          const nbf = nbfOffset === undefined ? undefined : base + nbfOffset;
          let now = base * 1000;
          const options = { issuer, audience, secret: key.secret, clock: () => now, clockTolerance: tolerance, ...(maxTokenAge === undefined ? {} : { maxTokenAge }) };
          const verifier = createVerifier(options as VerifierOptions);
          const claims = { iss: issuer, aud: audience, iat, exp, ...(nbf === undefined ? {} : { nbf }) };
          const token = await signToken(key, claims, { issuedAt: null, expiresIn: null });
          const validAt = (t: number) =>
            t - tolerance < exp && (nbf === undefined || t + tolerance >= nbf) && iat <= t + tolerance && (maxTokenAge === undefined || t - iat - tolerance <= maxTokenAge);
          fc.pre(validAt(base));
          await verifier.verify(token); // now cached
          now = (base + later) * 1000;
          const outcome = await Promise.resolve(verifier.verify(token)).then(
            () => 'accepted',
            (error: { code: string }) => error.code,
          );
          if (validAt(base + later)) expect(outcome).toBe('accepted');
          else expect(['ERR_TOKEN_EXPIRED', 'ERR_TOKEN_NOT_YET_VALID', 'ERR_CLAIM_INVALID', 'ERR_TOKEN_TOO_OLD']).toContain(outcome);
        },
      ),
      { numRuns: 200 },
    );
  });
});
