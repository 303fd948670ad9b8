import { hmacRaw, randomSecret } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../verification/verifier.js';
import { parseJsonObject } from './json.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJsonObject', () => {
  it('accepts nesting up to 256 levels and refuses deeper, without recursing into it', () => {
    expect(parseJsonObject(`{"x":${nested(255)}}`)).not.toBeNull();
    expect(parseJsonObject(`{"x":${nested(256)}}`)).toBeNull();
    expect(parseJsonObject(`{"x":${nested(300_000)}}`)).toBeNull();
    expect(parseJsonObject(`{"x":${'{"a":'.repeat(300_000)}1${'}'.repeat(300_000)}}`)).toBeNull();
  });

  it('makes a deeply nested token malformed, never a stack overflow, under a raised size cap', async () => {
    const secret = randomSecret(48);
    const verifier = createVerifier({ issuer: 'https://issuer.example', audience: 'api', secret, maxTokenSize: 1_048_576 });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const claims = `"iss":"https://issuer.example","aud":"api","exp":${exp}`;
    for (const [header, payload] of [
      ['{"alg":"HS256"}', `{${claims},"x":${nested(250_000)}}`],
      [`{"alg":"HS256","x":${nested(250_000)}}`, `{${claims}}`],
    ] as const) {
      await expect(verifier.verify(await hmacRaw(secret, header, payload))).rejects.toMatchObject({ name: 'AuthError', code: 'ERR_TOKEN_MALFORMED' });
    }
    await expect(verifier.verify(await hmacRaw(secret, '{"alg":"HS256"}', `{${claims},"x":${nested(200)}}`))).resolves.toMatchObject({ claims: { iss: 'https://issuer.example' } });
  });
});
