import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { createDPoPVerifier } from './proof.js';

// The htu comparison seen through the public verifier: a proof made for one URL, accepted or
// refused for a request's target.

const api = 'https://api.example.com';
const NOW = 1_700_000_000_000;
const keys = await generateKeyPair('ES256', { extractable: true });
const publicJwk = await exportJWK(keys.publicKey);

async function proofFor(htu: string): Promise<string> {
  const payload = { jti: crypto.randomUUID(), htm: 'GET', htu, iat: NOW / 1000 };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk as JWK }).sign(keys.privateKey);
}

/** 'accepted', or the refusal's code and reason. */
async function outcome(htu: string, url: string): Promise<string> {
  try {
    await createDPoPVerifier({ externalUrl: api, clock: () => NOW }).verify({ proof: await proofFor(htu), method: 'GET', url });
    return 'accepted';
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return `${error.code} ${String(error.reason)}`;
  }
}

describe('htu percent-encoding', () => {
  it('reads only 0-9, A-F and a-f as hex digits: a % before W to ` (just below a) stays as it is', async () => {
    // Read as hex digits, W to ` would be worth 0 to 9, and each htu would name the request's path.
    for (const [htuPath, requestPath] of [
      ['/%W0', '/%00'],
      ['/%0W', '/%00'],
      ['/%`1', '/%91'],
      ['/%1`', '/%19'],
    ] as const) {
      expect(await outcome(`${api}${htuPath}`, requestPath), htuPath).toBe('ERR_DPOP_PROOF_INVALID htu');
      expect(await outcome(`${api}${htuPath}`, htuPath), htuPath).toBe('accepted');
    }
  });
});
