import { randomSecret, startJwksServer } from '@jwt-gate/testing';
import { decodeProtectedHeader, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createIssuer } from '../issuing/issuer.js';
import { createVerifier } from '../verification/verifier.js';
import { createRemoteJwks } from './remote-jwks.js';
import { createKeySet } from './key-set.js';
import { exportPrivateKey, generateSigningKey } from './signing-key.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('createKeySet', () => {
  it('publishes every key, signs with the first, and never publishes a private member', async () => {
    const rsa = await generateSigningKey('PS256');
    const ec = await generateSigningKey('ES384');
    const ed = await generateSigningKey('EdDSA');
    const keys = createKeySet([
      { privateKey: await exportPrivateKey(rsa, 'jwk') },
      { privateKey: await exportPrivateKey(ec, 'pem'), algorithm: 'ES384' },
      ed,
    ]);
    const jwks = await keys.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([rsa.kid, ec.kid, ed.kid]);
    for (const jwk of jwks.keys) {
      expect(PRIVATE_MEMBERS.filter((name) => Object.hasOwn(jwk, name))).toEqual([]);
      expect(jwk.use).toBe('sig');
    }
    expect(await keys.list()).toEqual([
      { kid: rsa.kid, algorithm: 'PS256', active: true },
      { kid: ec.kid, algorithm: 'ES384', active: false },
      { kid: ed.kid, algorithm: 'EdDSA', active: false },
    ]);
    const signer = createIssuer({ issuer, audience, keys });
    expect(decodeProtectedHeader(await signer.sign({ sub: 'alice' }))).toMatchObject({ alg: 'PS256', kid: rsa.kid });
  });

  it('add publishes without signing, activate switches, remove stops publishing (never the active key)', async () => {
    const first = await generateSigningKey('ES256');
    const second = await generateSigningKey('ES256');
    const keys = createKeySet([first]);
    const signer = createIssuer({ issuer, audience, keys });

    expect(await keys.add(second)).toEqual({ kid: second.kid, algorithm: 'ES256', active: false });
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);
    expect(decodeProtectedHeader(await signer.sign({ sub: 'a' })).kid).toBe(first.kid);

    await keys.activate(second.kid);
    expect(decodeProtectedHeader(await signer.sign({ sub: 'a' })).kid).toBe(second.kid);
    await expect(keys.remove(second.kid)).rejects.toBeInstanceOf(TypeError);
    await keys.remove(first.kid);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([second.kid]);
    await expect(keys.activate(first.kid)).rejects.toBeInstanceOf(TypeError);
    await expect(keys.remove('unknown')).rejects.toBeInstanceOf(TypeError);
  });

  it('refuses mixed HMAC and asymmetric keys, duplicate kids and weak keys, and a failed change leaves the set as it was', async () => {
    const key = await generateSigningKey('ES256');
    expect(() => createKeySet([key, { secret: randomSecret(32) }])).toThrow(TypeError);
    expect(() => createKeySet([{ secret: randomSecret(32), kid: 'a' }, { secret: randomSecret(32), kid: 'a' }])).toThrow(TypeError);
    expect(() => createKeySet([{ secret: 'too-short' }])).toThrow(TypeError);
    expect(() => createKeySet([])).toThrow(TypeError);
    expect(() => createKeySet([{ privateKey: key.privateKey, secret: randomSecret(32) } as never])).toThrow(TypeError);
    expect(() => createKeySet([key, key])).toThrow(TypeError);
    // Refused when the set is made, not at its first signature: a JWK whose alg does not fit its
    // key, and a non-extractable CryptoKey asked for an algorithm it is not bound to.
    const jwk = await exportPrivateKey(key, 'jwk');
    expect(() => createKeySet([{ privateKey: { ...jwk, alg: 'ES384' } }])).toThrow(TypeError);
    const bound = await generateKeyPair('RS256', { extractable: false });
    expect(() => createKeySet([{ privateKey: bound, algorithm: 'RS384' }])).toThrow(TypeError);
    expect(() => createKeySet([{ privateKey: bound, algorithm: 'RS256' }])).not.toThrow();
    // Without explicit kids the duplicate shows once the thumbprints are known.
    const pem = await exportPrivateKey(key, 'pem');
    await expect(createKeySet([{ privateKey: pem }, { privateKey: pem }]).ready()).rejects.toBeInstanceOf(TypeError);

    const keys = createKeySet([key]);
    await expect(keys.rotate({ secret: randomSecret(32) })).rejects.toBeInstanceOf(TypeError);
    await expect(keys.rotate(key)).rejects.toBeInstanceOf(TypeError);
    await expect(keys.add({ privateKey: 'not a key' })).rejects.toBeInstanceOf(TypeError);
    expect(await keys.list()).toEqual([{ kid: key.kid, algorithm: 'ES256', active: true }]);
  });

  it('rotates HMAC secrets: the verifier takes old and new secret, tokens of both verify', async () => {
    const old = randomSecret(32);
    const next = randomSecret(32);
    const keys = createKeySet([{ secret: old, kid: 'hs-1' }]);
    const signer = createIssuer({ issuer, audience, keys });
    const before = await signer.sign({ sub: 'alice' });
    await keys.rotate({ secret: next, kid: 'hs-2' });
    const after = await signer.sign({ sub: 'alice' });
    expect(decodeProtectedHeader(after).kid).toBe('hs-2');
    expect(await keys.jwks()).toEqual({ keys: [] });
    const verifier = createVerifier({ issuer, audience, secret: [{ kid: 'hs-2', key: next }, { kid: 'hs-1', key: old }] });
    await expect(verifier.verify(before)).resolves.toMatchObject({ header: { kid: 'hs-1' } });
    await expect(verifier.verify(after)).resolves.toMatchObject({ header: { kid: 'hs-2' } });
  });
});

describe('rotation through a published JWKS', () => {
  it('keeps tokens signed before and after a rotation verifying, and drops the old key only when removed', async () => {
    let now = 1_800_000_000_000;
    const clock = () => now;
    const first = await generateSigningKey('ES256');
    const keys = createKeySet([first]);
    const signer = createIssuer({ issuer, audience, keys, clock });
    const server = await startJwksServer({ keys: (await signer.jwks()).keys });
    try {
      const remote = createRemoteJwks(server.jwksUri, { clock });
      const verifier = createVerifier({ issuer, audience, jwksUri: remote, tokenType: 'at+jwt', clock });
      const before = await signer.sign({ sub: 'alice' });
      await expect(verifier.verify(before)).resolves.toMatchObject({ header: { kid: first.kid } });

      // Staged rotation: the next key is published first, verifiers learn it, then it signs.
      const second = await generateSigningKey('ES256');
      await keys.add(second);
      server.keys = (await signer.jwks()).keys;
      now += 60_000;
      expect(await remote.refresh()).toBe(true);
      await keys.activate(second.kid);
      const after = await signer.sign({ sub: 'alice' });
      const hits = server.hits.get('/jwks.json');
      await expect(verifier.verify(after)).resolves.toMatchObject({ header: { kid: second.kid } });
      await expect(verifier.verify(before)).resolves.toMatchObject({ header: { kid: first.kid } });
      expect(server.hits.get('/jwks.json')).toBe(hits);

      // An unstaged rotation: the new kid is unknown, so the verifier refetches (outside its cooldown).
      const third = await generateSigningKey('ES256');
      await keys.rotate(third);
      server.keys = (await signer.jwks()).keys;
      now += 60_000;
      const latest = await signer.sign({ sub: 'alice' });
      await expect(verifier.verify(latest)).resolves.toMatchObject({ header: { kid: third.kid } });
      await expect(verifier.verify(before)).resolves.toMatchObject({ header: { kid: first.kid } });

      // The old key is dropped: a verifier reading the new set no longer accepts its tokens.
      await keys.remove(first.kid);
      server.keys = (await signer.jwks()).keys;
      expect(server.keys.map((k) => k.kid)).toEqual([third.kid, second.kid]);
      now += 60_000;
      expect(await remote.refresh()).toBe(true);
      const fresh = createVerifier({ issuer, audience, jwksUri: remote, clock });
      await expect(fresh.verify(before)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', status: 401 });
      await expect(fresh.verify(after)).resolves.toMatchObject({ header: { kid: second.kid } });
      await expect(fresh.verify(latest)).resolves.toMatchObject({ header: { kid: third.kid } });
    } finally {
      await server.close();
    }
  });
});
