import { randomSecret } from '@jwt-gate/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createIssuer } from './issuer.js';
import { createKeySet } from '../keys/key-set.js';
import { generateSigningKey } from '../keys/signing-key.js';
import { createRefreshTokens } from './refresh-tokens.js';
import { createRevocationStore, type RevocationStore } from '../stores/revocation.js';
import { createVerifier } from '../verification/verifier.js';

const issuerId = 'https://auth.example.com';
const audience = 'orders-api';

async function setup(options: { now?: () => number } = {}) {
  const clock = options.now ?? Date.now;
  const keys = createKeySet([await generateSigningKey('ES256')]);
  const issuer = createIssuer({ issuer: issuerId, audience, keys, clock });
  const refresh = createRefreshTokens({ issuer, clock });
  const access = async () => createVerifier({ issuer: issuerId, audience, jwks: await issuer.jwks(), tokenType: 'at+jwt', isRevoked: refresh.store, clock });
  return { keys, issuer, refresh, access };
}

describe('createRefreshTokens', () => {
  it('issues a refresh token with its own type and audience, and redeems it once for a successor in the same family', async () => {
    const { refresh } = await setup();
    const issued = await refresh.issue({ sub: 'alice', scope: 'profile:read' });
    const first = issued.refreshToken;
    expect(decodeProtectedHeader(first)).toMatchObject({ typ: 'rt+jwt', alg: 'ES256' });
    const claims = decodeJwt(first);
    expect(claims).toMatchObject({ iss: issuerId, aud: issuerId, sub: 'alice', scope: 'profile:read' });
    expect(claims.exp! - claims.iat!).toBe(1_209_600);
    expect(claims['sid']).toBe(issued.family);

    const redeemed = await refresh.redeem(first);
    expect(redeemed.claims).toMatchObject({ sub: 'alice', scope: 'profile:read', sid: claims['sid'] });
    expect(redeemed.family).toBe(claims['sid']);
    const next = decodeJwt(redeemed.refreshToken);
    expect(next).toMatchObject({ sub: 'alice', scope: 'profile:read', sid: claims['sid'], aud: issuerId });
    expect(next.jti).not.toBe(claims.jti);

    const again = await refresh.redeem(redeemed.refreshToken);
    expect(again.family).toBe(redeemed.family);
    // Every login is a family of its own.
    expect(decodeJwt((await refresh.issue({ sub: 'alice' })).refreshToken)['sid']).not.toBe(claims['sid']);
  });

  it('detects reuse: a used token is refused and its whole family revoked, access tokens of the session included', async () => {
    const { issuer, refresh, access } = await setup();
    const login = await refresh.issue({ sub: 'alice' });
    const loginAccess = await issuer.sign({ sub: 'alice', sid: login.family });
    const { refreshToken: second, family } = await refresh.redeem(login.refreshToken);
    expect(family).toBe(login.family);
    const accessToken = await issuer.sign({ sub: 'alice', sid: family });
    const verifier = await access();
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(verifier.verify(loginAccess)).resolves.toMatchObject({ claims: { sub: 'alice' } });

    await expect(refresh.redeem(login.refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'reused', status: 401 });
    await expect(refresh.redeem(second)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'family_revoked' });
    await expect(verifier.verify(accessToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(verifier.verify(loginAccess)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });

    // Other sessions are untouched.
    const other = await refresh.issue({ sub: 'alice' });
    await expect(verifier.verify(await issuer.sign({ sub: 'alice', sid: other.family }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(refresh.redeem(other.refreshToken)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('lets exactly one of two concurrent redemptions of one token through, and ends the family', async () => {
    const { refresh } = await setup();
    const token = (await refresh.issue({ sub: 'alice' })).refreshToken;
    const results = await Promise.allSettled([refresh.redeem(token), refresh.redeem(token)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'reused' });
    const successor = (won[0] as PromiseFulfilledResult<{ refreshToken: string }>).value.refreshToken;
    await expect(refresh.redeem(successor)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
  });

  it('holds one record per live session, however often its refresh tokens are redeemed', async () => {
    const { refresh } = await setup();
    let token = (await refresh.issue({ sub: 'alice' })).refreshToken;
    for (let i = 0; i < 500; i++) token = (await refresh.redeem(token)).refreshToken;
    expect(decodeJwt(token)['gen']).toBe(500);
    expect(refresh.store.size).toBe(1);
    // A small store is never filled by one account redeeming its own chain.
    const small = createRefreshTokens({ issuer: createIssuer({ issuer: issuerId, audience, privateKey: await generateSigningKey('ES256') }), store: createRevocationStore({ familyClaim: 'sid', maxEntries: 2 }) });
    let chain = (await small.issue({ sub: 'bob' })).refreshToken;
    for (let i = 0; i < 50; i++) chain = (await small.redeem(chain)).refreshToken;
    const other = (await small.issue({ sub: 'carol' })).refreshToken;
    await expect(small.redeem(other)).resolves.toMatchObject({ claims: { sub: 'carol' } });
  });

  it('ends a login by its family id: its refresh tokens and the access tokens naming it', async () => {
    const { issuer, refresh, access } = await setup();
    const login = await refresh.issue({ sub: 'alice' });
    const accessToken = await issuer.sign({ sub: 'alice', sid: login.family });
    const verifier = await access();
    const other = await refresh.issue({ sub: 'alice' });
    expect(refresh.familyClaim).toBe('sid');
    await refresh.revokeFamily(login.family);
    await expect(verifier.verify(accessToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(refresh.redeem(login.refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED', reason: 'family_revoked' });
    await expect(refresh.redeem(other.refreshToken)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(refresh.revokeFamily('')).rejects.toBeInstanceOf(TypeError);
  });

  it('never takes a refresh token as an access token, nor the reverse', async () => {
    const { issuer, refresh, access } = await setup();
    const refreshToken = (await refresh.issue({ sub: 'alice' })).refreshToken;
    const accessToken = await issuer.sign({ sub: 'alice' });
    await expect((await access()).verify(refreshToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE_INVALID', status: 401 });
    // Even a verifier that checks no type refuses it on the audience.
    const untyped = createVerifier({ issuer: issuerId, audience, jwks: await issuer.jwks() });
    await expect(untyped.verify(refreshToken)).rejects.toMatchObject({ code: 'ERR_AUDIENCE_INVALID' });
    await expect(refresh.redeem(accessToken)).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE_INVALID' });
    const accessForTokenEndpoint = await issuer.sign({ sub: 'alice' }, { audience: issuerId });
    await expect(refresh.redeem(accessForTokenEndpoint)).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE_INVALID' });
  });

  it('refuses expired, foreign, malformed and revoked (logged out) refresh tokens', async () => {
    let now = 1_800_000_000_000;
    const { refresh } = await setup({ now: () => now });
    const token = (await refresh.issue({ sub: 'alice' })).refreshToken;
    const other = await setup({ now: () => now });
    await expect(other.refresh.redeem(token)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    await expect(refresh.redeem('not-a-token')).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED', status: 401 });
    await expect(refresh.redeem(42 as never)).rejects.toMatchObject({ status: 401 });

    const loggedOut = (await refresh.issue({ sub: 'alice' })).refreshToken;
    const { refreshToken: successor } = await refresh.redeem(loggedOut);
    await refresh.revoke(successor);
    await expect(refresh.redeem(successor)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(refresh.revoke('garbage')).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });

    now += 1_209_600_000 + 10_000;
    await expect(refresh.redeem(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('keeps redeeming tokens signed before a key rotation until the old key is removed', async () => {
    const { keys, refresh } = await setup();
    const old = (await refresh.issue({ sub: 'alice' })).refreshToken;
    const first = (await keys.list())[0]?.kid as string;
    await keys.rotate(await generateSigningKey('EdDSA'));
    const redeemed = await refresh.redeem(old);
    expect(decodeProtectedHeader(redeemed.refreshToken).alg).toBe('EdDSA');
    await keys.remove(first);
    await expect(refresh.redeem(redeemed.refreshToken)).resolves.toMatchObject({ claims: { sub: 'alice' } });

    const stranded = (await refresh.issue({ sub: 'bob' })).refreshToken;
    const second = (await keys.list())[0]?.kid as string;
    await keys.rotate(await generateSigningKey('EdDSA'));
    await keys.remove(second);
    await expect(refresh.redeem(stranded)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
  });

  it('works with an HMAC issuer and never encrypts refresh tokens', async () => {
    const secret = randomSecret(32);
    const issuer = createIssuer({ issuer: issuerId, audience, secret, encryption: { key: crypto.getRandomValues(new Uint8Array(32)) } });
    const refresh = createRefreshTokens({ issuer, store: createRevocationStore({ familyClaim: 'sid' }) });
    const token = (await refresh.issue({ sub: 'alice' })).refreshToken;
    expect(token.split('.')).toHaveLength(3);
    expect((await issuer.sign({ sub: 'alice' })).split('.')).toHaveLength(5);
    await expect(refresh.redeem(token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('answers 503 when the store fails, never an accept', async () => {
    const real = createRevocationStore({ familyClaim: 'sid' });
    let broken = false;
    const store: RevocationStore = {
      ...real,
      revoke: real.revoke,
      revokeToken: (t) => real.revokeToken(t),
      revokeFamily: (i, f, e) => real.revokeFamily(i, f, e),
      isRevoked: (token) => real.isRevoked(token),
      async advanceFamily(...args) {
        if (broken) throw new Error('store down');
        return real.advanceFamily(...args);
      },
      get size() {
        return real.size;
      },
    };
    const issuer = createIssuer({ issuer: issuerId, audience, privateKey: await generateSigningKey('ES256') });
    const refresh = createRefreshTokens({ issuer, store });
    const token = (await refresh.issue({ sub: 'alice' })).refreshToken;
    broken = true;
    await expect(refresh.redeem(token)).rejects.toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
    broken = false;
    await expect(refresh.redeem(token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('refuses a misconfiguration at creation', async () => {
    const issuer = createIssuer({ issuer: issuerId, audience, privateKey: await generateSigningKey('ES256') });
    expect(() => createRefreshTokens({ issuer, store: createRevocationStore() })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, store: createRevocationStore({ familyClaim: 'fam' }) })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, store: createRevocationStore({ familyClaim: 'fam' }), familyClaim: 'fam' })).not.toThrow();
    expect(() => createRefreshTokens({ issuer, audience })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, tokenType: 'at+jwt' })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, tokenType: 'application/AT+JWT' })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, familyClaim: 'jti' })).toThrow(TypeError);
    expect(() => createRefreshTokens({ issuer, expiresIn: 0 })).toThrow(RangeError);
    expect(() => createRefreshTokens({ issuer: { sign: async () => 'x' } as never })).toThrow(TypeError);
    const refresh = createRefreshTokens({ issuer });
    await expect(refresh.issue({})).rejects.toBeInstanceOf(TypeError);
    await expect(refresh.issue({ sub: 'alice', sid: 'chosen-by-caller' })).rejects.toBeInstanceOf(TypeError);
    await expect(refresh.issue({ sub: 'alice', gen: 7 })).rejects.toBeInstanceOf(TypeError);
    await expect(refresh.issue({ sub: 'alice', exp: 1e12 })).rejects.toBeInstanceOf(TypeError);
  });
});
