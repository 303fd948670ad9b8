import { describe, expect, it } from 'vitest';
import { createRevocationStore } from './revocation.js';

const iss = 'https://auth.example.com';

describe('createRevocationStore', () => {
  it('revokes by (iss, jti) until the token expires', () => {
    let now = 1_000_000_000_000;
    const store = createRevocationStore({ clock: () => now });
    const token = { issuer: iss, claims: { iss, jti: 'a', exp: now / 1000 + 60 } };
    expect(store.isRevoked(token)).toBe(false);
    store.revokeToken(token);
    expect(store.isRevoked(token)).toBe(true);
    expect(store.isRevoked({ issuer: 'https://other.example', claims: { jti: 'a' } })).toBe(false);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'b' } })).toBe(false);
    expect(store.size).toBe(1);
    now += 61_000;
    expect(store.isRevoked(token)).toBe(false);
    expect(store.size).toBe(0);
  });

  it('keeps pairs apart whatever characters they contain', () => {
    const store = createRevocationStore();
    store.revoke('a:b', 'c');
    expect(store.isRevoked({ issuer: 'a', claims: { jti: 'b:c' } })).toBe(false);
    expect(store.isRevoked({ issuer: 'a:b', claims: { jti: 'c' } })).toBe(true);
  });

  it('revokes a whole family through the family claim', () => {
    const store = createRevocationStore({ familyClaim: 'fam' });
    store.revokeFamily(iss, 'family-1');
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'x', fam: 'family-1' } })).toBe(true);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'y', fam: 'family-2' } })).toBe(false);
    expect(() => createRevocationStore().revokeFamily(iss, 'f')).toThrow(TypeError);
  });

  it('reads claims as own properties only and refuses what cannot be revoked', () => {
    const store = createRevocationStore({ familyClaim: 'toString' });
    expect(store.isRevoked({ issuer: iss, claims: {} })).toBe(false);
    expect(() => store.revokeToken({ issuer: iss, claims: {} })).toThrow(TypeError);
    expect(() => store.revoke(iss, '')).toThrow(TypeError);
    expect(() => store.revoke(iss, 'x', Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('never forgets silently when full', () => {
    const store = createRevocationStore({ maxEntries: 2 });
    const exp = Date.now() / 1000 + 60;
    store.revoke(iss, 'a', exp);
    store.revoke(iss, 'b', exp);
    expect(() => store.revoke(iss, 'c', exp)).toThrow(RangeError);
    expect(store.isRevoked({ issuer: iss, claims: { jti: 'a' } })).toBe(true);
    store.revoke(iss, 'a', exp + 10);
    expect(store.size).toBe(2);
  });

  it('ignores revocations of tokens that already expired', () => {
    const store = createRevocationStore();
    store.revoke(iss, 'old', Date.now() / 1000 - 1);
    expect(store.size).toBe(0);
  });
});
