// Tokens every protected route must refuse with a 401: what an attacker can send in bulk at no
// cost to itself, so refusing them has to be cheap.

import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { benchClaims, type Fixture } from './verify.js';

/** Each refused token, with the algorithm of the key the server holds when it is sent. */
export const refusalKeys = { 'bad-signature HS256': 'HS256', 'expired HS256': 'HS256', garbage: 'HS256', 'bad-signature ES256': 'ES256' } as const;
export type Refusal = keyof typeof refusalKeys;
export const refusals = Object.keys(refusalKeys) as Refusal[];

export interface RefusedToken {
  readonly token: string;
  readonly description: string;
}

/** The refused tokens, each made against the fixture whose key the server holds. */
export async function refusedTokens(fixtures: { HS256: Fixture; ES256: Fixture }): Promise<Record<Refusal, RefusedToken>> {
  const now = Math.floor(Date.now() / 1000);
  const secret = new TextEncoder().encode(fixtures.HS256.secret as string);
  // Wrong keys rather than an edited signature: a changed last character can land on padding
  // bits that a lenient base64url decoder ignores, leaving the signature valid.
  const otherSecret = new TextEncoder().encode('not-the-bench-secret-'.padEnd(48, 'y'));
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return {
    'bad-signature HS256': {
      token: await new SignJWT(benchClaims(now)).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(otherSecret),
      description: 'HS256, the valid claims signed with another secret',
    },
    'expired HS256': {
      token: await new SignJWT(benchClaims(now - 7200)).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret),
      description: 'HS256 with a valid signature, expired an hour ago',
    },
    garbage: { token: 'not-a-jwt', description: 'Authorization: Bearer not-a-jwt' },
    'bad-signature ES256': {
      token: await new SignJWT(benchClaims(now)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'bench' }).sign(otherKey),
      description: 'ES256, the valid claims signed with another P-256 key',
    },
  };
}
