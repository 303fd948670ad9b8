import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import type { SignatureBackend } from '../crypto/backend.js';
import { defaultBackend } from '../crypto/select.js';
import { createRevocationStore } from '../stores/revocation.js';
import { buildVerifier, type VerifierOptions } from './verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

/** The real backend, counting signature checks: a cache hit makes none. */
function counting(): SignatureBackend & { checks: number } {
  const inner = defaultBackend();
  const backend = {
    ...inner,
    checks: 0,
    verify(...args: Parameters<SignatureBackend['verify']>) {
      backend.checks++;
      return inner.verify(...args);
    },
  };
  return backend;
}

describe('the verified-token cache', async () => {
  const key = await createTestKey('HS256');
  const secret = key.secret as string;
  const start = Math.floor(Date.now() / 1000);
  let now = start * 1000;
  const clock = () => now;
  const make = (options: Partial<VerifierOptions> = {}) => {
    const backend = counting();
    return { backend, verifier: buildVerifier({ issuer, audience, secret, clock, ...options } as VerifierOptions, backend) };
  };
  const sign = (claims: Record<string, unknown> = {}, expiresIn = 600) => signToken(key, { iss: issuer, aud: audience, jti: crypto.randomUUID(), ...claims }, { now: Math.floor(now / 1000), expiresIn });

  it('serves a token seen before without checking its signature again, frozen', async () => {
    const { backend, verifier } = make();
    const token = await sign();
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(backend.checks).toBe(1);
    expect(second).toBe(first);
    expect(Object.isFrozen(second.claims)).toBe(true);
    expect(() => {
      (second.claims as Record<string, unknown>).sub = 'mallory';
    }).toThrow(TypeError);
  });

  it('matches on the whole token: another token with the same signature segment is verified afresh', async () => {
    const { backend, verifier } = make();
    const token = await sign();
    await verifier.verify(token);
    const [, payload, signature] = token.split('.');
    const forgedHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const twin = `${forgedHeader}.${payload}.${signature}`;
    await expect(verifier.verify(twin)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(backend.checks).toBe(2);
    // The map is indexed by the token's tail: a signature that only ends the same way is no match.
    const tail = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(signature!.length - 22)}${token.slice(-22)}`;
    await expect(verifier.verify(tail)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(backend.checks).toBe(3);
    await expect(verifier.verify(token)).resolves.toBeTruthy();
    expect(backend.checks).toBe(3);
  });

  it('is one option away from off', async () => {
    const { backend, verifier } = make({ tokenCache: false });
    const token = await sign();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(backend.checks).toBe(2);
  });

  it('never serves a token past its exp (with the tolerance) or maxTokenAge', async () => {
    now = start * 1000;
    const { verifier } = make({ clockTolerance: 5, maxTokenAge: 120 });
    const short = await sign({}, 30);
    const long = await sign({}, 3600);
    await verifier.verify(short);
    await verifier.verify(long);
    now += 34_000;
    await expect(verifier.verify(short)).resolves.toBeTruthy();
    now += 2_000;
    await expect(verifier.verify(short)).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    now += 100_000;
    await expect(verifier.verify(long)).rejects.toMatchObject({ code: 'ERR_TOKEN_TOO_OLD' });
  });

  it('asks the revocation check on every hit', async () => {
    now = start * 1000;
    const store = createRevocationStore({ clock });
    const { backend, verifier } = make({ isRevoked: store });
    const token = await sign();
    const result = await verifier.verify(token);
    await verifier.verify(token);
    await store.revokeToken(result);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    expect(backend.checks).toBe(1);
  });

  it('keeps results apart per verifier: another configuration verifies afresh', async () => {
    const a = make();
    const b = make({ audience: 'other-api' });
    const token = await sign();
    await a.verifier.verify(token);
    await expect(b.verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_AUDIENCE_INVALID' });
  });

  it('is bounded, and never caches a failure', async () => {
    const { backend, verifier } = make({ tokenCache: { maxEntries: 2 } });
    const [t1, t2, t3] = [await sign(), await sign(), await sign()];
    for (const token of [t1, t2, t3]) await verifier.verify(token);
    expect(backend.checks).toBe(3);
    await verifier.verify(t3);
    expect(backend.checks).toBe(3);
    await verifier.verify(t1);
    expect(backend.checks).toBe(4);
    const bad = `${t1.slice(0, -4)}AAAA`;
    await expect(verifier.verify(bad)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify(bad)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(backend.checks).toBe(6);
    expect(() => make({ tokenCache: { maxEntries: -1 } })).toThrow(RangeError);
  });

  it('drops what a key verified once the key leaves its key set', async () => {
    const es = await createTestKey('ES256');
    const next = await createTestKey('ES256');
    const server = await startJwksServer({ keys: [es.publicJwk!] });
    try {
      let t = Date.now();
      const backend = counting();
      const verifier = buildVerifier({ issuer, audience, jwksUri: server.jwksUri, clock: () => t, remote: { cacheMaxAge: 60_000, cooldown: 1_000 } }, backend);
      const token = await signToken(es, { iss: issuer, aud: audience }, { expiresIn: 3600 });
      await verifier.verify(token);
      await verifier.verify(token);
      expect(backend.checks).toBe(1);
      server.keys = [next.publicJwk!];
      t += 61_000; // stale: the next hit starts a refresh in the background, served meanwhile
      await verifier.verify(token);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The refresh landed: the very next request is verified afresh, and the key is gone.
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    } finally {
      await server.close();
    }
  });
});
