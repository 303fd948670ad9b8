import { createTestKey, signToken, startJwksServer, type TestKey } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../index.js';

const audience = 'orders-api';

describe('issuer: null', async () => {
  const key = await createTestKey('HS256');
  const secret = key.secret as string;

  it('accepts tokens without iss, or with any, signed with the configured keys', async () => {
    const verifier = createVerifier({ issuer: null, audience, secret });
    const none = await verifier.verify(await signToken(key, { aud: audience, sub: 'alice' }));
    expect(none).toMatchObject({ issuer: '', claims: { sub: 'alice' } });
    await expect(verifier.verify(await signToken(key, { iss: 'https://anyone.example', aud: audience }))).resolves.toMatchObject({ issuer: 'https://anyone.example' });
    expect(verifier.issuers).toEqual([]);
    // Everything else still holds: audience, expiry, signature, iss of the wrong type.
    await expect(verifier.verify(await signToken(key, { aud: 'other' }))).rejects.toMatchObject({ code: 'ERR_AUDIENCE_INVALID' });
    await expect(verifier.verify(await signToken(key, { aud: audience }, { expiresIn: -60 }))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    await expect(verifier.verify(await signToken(await createTestKey('HS256'), { aud: audience }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify(await signToken(key, { aud: audience, iss: 42 as never }))).rejects.toMatchObject({ code: 'ERR_ISSUER_INVALID', reason: 'type' });
  });

  it('never applies to an issuers list, and needs keys that do not depend on the issuer', () => {
    expect(() => createVerifier({ audience, issuers: [{ issuer: null as never, secret }] })).toThrow(TypeError);
    expect(() => createVerifier({ issuer: null, audience, discovery: true })).toThrow(/discovery/);
  });

  it('answers an issuer list given as issuer with a pointer to issuers', () => {
    expect(() => createVerifier({ issuer: ['https://a/', 'https://b/'] as never, audience, secret })).toThrow(/issuers/);
  });
});

describe('resolveIssuer', () => {
  let keys: Awaited<ReturnType<typeof startJwksServer>>;
  let tenantKey: TestKey;
  beforeAll(async () => {
    tenantKey = await createTestKey('ES256');
    keys = await startJwksServer({ keys: [tenantKey.publicJwk!] });
  });
  afterAll(() => keys.close());

  it('looks an issuer up once, caches the answer, and fetches nothing for an unknown one', async () => {
    const asked: string[] = [];
    const tenant = 'https://tenant-a.example';
    const verifier = createVerifier({
      audience,
      resolveIssuer: async (iss, request) => {
        asked.push(`${iss} ${request?.header('x-tenant') ?? '-'}`);
        return iss === tenant ? { jwksUri: keys.jwksUri } : null;
      },
    });
    const token = await signToken(tenantKey, { iss: tenant, aud: audience });
    const request = { header: (name: string) => (name === 'x-tenant' ? 'a' : undefined) };
    await expect(verifier.verify(token, { request })).resolves.toMatchObject({ issuer: tenant });
    await expect(verifier.verify(await signToken(tenantKey, { iss: tenant, aud: audience, sub: 'x' }))).resolves.toMatchObject({ issuer: tenant });
    for (let i = 0; i < 3; i++) {
      await expect(verifier.verify(await signToken(tenantKey, { iss: 'https://stranger.example', aud: audience }))).rejects.toMatchObject({ code: 'ERR_ISSUER_INVALID', status: 401 });
    }
    expect(asked).toEqual([`${tenant} a`, 'https://stranger.example -']);
    expect(keys.hits.get('/jwks.json')).toBe(1);
  });

  it('asks once for concurrent tokens of one issuer', async () => {
    let calls = 0;
    const tenant = 'https://tenant-b.example';
    const verifier = createVerifier({ audience, resolveIssuer: async () => (calls++, { jwksUri: keys.jwksUri }) });
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => signToken(tenantKey, { iss: tenant, aud: audience, sub: `u${i}` })));
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(calls).toBe(1);
  });

  it('answers 503 when the resolver fails and 500 for settings that are no configuration, never an accept', async () => {
    const token = await signToken(tenantKey, { iss: 'https://tenant-c.example', aud: audience });
    const failing = createVerifier({ audience, resolveIssuer: () => Promise.reject(new Error('tenant database down')) });
    await expect(failing.verify(token)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    const throwing = createVerifier({ audience, resolveIssuer: () => { throw new Error('boom'); } });
    await expect(throwing.verify(token)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    const broken = createVerifier({ audience, resolveIssuer: () => ({ jwksUri: keys.jwksUri, secret: 'x' }) as never });
    await expect(broken.verify(token)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    const other = createVerifier({ audience, resolveIssuer: () => ({ issuer: 'https://someone-else.example', jwksUri: keys.jwksUri }) });
    await expect(other.verify(token)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });

  it('is exclusive with the other ways of naming issuers', () => {
    const resolveIssuer = () => null;
    expect(() => createVerifier({ audience, resolveIssuer, issuer: 'https://a.example', secret: 's'.repeat(32) } as never)).toThrow(TypeError);
    expect(() => createVerifier({ audience, resolveIssuer, issuers: [] } as never)).toThrow(TypeError);
    expect(() => createVerifier({ audience, resolveIssuer: 'x' } as never)).toThrow(TypeError);
  });
});

describe('isRevoked gets the request', async () => {
  it('with every verification that has one, cached or not', async () => {
    const key = await createTestKey('HS256');
    const seen: unknown[] = [];
    const verifier = createVerifier({
      issuer: 'https://auth.example.com',
      audience,
      secret: key.secret as string,
      isRevoked: (token, request) => (seen.push(request?.header('x-device')), token.claims.sub === 'revoked'),
    });
    const token = await signToken(key, { iss: 'https://auth.example.com', aud: audience, sub: 'alice' });
    const request = { header: (name: string) => (name === 'x-device' ? 'phone' : undefined) };
    await verifier.verify(token, { request });
    await verifier.verify(token, { request });
    await verifier.verify(token);
    expect(seen).toEqual(['phone', 'phone', undefined]);
  });
});
