import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, importPKCS8, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { KeyManagementAlgorithm } from '../index.js';
import { createIssuer } from '../issuing/issuer.js';
import { createVerifier } from '../verification/verifier.js';
import { createKeySet } from './key-set.js';
import { describePrivateKey } from './private-key.js';
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

// Fixed keys, so that no test below pays for generating RSA keys.
const RSA_2048 = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCuDRg1LtFHqmCq
n6/hl48A9vgbYtEt7j6EJM+qNJns+bMzraShk3hkEY/CakN3CgELubBLxkTbyIHo
PG1G/HjyIv/0hlVz3TUZG87ieSKWY4We41VgC5r7aZT6D0L2iO8eOoYloSwXnb39
A+9DYOzBi+en+qmeU0yE3lpF/4BdF3JAUHX+nWY28mENWdKn37//DnEXSBAvJu75
iZbrKUHTg68HSsfIsOsc5B1TCtcYcf9YcVbD7UEDpiLOHVSoux/3Vofc6j60/hSG
d0LO33mFv4GD8KJWOS2F1UXDlnTYFevPI3JS/gKwwRjssOZbmGdtpsaM7RUBIRfI
SXTswAvXAgMBAAECggEAFB2ATuPbx7APCaPN9Gu12R3chnG7t4FhfpfbMOfGYwcS
vmYS8PeLAj8DVyvnzdH9VUkUcRV3hNJzV7nlbpRO4rvHyroHFePFYg2phy61IB4I
EIO5LLylSz7PEGgDdwb+t7F6Knl/j9/TrXJZzHbfC0QA4GmNq+DNpvd5sGhQggbl
pVK7BomhtkFHfy83YOWhIbEoEMXk560B0Tzta3FB16l8QFIXNNpRczeK/lvuQ1RI
gY52jAfKF/2cYE32xonjy2bUVqxspYHXtqk7lt7171ehgLoErKnm3q3zfUT6Q3Bg
jgUBwGnxFkxdkkUW/MckC/UG29AqYJCLTUbcYtHO9QKBgQDeRQJjdMz9jQ4yKAeD
SQnMnhkn+kJ4kjAFuWh7rR1QcZd2CigSYHrRtUUcMwl5wOBFNt/8w5YGfxk+dhCp
K1EO8oIxS9od5BuXDgsAHf1FhMdBYOEbzzRX/FuR+gg7Rw9zLHQBJLO331sDsyR5
sIYU0ADpy8ginlaDiBuJX5ky8wKBgQDIdtbXBqVP67/KOfViB4P4UzhoVEdzC7iy
0Hz+xWIu1P3xIJFpOF4suyUBTB2fRnt0Ei3Qu24OQQediDUUYqPNDOAE1a7k7pD7
VR2svk5IReO2KC41CBnG9KFWWQ/giXAx7PZfIoEy6INodMU3FZF1VG5R2emg7BvD
b0Xd7gwUjQKBgA5ln+r7RM/jlBjRmPL7ByR21SBOyIFwzqWARfFE3FI6mVnu/Ht8
PlhZCnnyIFn/kUdKb6W6sXwIPYVbNmcOxDhYovA4fo9TGCpnoXTHfIFFQXbNpKcd
e8F7Oh8xd9kHGEwYhAcS7oUpdYa+0s0DDxxIANcj+PmtEeOBLG9wfsbbAoGAHn49
Re4j3VleDjPsyKGeCHsYPH59c9mXmdOu/84klj0d97zdgaTqZmF9Soo6g0zkYI6X
W4X3QsHPl73tXRF4GyvXM8URWo+TjDexUOKN496FueK4zKZTzXjOxeS8Top5f46t
F2GXR5gozQ3eJffo7XEPavH74NepjXvyo8SfH80CgYEAtdAigF1txjYbbsA3J9wD
+OLdRTougLlZSy9ZOT9j5YXJE+U7NAh9wxkncPm6U9QjRJBqrOKfHnWg3QVc/Em2
3bVwsPB52d8VqaL6re80KHQXyg9bZlvN4go3ZkzGI5zuQdiLADSj3885c3QBJoMI
I08SjmEintWvivBJoxiNkAI=
-----END PRIVATE KEY-----`;

const RSA_1024 = `-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBALS9gvl6zDx+3vEM
o7V5Uk9vStr4MK1i4I/zfr4JsvldRTAiwXwucJH8bEXNXGxAo0VMOx6qPTGox/1v
WzG63M62n7eYa0gpqcVDhEURuPTlF43lXSjjqHCEjXNWcL8RzUF2pj9r1M9LNMFV
kL2jd/59978m6tBQYSEY0kCPMXE/AgMBAAECgYBw+6bMXb8echDbjpMn9ldF4MRi
bZPAT3chhY1NLrL6vxtpI9Df2Af2ulzUpbOI2D84KpcqbDEkweWCwAG57J3qbbrn
GUf9wk10pwDarcBNNXBqjk9N9Uv6LhpoGo4xdLN7gakPXU2ldCEUyhbKUFJenW8j
S0jY9JAcTmSR/M3JAQJBANnfvtth2bZ8wD2FZ0PDh9Kf8XmMfWjPVaw6OJYV27Km
zkFdPoFPUldpKpamvV3tvYOJbPrCCozt7/SBPvhQRi8CQQDUXkKypQHOibVC2WnJ
MOVc3hdOG/p8Ve8KYvzVHJNE7Kj3KzP3YzpBFt5P3QatCmKsQp/9/g3qYr1fswjh
HdHxAkEAigR/NyJpdHzamx5jKD45UGgZ5FHnL/oH366SIiF+p1Gb3zReYDQLiWwJ
mp3N4C62mxj3fHJnlJc2JsGpTkwr6QJAYY5zoVE/xTtpcy4g9HVrx/+WQSGFLfzj
9KeIcfXQiUcWT4UfODPzHNd+hL2KRY+RyIRKrwk4J0X4rK+4EoH6YQJAYYI24BIT
dgfiLgXH6zwxl6q4QKQu+dMI9I8YOHRCakgVblGHVlctH60NeoKCvfn1KExTF9XV
WgvvSjyoc8vxdQ==
-----END PRIVATE KEY-----`;

// An RSA-PSS-only key (id-RSASSA-PSS), 2048 bits.
const RSA_PSS_ONLY = `-----BEGIN PRIVATE KEY-----
MIIEuwIBADALBgkqhkiG9w0BAQoEggSnMIIEowIBAAKCAQEAiSiJqJhtPVc8wwoW
AMTtW6facKH9DpfVXoEFfSGcGYltT+OYsQ4k5UKgcLB7hNfNX8xCxRLp/3pBmIIL
WorA18M/up7YDkzKc7MgR00jnNLD62rIzDHuT4sDnsKLNz3lcia22VEa3wAklhA0
IxKcRdnQsBjzzkMRWy1KyKQRAWq4O+U8pa7iTWx1uWA+QH838DapoPlRASK6ncfd
gokiXKrawQB5PE1bVWGEOf0DwprC+503lTRDJR4hWQ30P2q8KsulRlBbGRPwpWMV
ms0Gx/RcZsnaQBaqbq4aafhgwAB2lkPwfXJXiTVRI6sYkLQfMYt8WhonWxwcLb4d
7jLsAQIDAQABAoIBAAGzlAmYYnqJU4Kj5GP8DWm+qlINYGNG9OmoNhY4TYRvlQCR
tTo1D7YcXnsnZVDfkHeoxAdH1clKjffDXTqxT/UdQfQhtlJvF2/aAAOCbHeskaug
9n65+9fWxKO6jBmSVf9VhZ0qiWfMy6dk6hCpUXD4Y8Nbe+LKKDP2WuAkUOWwlZO+
Rn0aT9JDejkX8854ZiCO0bt5MD1fjkyzwzFKoyTLL3k74P/7MOIZohUTg4Ul204u
3htiNcmqjB9rlTzoxGYr8NxII7jcij9RQlNV2LtDjmsBJ+QcEPUBkjHAqPjtKmhR
Z0Ig68uceDTAkSZdJfQR2+zU58cCWe4WveMOUbUCgYEAwVXJhWYVnkV5A6gwEmAK
2pl2wL26NmJ+2ZJ4olv0y7Azw9puHAb+rFYVQc9DeYURcxBXk4HAEjUy02iHpLeF
cfXtFDMbiKX3fpL3oAB02nLWk+BDD0CoWnJRBKhZcXJ9mom2pK/usJVEpgRmlSMq
wKnUJ/08GTKWJfS73cBoom8CgYEAtZ1qra7QtYXPZUrBrcpZGLU7QKXehnKe8abX
m82FZuly6WzqdS7zGGQ2eZzrGpA7ZLBVm89W2mIdwJE1La7wh1AoPT75n3Ax0sk1
GNcQCzwmYqRCfwcAZbCgF4sxII4EzRjkVldgaMDYeuAMLh3G/IhnqmxZnNPHegUo
C1ea0I8CgYBz2NnGK2Ns0SgwPsl/WTlnv2lfGNDJ4b8s1A2hDATlQJHkG7C67p4P
2g0mv/Eokcng7rvrUWYsAuCPuST+WFGH9dq3reAjw39HwvzKTTu34fQd69WDADVg
7PsLFW1zAy2sOjTM/fbCrM7Tw/NMDiSCCcFsrNskJiG+YKVpvO911QKBgQCHu4KD
E+gAAmWiOmDN1jEIekoyYsUQjpGj4SG627sb0tWDB1ejBNfCHwNnmJNNYwZAllkk
/azXwgSiauPnpJs3Rf0M6Qf+1QcnliEM0462FtpJVqIr9buiRIMhlXG99uY3sqbU
sLDpGVexXck8nhydmASCJkBDKTQoSbpH381gmQKBgBA12/Ukw0H3wrxAGqwV/+fQ
+STbNmq3G+nEjgOEjJTO5oTk2IInmeFAw5xZFJVfMqcrkiXsjUQIJRnjZisvnJZg
uY0EGnQxS1zGCqEemDjh0rGr3TPdXlVlO5ftPeiL9zOusV50sLlSf68RuRFEoYbJ
CRIANP51J0Iuvjxw/Nx4
-----END PRIVATE KEY-----`;

const P256 = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkQpMLP9aJijcICHX
ulNrw0IL0DYs7D2ODIc4BM3kLjyhRANCAATesSEa6Bfdrk7MYae30SnQ8qJ7cRD0
KjJL3wKfeEWCn52Pa1Qwa4nDc+ccbPsUMhQcflotpLZ9q/aKiWiexqiv
-----END PRIVATE KEY-----`;

const ED25519 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDLSgRKjYQmOp60q4tEIiafHG3M6sxDEWO+NsDs2U7KO
-----END PRIVATE KEY-----`;

const X25519 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEICBRSUPhvv02oM++tQ0jE+TEKddKuLedpK8GEqq8Lx9Y
-----END PRIVATE KEY-----`;

const ED448 = `-----BEGIN PRIVATE KEY-----
MEcCAQAwBQYDK2VxBDsEOS+A9vTeY+PUHWWj51GI0uj7e/gGHxkTUIbjv8vLuLR2
VAVxcZIiRb1n9B8DtjJuFhxT9gK2PERzBA==
-----END PRIVATE KEY-----`;

const jwkOf = async (pem: string, alg: string): Promise<JWK> => exportJWK(await importPKCS8(pem, alg, { extractable: true }));
const P256_JWK = await jwkOf(P256, 'ES256');
const ED25519_JWK = await jwkOf(ED25519, 'EdDSA');
const X25519_JWK = await jwkOf(X25519, 'ECDH-ES');
const { d: _p256d, ...P256_PUBLIC_JWK } = P256_JWK;
const { d: _x25519d, ...X25519_PUBLIC_JWK } = X25519_JWK;
const { n, e } = await jwkOf(RSA_2048, 'RS256');
const RSA_PUBLIC_JWK = { kty: 'RSA', n, e } as JWK;

const keySetOf = (privateKey: unknown) => () => createKeySet([{ privateKey } as never]);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('private keys refused as soon as the key set is created', () => {
  it('refuses an RSA-PSS-only key and an RSA key under 2048 bits, and takes a 2048-bit RSA key', () => {
    expect(keySetOf(RSA_PSS_ONLY), 'RSA-PSS only').toThrow(TypeError);
    expect(keySetOf(RSA_1024), 'RSA 1024').toThrow(TypeError);
    expect(keySetOf(RSA_2048)).not.toThrow();
  });

  it('refuses EC JWKs of a curve that is not P-256, P-384 or P-521, or whose crv is no string', () => {
    for (const crv of ['secp256k1', 'toString', 'hasOwnProperty', ['P-256'], undefined]) {
      expect(keySetOf({ ...P256_JWK, crv }), String(crv)).toThrow(TypeError);
    }
    expect(keySetOf(P256_JWK)).not.toThrow();
  });

  it('refuses a private key PEM beside an encrypted, PKCS#1, SEC1, public or certificate block', () => {
    const block = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
    for (const label of ['ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PUBLIC KEY', 'CERTIFICATE']) {
      expect(keySetOf(`${block(label)}${P256}`), label).toThrow(TypeError);
      expect(keySetOf(`${P256}\n${block(label)}`), label).toThrow(TypeError);
    }
    expect(keySetOf(`\n  ${P256}\n\n`)).not.toThrow();
  });

  it('refuses public JWKs, OKP JWKs of another spelling or curve, and objects that only carry JWK members', () => {
    const inputs: [string, unknown][] = [
      ['a public EC JWK', P256_PUBLIC_JWK],
      ['d that is no string', { ...P256_JWK, d: 7 }],
      ['kty okp', { ...ED25519_JWK, kty: 'okp' }],
      ['kty RSA with an OKP curve', { ...ED25519_JWK, kty: 'RSA' }],
      ['kty oct with an OKP curve', { ...ED25519_JWK, kty: 'oct' }],
      ['crv ED25519', { ...ED25519_JWK, crv: 'ED25519' }],
      ['crv Ed448', { ...ED25519_JWK, crv: 'Ed448' }],
      ['a function', Object.assign(() => undefined, P256_JWK)],
    ];
    for (const [name, input] of inputs) expect(keySetOf(input), name).toThrow(TypeError);
    expect(keySetOf(ED25519_JWK)).not.toThrow();
  });

  it('refuses public CryptoKeys and KeyObjects, mismatched pairs, and a non-extractable CryptoKey without its public key', async () => {
    const es = { name: 'ECDSA', namedCurve: 'P-256' };
    const extractable = await crypto.subtle.importKey('jwk', P256_JWK, es, true, ['sign']);
    const fixed = await crypto.subtle.importKey('jwk', P256_JWK, es, false, ['sign']);
    const publicKey = await crypto.subtle.importKey('jwk', P256_PUBLIC_JWK, es, true, ['verify']);
    const rsaPublic = await crypto.subtle.importKey('jwk', RSA_PUBLIC_JWK, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']);
    const inputs: [string, unknown][] = [
      ['a public CryptoKey', publicKey],
      ['a pair with an RSA public key', { privateKey: extractable, publicKey: rsaPublic }],
      ['a pair of two private keys', { privateKey: extractable, publicKey: extractable }],
      ['a non-extractable private key alone', fixed],
      ['a public KeyObject', createPublicKey(P256)],
    ];
    for (const [name, input] of inputs) expect(keySetOf(input), name).toThrow(TypeError);
    expect(keySetOf({ privateKey: fixed, publicKey })).not.toThrow();
    expect(keySetOf(extractable)).not.toThrow();
  });
});

describe('describePrivateKey', () => {
  it('refuses keys of a type no algorithm here uses, and a JWK alg that is no string', async () => {
    const inputs: [string, unknown][] = [
      ['an Ed448 PEM', ED448],
      ['an Ed448 JWK', { ...ED25519_JWK, crv: 'Ed448' }],
      ['a JWK of no known kty', { ...P256_JWK, kty: 'XYZ' }],
      ['a JWK with alg 256', { ...P256_JWK, alg: 256 }],
    ];
    // X448 CryptoKeys exist on Node and Deno only.
    const x448 = await crypto.subtle.generateKey({ name: 'X448' }, true, ['deriveBits']).catch(() => undefined);
    if (x448 !== undefined) inputs.push(['an X448 CryptoKey', (x448 as CryptoKeyPair).privateKey]);
    for (const [name, input] of inputs) expect(() => describePrivateKey(input, 'key'), name).toThrow(TypeError);
  });
});

describe('private keys taken, and what they sign with or publish', () => {
  it('exports a key imported from a PEM or a KeyObject again, and publishes its public members only', async () => {
    for (const input of [P256, createPrivateKey(P256)]) {
      const key = await importSigningKey(input as never);
      expect(key.algorithm).toBe('ES256');
      await expect(exportPrivateKey(key, 'jwk')).resolves.toMatchObject({ d: P256_JWK.d });
      expect(Object.keys(key.publicJwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
    const rsa = await importSigningKey(RSA_2048);
    expect(rsa.algorithm).toBe('RS256');
    expect(Object.keys(rsa.publicJwk).filter((name) => PRIVATE_MEMBERS.includes(name))).toEqual([]);
  });

  it('takes a KeyObject that gives no asymmetricKeyDetails, as older runtimes do', async () => {
    const key = { type: 'private', asymmetricKeyType: 'ed25519', export: () => ({ ...ED25519_JWK }) };
    const imported = await importSigningKey(key as never);
    expect(imported.algorithm).toBe('EdDSA');
    expect(imported.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: ED25519_JWK.x });
  });

  it('takes only the members a JWK holds itself: one that inherits them is refused', async () => {
    await expect(importSigningKey(Object.create(P256_JWK) as JWK)).rejects.toBeInstanceOf(TypeError);
    await expect(importSigningKey({ ...P256_JWK })).resolves.toMatchObject({ algorithm: 'ES256' });
  });
});

describe('private keys a verifier decrypts with', () => {
  const issuer = 'https://auth.example.com';
  const audience = 'orders-api';

  it('decrypts with an X25519 key given as a PEM or a JWK', async () => {
    const signer = createIssuer({ issuer, audience, privateKey: ED25519, encryption: { key: X25519_PUBLIC_JWK } });
    const token = await signer.sign({ sub: 'alice' });
    for (const keys of [X25519, X25519_JWK]) {
      const verifier = createVerifier({ issuer, audience, jwks: await signer.jwks(), decryption: { keys } });
      await expect(verifier.verify(token), typeof keys).resolves.toMatchObject({ claims: { sub: 'alice' } });
    }
  });

  it('serves a non-extractable RSA key only for the RSA-OAEP hash it is bound to, and refuses it for another with a TypeError', async () => {
    const privateKey = (await importPKCS8(RSA_2048, 'RSA-OAEP-256', { extractable: false })) as CryptoKey;
    const publicKey = (await importJWK(RSA_PUBLIC_JWK, 'RSA-OAEP-256')) as CryptoKey;
    const signer = createIssuer({ issuer, audience, privateKey: ED25519, encryption: { key: publicKey, keyManagementAlgorithm: 'RSA-OAEP-256' } });
    const token = await signer.sign({ sub: 'alice' });
    const jwks = await signer.jwks();
    const verifier = (keyManagementAlgorithms: KeyManagementAlgorithm[]) => createVerifier({ issuer, audience, jwks, decryption: { keys: { privateKey, publicKey } as never, keyManagementAlgorithms } });
    const bound = verifier(['RSA-OAEP-256']);
    await bound.ready();
    await expect(bound.verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    // Refused when the verifier is created or, at the latest, when its keys are ready.
    await expect((async () => verifier(['RSA-OAEP-256', 'RSA-OAEP-512']).ready())()).rejects.toBeInstanceOf(TypeError);
  });
});
