import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { exportPrivateKey, exportPublicKey, generateSigningKey, importSigningKey, publicJwk, type AsymmetricAlgorithm } from './signing-key.js';

const ASYMMETRIC: AsymmetricAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function hasPrivateMember(jwk: object): boolean {
  return PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name));
}

describe('generateSigningKey', () => {
  it.each(ASYMMETRIC)('generates a %s key with its thumbprint as kid and a public JWK without private members', async (algorithm) => {
    const key = await generateSigningKey(algorithm);
    expect(key.algorithm).toBe(algorithm);
    expect(key.publicJwk).toMatchObject({ kid: key.kid, alg: algorithm, use: 'sig' });
    expect(hasPrivateMember(key.publicJwk)).toBe(false);
    const { kid: _kid, alg: _alg, use: _use, ...members } = key.publicJwk;
    expect(key.kid).toBe(await calculateJwkThumbprint(members));
    expect(key.privateKey.type).toBe('private');
    expect(key.publicKey.type).toBe('public');
  });

  it('takes a kid and an RSA size, and refuses symmetric algorithms and odd sizes', async () => {
    const key = await generateSigningKey('PS384', { kid: 'signing-2026', modulusLength: 3072 });
    expect(key.kid).toBe('signing-2026');
    expect((key.privateKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(3072);
    await expect(generateSigningKey('HS256' as AsymmetricAlgorithm)).rejects.toBeInstanceOf(TypeError);
    await expect(generateSigningKey('none' as AsymmetricAlgorithm)).rejects.toBeInstanceOf(TypeError);
    await expect(generateSigningKey('RS256', { modulusLength: 1024 as 2048 })).rejects.toBeInstanceOf(RangeError);
    await expect(generateSigningKey('ES256', { kid: '' })).rejects.toBeInstanceOf(TypeError);
  });

  it('makes non-extractable keys on request; those cannot be exported', async () => {
    const key = await generateSigningKey('ES256', { extractable: false });
    expect(key.privateKey.extractable).toBe(false);
    await expect(exportPrivateKey(key, 'pem')).rejects.toBeInstanceOf(TypeError);
    await expect(exportPublicKey(key, 'pem')).resolves.toContain('-----BEGIN PUBLIC KEY-----');
  });
});

describe('importSigningKey and export', () => {
  it.each(ASYMMETRIC)('round-trips a %s key through PKCS#8 PEM and JWK with the same kid', async (algorithm) => {
    const key = await generateSigningKey(algorithm);
    const pem = await exportPrivateKey(key, 'pem');
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    const fromPem = await importSigningKey(pem, { algorithm });
    expect(fromPem.kid).toBe(key.kid);
    expect(fromPem.publicJwk).toEqual(key.publicJwk);

    const jwk = await exportPrivateKey(key, 'jwk');
    expect(jwk).toMatchObject({ kid: key.kid, alg: algorithm });
    expect(typeof jwk.d).toBe('string');
    const fromJwk = await importSigningKey(jwk);
    expect(fromJwk.algorithm).toBe(algorithm);
    expect(fromJwk.kid).toBe(key.kid);

    const publicPem = await exportPublicKey(key, 'pem');
    expect(publicPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(await exportPublicKey(key, 'jwk')).toEqual(key.publicJwk);
  });

  it('picks the algorithm a key implies: JWK alg, a CryptoKey\'s own algorithm, else the type default', async () => {
    const rsa = await generateSigningKey('RS256');
    expect((await importSigningKey(await exportPrivateKey(rsa, 'pem'))).algorithm).toBe('RS256');
    const pss = await generateKeyPair('PS512', { extractable: true });
    expect((await importSigningKey(pss.privateKey)).algorithm).toBe('PS512');
    const p384 = await generateKeyPair('ES384', { extractable: true });
    expect((await importSigningKey(p384.privateKey)).algorithm).toBe('ES384');
    const ed = await generateSigningKey('EdDSA');
    expect((await importSigningKey(await exportPrivateKey(ed, 'pem'))).algorithm).toBe('EdDSA');
    const jwk = { ...(await exportPrivateKey(rsa, 'jwk')), alg: 'PS256' };
    expect((await importSigningKey(jwk)).algorithm).toBe('PS256');
  });

  it('imports node:crypto KeyObjects and CryptoKeyPairs with a non-extractable private key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const fromKeyObject = await importSigningKey(privateKey as never);
    expect(fromKeyObject.algorithm).toBe('ES512');

    const pair = await generateKeyPair('ES256', { extractable: false });
    await expect(importSigningKey(pair.privateKey)).rejects.toBeInstanceOf(TypeError);
    const fromPair = await importSigningKey(pair);
    expect(fromPair.algorithm).toBe('ES256');
    expect(fromPair.privateKey).toBe(pair.privateKey);
  });

  it('refuses weak, unsupported, public, legacy-format and mismatched keys with a TypeError', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weakPem = weak.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const pkcs1 = weak.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    const strong = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encrypted = strong.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    const publicPem = strong.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    // Bun's node:crypto (BoringSSL) has no secp256k1 to make the key with.
    const secp256k1 = 'Bun' in globalThis ? [] : [generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string];
    const ed = await generateSigningKey('EdDSA');
    const es = await generateSigningKey('ES256');

    for (const input of [weakPem, pkcs1, encrypted, publicPem, x25519, ...secp256k1, 'not a key', '-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----']) {
      await expect(importSigningKey(input)).rejects.toBeInstanceOf(TypeError);
    }
    await expect(importSigningKey(weak.privateKey as never)).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(createPublicKey(publicPem) as never)).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(es.publicJwk)).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey({ kty: 'oct', k: 'c2VjcmV0' })).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(await exportPrivateKey(ed, 'pem'), { algorithm: 'ES256' })).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(await exportPrivateKey(es, 'pem'), { algorithm: 'ES384' })).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(await exportPrivateKey(es, 'pem'), { algorithm: 'HS256' as AsymmetricAlgorithm })).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey({ ...(await exportPrivateKey(es, 'jwk')), alg: 'ES384' })).rejects.toBeInstanceOf(TypeError);
    const oaep = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    await expect(importSigningKey(oaep.privateKey)).rejects.toBeInstanceOf(TypeError);
    const rsaJwk = await exportPrivateKey(await generateSigningKey('RS256'), 'jwk');
    await expect(importSigningKey({ ...rsaJwk, e: 'AQ' })).rejects.toBeInstanceOf(TypeError);
    expect(createPrivateKey(weakPem).asymmetricKeyDetails?.modulusLength).toBe(1024);
  });
});

describe('publicJwk', () => {
  it('keeps only public members and refuses symmetric keys', async () => {
    const jwk = await exportPrivateKey(await generateSigningKey('RS256'), 'jwk');
    const pub = publicJwk({ ...jwk, oth: [], key_ops: ['sign'], ext: true } as never);
    expect(Object.keys(pub).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n']);
    expect(() => publicJwk({ kty: 'oct', k: 'c2VjcmV0' })).toThrow(TypeError);
  });
});
