// Tokens signed here verify in jsonwebtoken and fast-jwt, and tokens they sign verify here.

import { createPublicKey } from 'node:crypto';
import { randomSecret } from '@jwt-gate/testing';
import { createSigner, createVerifier as createFastVerifier, type Algorithm as FastAlgorithm } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createIssuer, createVerifier, exportPrivateKey, exportPublicKey, generateSigningKey, type Algorithm, type AsymmetricAlgorithm } from '../src/index.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const ALGORITHMS: Algorithm[] = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SECRET_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

interface Keys {
  /** What the other libraries sign with: a secret or a PKCS#8 PEM. */
  signing: string;
  /** What the other libraries verify with: the secret or an SPKI PEM. */
  verifying: string;
  kid: string;
  ours: { secret: string } | { privateKey: string };
  verifierKey: { secret: string } | { publicKey: string };
}

async function keysFor(algorithm: Algorithm): Promise<Keys> {
  if (algorithm.startsWith('HS')) {
    const secret = randomSecret(SECRET_BYTES[algorithm]);
    return { signing: secret, verifying: secret, kid: 'hs-1', ours: { secret }, verifierKey: { secret } };
  }
  const key = await generateSigningKey(algorithm as AsymmetricAlgorithm);
  const privatePem = await exportPrivateKey(key, 'pem');
  const publicPem = await exportPublicKey(key, 'pem');
  return { signing: privatePem, verifying: publicPem, kid: key.kid, ours: { privateKey: privatePem }, verifierKey: { publicKey: publicPem } };
}

describe.each(ALGORITHMS)('%s', (algorithm) => {
  const jsonwebtokenSupports = algorithm !== 'EdDSA';

  it('tokens signed by createIssuer verify in jsonwebtoken and fast-jwt', async () => {
    const keys = await keysFor(algorithm);
    const signer = createIssuer({ issuer, audience, ...keys.ours, algorithm });
    const token = await signer.sign({ sub: 'alice', scope: 'orders:read' });

    const fast = createFastVerifier({ key: keys.verifying, algorithms: [algorithm as FastAlgorithm], allowedAud: audience, allowedIss: issuer, checkTyp: 'at+jwt' });
    expect(fast(token)).toMatchObject({ sub: 'alice', scope: 'orders:read', iss: issuer, aud: audience });

    if (jsonwebtokenSupports) {
      const verified = jsonwebtoken.verify(token, keys.verifying, { algorithms: [algorithm as jsonwebtoken.Algorithm], audience, issuer, complete: true });
      expect(verified.payload).toMatchObject({ sub: 'alice', scope: 'orders:read' });
      expect(verified.header).toMatchObject({ alg: algorithm, typ: 'at+jwt' });
    }

    // And the other way round fails as it should: a tampered token is refused there too.
    const tampered = `${token.slice(0, token.lastIndexOf('.') + 1)}${token.slice(token.lastIndexOf('.') + 1).split('').reverse().join('')}`;
    expect(() => fast(tampered)).toThrow();
  });

  it('tokens signed by fast-jwt verify in createVerifier', async () => {
    const keys = await keysFor(algorithm);
    const sign = createSigner({ key: keys.signing, algorithm: algorithm as FastAlgorithm, aud: audience, iss: issuer, expiresIn: 60_000, kid: keys.kid });
    const token = sign({ sub: 'alice', scope: 'orders:read' });
    const verifier = createVerifier({ issuer, audience, ...keys.verifierKey, algorithms: [algorithm] });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'alice', scope: 'orders:read' }, header: { alg: algorithm } });
    const wrongAudience = createSigner({ key: keys.signing, algorithm: algorithm as FastAlgorithm, aud: 'other-api', iss: issuer, expiresIn: 60_000 })({ sub: 'alice' });
    await expect(verifier.verify(wrongAudience)).rejects.toMatchObject({ code: 'ERR_AUDIENCE_INVALID' });
  });

  it.runIf(jsonwebtokenSupports)('tokens signed by jsonwebtoken verify in createVerifier', async () => {
    const keys = await keysFor(algorithm);
    const token = jsonwebtoken.sign({ sub: 'alice', scope: 'orders:read' }, keys.signing, {
      algorithm: algorithm as jsonwebtoken.Algorithm,
      audience,
      issuer,
      expiresIn: 60,
      keyid: keys.kid,
    });
    const verifier = createVerifier({ issuer, audience, ...keys.verifierKey, algorithms: [algorithm] });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'alice', scope: 'orders:read' }, header: { alg: algorithm, kid: keys.kid } });
    const expired = jsonwebtoken.sign({ sub: 'alice' }, keys.signing, { algorithm: algorithm as jsonwebtoken.Algorithm, audience, issuer, expiresIn: -60 });
    await expect(verifier.verify(expired)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });
});

describe('a JWKS published by createIssuer', () => {
  it('is read by node:crypto, and tokens verify in fast-jwt with the key from it', async () => {
    const key = await generateSigningKey('ES384');
    const signer = createIssuer({ issuer, audience, privateKey: key });
    const [jwk] = (await signer.jwks()).keys;
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' }) as string;
    const fast = createFastVerifier({ key: pem, algorithms: ['ES384'], allowedAud: audience });
    expect(fast(await signer.sign({ sub: 'alice' }))).toMatchObject({ sub: 'alice' });
  });
});
