import { generateKeyPairSync } from 'node:crypto';
import { randomSecret } from '@jwt-gate/testing';
import { decodeProtectedHeader, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { createIssuer } from './issuer.js';
import { createKeySet } from '../keys/key-set.js';
import { exportPrivateKey, exportPublicKey, generateSigningKey, type AsymmetricAlgorithm } from '../keys/signing-key.js';
import type { Algorithm } from '../jose/algorithms.js';
import { createVerifier } from '../verification/verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const NOW = 1_800_000_000_000;
const clock = () => NOW;
const ASYMMETRIC: AsymmetricAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SECRET_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const;

describe('createIssuer: sign and verify round-trips', () => {
  it.each(ASYMMETRIC)('%s: verifies through the published JWKS and through the exported PEM', async (algorithm) => {
    const key = await generateSigningKey(algorithm);
    const signer = createIssuer({ issuer, audience, privateKey: key, clock });
    const token = await signer.sign({ sub: 'alice', scope: 'orders:read' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: algorithm, typ: 'at+jwt', kid: key.kid });

    const viaJwks = createVerifier({ issuer, audience, jwks: await signer.jwks(), tokenType: 'at+jwt', clock });
    const verified = await viaJwks.verify(token);
    expect(verified.claims).toMatchObject({ iss: issuer, sub: 'alice', aud: audience, scope: 'orders:read' });

    const viaPem = createVerifier({ issuer, audience, publicKey: await exportPublicKey(key, 'pem'), algorithms: [algorithm], clock });
    await expect(viaPem.verify(token)).resolves.toMatchObject({ issuer });

    // The published key names its one algorithm, so a verifier cannot be set up to take another.
    const other: Algorithm = algorithm === 'RS256' ? 'RS384' : algorithm === 'EdDSA' ? 'Ed25519' : 'RS256';
    const jwks = await signer.jwks();
    expect(() => createVerifier({ issuer, audience, jwks, algorithms: [other as AsymmetricAlgorithm], clock })).toThrow(TypeError);
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)('%s: verifies with the same secret and publishes no key', async (algorithm) => {
    const secret = randomSecret(SECRET_BYTES[algorithm]);
    const signer = createIssuer({ issuer, audience, secret, algorithm, clock });
    const token = await signer.sign({ sub: 'svc-billing' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: algorithm, typ: 'at+jwt' });
    const verifier = createVerifier({ issuer, audience, secret, algorithms: [algorithm], clock });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'svc-billing' } });
    await expect(createVerifier({ issuer, audience, secret: randomSecret(64), algorithms: [algorithm], clock }).verify(token)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(await signer.jwks()).toEqual({ keys: [] });
  });

  it('signs Ed25519 (the fully-specified EdDSA name) when asked', async () => {
    const key = await generateSigningKey('EdDSA');
    const signer = createIssuer({ issuer, audience, privateKey: await exportPrivateKey(key, 'pem'), algorithm: 'Ed25519', clock });
    const token = await signer.sign({ sub: 'alice' });
    expect(decodeProtectedHeader(token).alg).toBe('Ed25519');
    await expect(createVerifier({ issuer, audience, jwks: await signer.jwks(), clock }).verify(token)).resolves.toMatchObject({ issuer });
  });
});

describe('createIssuer: claims and headers', () => {
  it('sets iss, aud, sub, iat, exp from the TTL, a random jti and the thumbprint kid', async () => {
    const key = await generateSigningKey('ES256');
    const signer = createIssuer({ issuer, audience, privateKey: key.privateKey, clock });
    const [a, b] = [await signer.sign({ sub: 'alice', roles: ['admin'] }), await signer.sign({ sub: 'alice' })];
    const claims = decodeJwt(a);
    expect(claims).toEqual({ iss: issuer, sub: 'alice', aud: audience, iat: NOW / 1000, exp: NOW / 1000 + 900, jti: claims.jti, roles: ['admin'] });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(decodeJwt(b).jti).not.toBe(claims.jti);
    expect(decodeProtectedHeader(a).kid).toBe(key.kid);
  });

  it('takes per-token audience, lifetime and type, and issuer-wide defaults', async () => {
    const signer = createIssuer({ issuer, audience: ['orders-api', 'billing-api'], secret: randomSecret(32), expiresIn: 60, tokenType: 'JWT', kid: 'hs-1', clock });
    const token = await signer.sign({ sub: 'alice' });
    expect(decodeJwt(token)).toMatchObject({ aud: ['orders-api', 'billing-api'], exp: NOW / 1000 + 60 });
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'JWT', kid: 'hs-1' });
    const custom = await signer.sign({}, { audience: 'reports', expiresIn: 30, tokenType: 'logout+jwt' });
    expect(decodeJwt(custom)).toMatchObject({ aud: 'reports', exp: NOW / 1000 + 30 });
    expect(decodeProtectedHeader(custom).typ).toBe('logout+jwt');
    expect(signer.audience).toEqual(['orders-api', 'billing-api']);
    expect(signer.issuer).toBe(issuer);
  });

  it('refuses claims that would override what the issuer sets, and access tokens without sub', async () => {
    const signer = createIssuer({ issuer, audience, secret: randomSecret(32), clock });
    for (const name of ['iss', 'aud', 'iat', 'exp', 'nbf', 'jti']) {
      await expect(signer.sign({ sub: 'alice', [name]: name === 'exp' ? 1e12 : 'x' })).rejects.toBeInstanceOf(TypeError);
    }
    await expect(signer.sign({ scope: 'admin' })).rejects.toBeInstanceOf(TypeError);
    await expect(signer.sign({ sub: 42 } as never)).rejects.toBeInstanceOf(TypeError);
    await expect(signer.sign({ sub: 'alice' }, { expiresIn: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(signer.sign({ sub: 'alice' }, { audience: [] })).rejects.toBeInstanceOf(TypeError);
    await expect(signer.sign({ sub: 'alice' }, { tokenType: 'a b' })).rejects.toBeInstanceOf(TypeError);
    await expect(signer.sign(null as never)).rejects.toBeInstanceOf(TypeError);
    await expect(signer.sign([] as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('never lets a parsed __proto__ member reach the token', async () => {
    const signer = createIssuer({ issuer, audience, secret: randomSecret(32), clock });
    const claims = JSON.parse('{"sub":"alice","__proto__":{"admin":true}}') as Record<string, unknown>;
    const token = await signer.sign(claims);
    expect(Object.hasOwn(decodeJwt(token), '__proto__')).toBe(false);
  });
});

describe('createIssuer: configuration checks at creation', () => {
  it('refuses weak keys, unsupported algorithms and misplaced options with TypeError or RangeError', async () => {
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const es = await generateSigningKey('ES256');
    expect(() => createIssuer({ issuer, audience, secret: 'short-secret' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, secret: randomSecret(32), algorithm: 'HS512' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, secret: randomSecret(32), algorithm: 'RS256' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, secret: es.publicJwk as never })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: weakRsa })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, algorithm: 'none' as Algorithm })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, algorithm: 'RS256' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, algorithm: 'HS256' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, secret: randomSecret(32) })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, keys: createKeySet([es]), kid: 'x' })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, keys: { jwks: () => ({}) } as never })).toThrow(TypeError);
    expect(() => createIssuer({ issuer: '', audience, privateKey: es })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience: [], privateKey: es })).toThrow(TypeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, expiresIn: 0 })).toThrow(RangeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, expiresIn: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => createIssuer({ issuer, audience, privateKey: es, tokenType: '' })).toThrow(TypeError);
    expect(() => createIssuer(null as never)).toThrow(TypeError);
  });

  it('refuses, through ready() and sign(), a private key that does not match its public key', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    const mixedUp = createIssuer({ issuer, audience, privateKey: { privateKey: a.privateKey, publicKey: b.publicKey } });
    await expect(mixedUp.ready()).rejects.toBeInstanceOf(TypeError);
    await expect(mixedUp.sign({ sub: 'alice' })).rejects.toBeInstanceOf(TypeError);
    const [ja, jb] = [await exportJWK(a.privateKey), await exportJWK(b.privateKey)];
    const foreign = createIssuer({ issuer, audience, privateKey: { kty: 'EC', crv: 'P-256', x: ja.x as string, y: ja.y as string, d: jb.d as string } });
    await expect(foreign.ready()).rejects.toBeInstanceOf(TypeError);
  });

  it('accepts a non-extractable CryptoKeyPair', async () => {
    const pair = await generateKeyPair('ES384', { extractable: false });
    const signer = createIssuer({ issuer, audience, privateKey: pair, clock });
    await signer.ready();
    const token = await signer.sign({ sub: 'alice' });
    await expect(createVerifier({ issuer, audience, jwks: await signer.jwks(), clock }).verify(token)).resolves.toMatchObject({ header: { alg: 'ES384' } });
  });
});
