import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { createVerifier } from './verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

describe('createVerifier', () => {
  it('verifies an HS256 token with issuer, audience and expiry checks', async () => {
    const key = await createTestKey('HS256');
    const verifier = createVerifier({ issuer, audience, secret: key.secret as string });
    const token = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
    const result = await verifier.verify(token);
    expect(result.claims.sub).toBe('alice');
    expect(result.issuer).toBe(issuer);
    expect(result.header.alg).toBe('HS256');

    await expect(verifier.verify(await signToken(key, { iss: 'https://evil.example', aud: audience }))).rejects.toMatchObject({ code: 'ERR_ISSUER_INVALID', status: 401 });
    await expect(verifier.verify(await signToken(key, { iss: issuer, aud: 'other' }))).rejects.toMatchObject({ code: 'ERR_AUDIENCE_INVALID' });
    await expect(verifier.verify(await signToken(key, { iss: issuer, aud: audience }, { expiresIn: -60 }))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
  });

  it('verifies ES256 through PEM, JWK and a remote JWKS', async () => {
    const key = await createTestKey('ES256');
    const token = await signToken(key, { iss: issuer, aud: audience });
    await expect(createVerifier({ issuer, audience, publicKey: key.publicPem as string }).verify(token)).resolves.toMatchObject({ issuer });
    await expect(createVerifier({ issuer, audience, publicKey: key.publicJwk! }).verify(token)).resolves.toMatchObject({ issuer });
    const server = await startJwksServer({ keys: [key.publicJwk!] });
    try {
      const verifier = createVerifier({ issuer, audience, jwksUri: server.jwksUri });
      await expect(verifier.verify(token)).resolves.toMatchObject({ issuer });
      await expect(verifier.verify(token)).resolves.toMatchObject({ issuer });
      expect(server.hits.get('/jwks.json')).toBe(1);
    } finally {
      await server.close();
    }
  });
});
