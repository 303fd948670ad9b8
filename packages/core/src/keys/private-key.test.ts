import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createKeySet } from './key-set.js';
import { exportPrivateKey, generateSigningKey, importSigningKey } from './signing-key.js';

// What an issuer takes as its key: every accepted form of private key, the algorithm each one
// signs with, and the weak, unsupported or ambiguous keys refused with a TypeError.

const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
const rsaPair = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });

describe('private keys an issuer takes', () => {
  it('signs with the algorithm of a KeyObject\'s type and curve', async () => {
    const cases: [string, object, string][] = [
      ['ec', { namedCurve: 'P-256' }, 'ES256'],
      ['ec', { namedCurve: 'P-384' }, 'ES384'],
      ['ec', { namedCurve: 'prime256v1' }, 'ES256'],
      ['ec', { namedCurve: 'secp384r1' }, 'ES384'],
      ['rsa', { modulusLength: 2048 }, 'RS256'],
      ['ed25519', {}, 'EdDSA'],
    ];
    for (const [type, options, algorithm] of cases) {
      const { privateKey } = generateKeyPairSync(type as never, options as never) as unknown as { privateKey: KeyObject };
      expect((await importSigningKey(privateKey as never)).algorithm, `${type} ${JSON.stringify(options)}`).toBe(algorithm);
      expect((await importSigningKey(pkcs8(privateKey))).algorithm, `${type} PEM`).toBe(algorithm);
    }
  });

  it('refuses KeyObjects that cannot sign: RSA under 2048 bits, X25519, DSA, a public key', async () => {
    // Bun's crypto cannot generate DSA keys: each runtime is given the kinds it can make.
    const made = (make: () => KeyObject): KeyObject[] => {
      try {
        return [make()];
      } catch {
        return [];
      }
    };
    const x25519 = generateKeyPairSync('x25519').privateKey;
    const inputs = [
      rsaPair(1024).privateKey,
      ...made(() => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).privateKey),
      x25519,
      ...made(() => generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey),
      rsaPair().publicKey,
    ];
    for (const input of inputs) await expect(importSigningKey(input as never), String(input.asymmetricKeyType)).rejects.toBeInstanceOf(TypeError);
    expect(() => createKeySet([{ privateKey: x25519 as never }])).toThrow(TypeError);
  });

  // Deno and Bun cannot export an RSA-PSS-only key as PKCS#8 to build the case; the refusal is the same code on every runtime.
  it.skipIf(!('process' in globalThis) || 'Deno' in globalThis || 'Bun' in globalThis)('refuses an RSA-PSS-only key (id-RSASSA-PSS), as a KeyObject or a PEM, and takes a plain RSA key for PS256', async () => {
    const { privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    await expect(importSigningKey(privateKey as never)).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(pkcs8(privateKey))).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(pkcs8(privateKey), { algorithm: 'PS256' })).rejects.toBeInstanceOf(TypeError);
    const plain = await importSigningKey(pkcs8(rsaPair().privateKey), { algorithm: 'PS256' });
    expect(plain.algorithm).toBe('PS256');
    expect(plain.publicJwk).toMatchObject({ kty: 'RSA', alg: 'PS256' });
  });

  it('takes an RSA key of exactly 2048 bits and refuses one of 2047', async () => {
    await expect(importSigningKey(pkcs8(rsaPair(2048).privateKey))).resolves.toMatchObject({ algorithm: 'RS256' });
    await expect(importSigningKey(pkcs8(rsaPair(2047).privateKey))).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey(rsaPair(2047).privateKey as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('refuses a PEM that holds an encrypted, legacy or public block beside a private key', async () => {
    const { privateKey, publicKey } = rsaPair();
    const plain = pkcs8(privateKey);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const others = [
      privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' }) as string,
      privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
      ec.export({ format: 'pem', type: 'sec1' }) as string,
      publicKey.export({ format: 'pem', type: 'spki' }) as string,
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    ];
    await expect(importSigningKey(`\n  ${plain}\n\n`)).resolves.toMatchObject({ algorithm: 'RS256' });
    for (const other of others) {
      await expect(importSigningKey(`${other}${plain}`), other.slice(0, 40)).rejects.toBeInstanceOf(TypeError);
      await expect(importSigningKey(`${plain}${other}`), other.slice(0, 40)).rejects.toBeInstanceOf(TypeError);
    }
  });

  it('takes private JWKs of each key type, with their own kid and alg, and keeps no other member', async () => {
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const edJwk = await exportJWK(ed.privateKey);
    await expect(importSigningKey(edJwk)).resolves.toMatchObject({ algorithm: 'EdDSA' });
    const es = await exportPrivateKey(await generateSigningKey('ES384'), 'jwk');
    const key = await importSigningKey({ ...es, kid: 'from-the-jwk', key_ops: ['sign'], ext: true, extra: 'x' } as never);
    expect(key).toMatchObject({ kid: 'from-the-jwk', algorithm: 'ES384' });
    expect(Object.keys(await exportPrivateKey(key, 'jwk')).sort()).toEqual(['alg', 'crv', 'd', 'kid', 'kty', 'x', 'y']);
    expect((await importSigningKey({ ...es, kid: 'from-the-jwk' }, { kid: 'given' })).kid).toBe('given');
  });

  it('refuses JWKs that are symmetric, public, of another curve or key type, without a modulus, or with a bad kid or alg', async () => {
    const rsa = await exportPrivateKey(await generateSigningKey('RS256'), 'jwk');
    const es = await exportPrivateKey(await generateSigningKey('ES256'), 'jwk');
    const x25519 = await exportJWK((await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true })).privateKey);
    const { n: _n, ...withoutModulus } = rsa;
    for (const jwk of [
      { kty: 'oct', k: 'c2VjcmV0', d: 'c2VjcmV0' },
      x25519,
      { ...x25519, crv: 'Ed448' },
      { ...es, crv: 'secp256k1' },
      { ...es, crv: 'toString' },
      { ...es, kty: 'OKP' },
      { ...es, kty: 'ec' },
      withoutModulus,
      { ...es, kid: '' },
      { ...es, alg: 256 },
      { ...es, d: 7 },
    ]) {
      await expect(importSigningKey(jwk as never), JSON.stringify(jwk).slice(0, 60)).rejects.toBeInstanceOf(TypeError);
    }
  });

  it('takes CryptoKeys of each signing type, bound to their algorithm', async () => {
    for (const algorithm of ['RS384', 'PS256', 'ES512', 'EdDSA'] as const) {
      const pair = await generateKeyPair(algorithm, { extractable: true });
      expect((await importSigningKey(pair.privateKey)).algorithm, algorithm).toBe(algorithm);
    }
    const pss = await generateKeyPair('PS384', { extractable: true });
    expect((await importSigningKey(pss.privateKey, { algorithm: 'PS512' })).algorithm).toBe('PS512');
    const fixed = await generateKeyPair('RS384', { extractable: false });
    expect((await importSigningKey(fixed)).algorithm).toBe('RS384');
    await expect(importSigningKey(fixed, { algorithm: 'RS256' })).rejects.toBeInstanceOf(TypeError);
  });

  it('refuses CryptoKeys that are public, for encryption, of a hash no algorithm uses, or paired with a foreign public key', async () => {
    const es = await generateKeyPair('ES256', { extractable: true });
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ecdh = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair;
    const x25519 = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
    const sha1 = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    for (const [name, input] of [
      ['a public key', es.publicKey],
      ['ECDH', ecdh.privateKey],
      ['X25519', x25519.privateKey],
      ['RSASSA with SHA-1', sha1],
      ['a pair with an RSA public key', { privateKey: es.privateKey, publicKey: rsa.publicKey }],
      ['a pair of two private keys', { privateKey: es.privateKey, publicKey: es.privateKey }],
      ['a pair with another P-256 public key', { privateKey: es.privateKey, publicKey: (await generateKeyPair('ES256')).publicKey }],
    ] as const) {
      await expect(importSigningKey(input as never), name).rejects.toBeInstanceOf(TypeError);
    }
  });

  it('refuses an unknown algorithm, an HMAC one, and anything that is not a key', async () => {
    const es = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    for (const algorithm of ['XS256', 'HS256', 'none']) await expect(importSigningKey(es, { algorithm: algorithm as never })).rejects.toBeInstanceOf(TypeError);
    for (const input of [42, null, {}, { kty: 1 }, []]) await expect(importSigningKey(input as never)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('HMAC secrets an issuer takes', () => {
  const bytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const list = (entry: object) => createKeySet([entry as never]).list();

  it('needs a secret at least as long as the hash: 32 bytes for HS256, 48 for HS384, 64 for HS512', async () => {
    await expect(list({ secret: bytes(32) })).resolves.toMatchObject([{ algorithm: 'HS256' }]);
    await expect(list({ secret: 'x'.repeat(32) })).resolves.toMatchObject([{ algorithm: 'HS256' }]);
    await expect(list({ secret: bytes(48), algorithm: 'HS384' })).resolves.toMatchObject([{ algorithm: 'HS384' }]);
    await expect(list({ secret: bytes(64), algorithm: 'HS512' })).resolves.toMatchObject([{ algorithm: 'HS512' }]);
    await expect(list({ secret: bytes(64) })).resolves.toMatchObject([{ algorithm: 'HS256' }]);
    for (const entry of [{ secret: bytes(31) }, { secret: 'x'.repeat(31) }, { secret: 'é'.repeat(15) }, { secret: bytes(47), algorithm: 'HS384' }, { secret: bytes(63), algorithm: 'HS512' }, { secret: bytes(32), algorithm: 'HS384' }]) {
      expect(() => createKeySet([entry as never]), JSON.stringify({ ...entry, secret: entry.secret.length })).toThrow(TypeError);
    }
  });

  it('refuses asymmetric algorithms, none and unknown ones for a secret', () => {
    for (const algorithm of ['RS256', 'ES256', 'EdDSA', 'none', 'HS1024', 'toString']) {
      expect(() => createKeySet([{ secret: bytes(64), algorithm } as never]), algorithm).toThrow(TypeError);
    }
  });

  it('takes a secret\'s kid from the entry, else from the wrapped secret, else its thumbprint', async () => {
    const secret = bytes(32);
    await expect(list({ secret, kid: 'entry' })).resolves.toMatchObject([{ kid: 'entry' }]);
    await expect(list({ secret: { key: secret, kid: 'wrapped' } })).resolves.toMatchObject([{ kid: 'wrapped' }]);
    await expect(list({ secret: { key: secret, kid: 'wrapped' }, kid: 'entry' })).resolves.toMatchObject([{ kid: 'entry' }]);
    const [{ kid }] = (await list({ secret })) as unknown as [{ kid: string }];
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(list({ secret: new Uint8Array(secret) })).resolves.toMatchObject([{ kid }]);
  });

  it('refuses secrets that are not text or bytes, and public keys handed over as secrets', async () => {
    const publicPem = rsaPair().publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const jwk = JSON.stringify(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey));
    for (const secret of [42, [1, 2, 3], { key: 42 }, { key: bytes(32), kid: '' }, publicPem, jwk, JSON.stringify({ keys: [] })]) {
      expect(() => createKeySet([{ secret } as never]), typeof secret).toThrow(TypeError);
    }
  });
});
