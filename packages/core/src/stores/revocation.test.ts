import { describe, expect, it } from 'vitest';
import { createRevocationStore } from './revocation.js';

const iss = 'https://auth.example.com';

describe('createRevocationStore', () => {
  it('revokes by (iss, jti) until the token expires', async () => {
    let now = 1_000_000_000_000;
    const store = createRevocationStore({ clock: () => now });
    const token = { issuer: iss, claims: { iss, jti: 'a', exp: now / 1000 + 60 } };
    expect(store.isRevoked(token)).toBe(false);
    await store.revokeToken(token);
    expect(store.isRevoked(token)).toBe(true);
    expect(store.isRevoked({ issuer: 'https://other.example', claims: { jti: 'a' } })).toBe(false);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'b' } })).toBe(false);
    expect(store.size).toBe(1);
    // Past exp, within the largest clock tolerance a verifier allows, the token could still verify.
    now += 61_000;
    expect(store.isRevoked(token)).toBe(true);
    now += 300_000;
    expect(store.isRevoked(token)).toBe(false);
    expect(store.size).toBe(0);
  });

  it('keeps pairs apart whatever characters they contain', async () => {
    const store = createRevocationStore();
    await store.revoke('a:b', 'c');
    expect(store.isRevoked({ issuer: 'a', claims: { jti: 'b:c' } })).toBe(false);
    expect(store.isRevoked({ issuer: 'a:b', claims: { jti: 'c' } })).toBe(true);
  });

  it('revokes a whole family through the family claim', async () => {
    const store = createRevocationStore({ familyClaim: 'fam' });
    await store.revokeFamily(iss, 'family-1');
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'x', fam: 'family-1' } })).toBe(true);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'y', fam: 'family-2' } })).toBe(false);
    await expect(createRevocationStore().revokeFamily(iss, 'f')).rejects.toThrow(TypeError);
  });

  it('reads claims as own properties only and refuses what cannot be revoked', async () => {
    const store = createRevocationStore({ familyClaim: 'toString' });
    expect(store.isRevoked({ issuer: iss, claims: {} })).toBe(false);
    await expect(store.revokeToken({ issuer: iss, claims: {} })).rejects.toThrow(TypeError);
    await expect(store.revoke(iss, '')).rejects.toThrow(TypeError);
    await expect(store.revoke(iss, 'x', Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
  });

  it('never forgets silently when full', async () => {
    const store = createRevocationStore({ maxEntries: 2 });
    const exp = Date.now() / 1000 + 60;
    await store.revoke(iss, 'a', exp);
    await store.revoke(iss, 'b', exp);
    await expect(store.revoke(iss, 'c', exp)).rejects.toThrow(RangeError);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'a' } })).toBe(true);
    await store.revoke(iss, 'a', exp + 10);
    expect(store.size).toBe(2);
  });

  it('ignores revocations of tokens that already expired', async () => {
    const store = createRevocationStore();
    await store.revoke(iss, 'old', Date.now() / 1000 - 301);
    expect(store.size).toBe(0);
  });

  it('advances a family one generation at a time, exactly once per generation', async () => {
    let now = 1_000_000_000_000;
    const store = createRevocationStore({ familyClaim: 'sid', clock: () => now });
    const until = now / 1000 + 3600;
    expect(await store.advanceFamily(iss, 'f', 0, until)).toBe('advanced');
    expect(await store.advanceFamily(iss, 'f', 1, until)).toBe('advanced');
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'a', sid: 'f' } })).toBe(false);
    // Generation 1 comes back: reuse, and the whole family is revoked from now on.
    expect(await store.advanceFamily(iss, 'f', 1, until)).toBe('reused');
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'a', sid: 'f' } })).toBe(true);
    expect(await store.advanceFamily(iss, 'f', 2, until)).toBe('revoked');
    expect(await store.advanceFamily(iss, 'other', 3, until)).toBe('advanced');
    expect(store.size).toBe(2);
    now += 3_901_000;
    expect(store.size).toBe(0);
    await expect(store.advanceFamily(iss, 'f', -1, until)).rejects.toThrow(TypeError);
    await expect(createRevocationStore().advanceFamily(iss, 'f', 0, until)).rejects.toThrow(TypeError);
  });
});
