// The package's test script runs this suite on Node, then under Deno and Bun, naming the
// runtime it expects in JWT_GATE_RUNTIME: this file proves the run happens there, and that the
// verifier fetches a remote JWKS over HTTP from inside that runtime.

import { createTestKey, signToken, startJwksServer } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../src/index.js';

type Runtime = 'node' | 'deno' | 'bun';

const globals = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string }; process?: { env: Record<string, string | undefined>; release?: { name?: string } } };
const runtime: Runtime = globals.Deno !== undefined ? 'deno' : globals.Bun !== undefined ? 'bun' : 'node';

describe(`the core on ${runtime}`, () => {
  it('runs in the runtime the test script named', () => {
    expect(runtime).toBe(globals.process?.env['JWT_GATE_RUNTIME'] ?? 'node');
    if (runtime === 'deno') expect(globals.Deno?.version.deno).toMatch(/^\d+\.\d+\.\d+/);
    if (runtime === 'bun') expect(globals.Bun?.version).toMatch(/^\d+\.\d+\.\d+/);
    if (runtime === 'node') expect(globals.process?.release?.name).toBe('node');
  });

  it('verifies tokens against a JWKS it fetches over HTTP, once, and refuses a token of another key', async () => {
    const key = await createTestKey('ES256');
    const jwks = await startJwksServer({ keys: [key.publicJwk as never] });
    try {
      const verifier = createVerifier({ issuer: jwks.issuer, audience: 'orders-api', jwksUri: jwks.jwksUri });
      const verified = await verifier.verify(await signToken(key, { iss: jwks.issuer, aud: 'orders-api', sub: 'alice' }));
      expect(verified.claims.sub).toBe('alice');
      const other = await createTestKey('ES256', { kid: key.kid });
      await expect(verifier.verify(await signToken(other, { iss: jwks.issuer, aud: 'orders-api', sub: 'mallory' }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', status: 401 });
      expect(jwks.hits.get('/jwks.json')).toBe(1);
    } finally {
      await jwks.close();
    }
  });
});
