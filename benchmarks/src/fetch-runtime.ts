// Run under Deno (a fetch runtime: no node:crypto fast path, WebCrypto only) by `pnpm bench`:
// jwt-gate's verification against jose's jwtVerify, in the same process. Prints JSON.

import { createVerifier } from '@jwt-gate/core';
import { compareInRounds, pairedRatio } from './measure.js';

declare const Deno: { args: string[]; version: { deno: string } };
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';

const issuer = 'https://auth.example.com';
const audience = 'bench-api';
const durationMs = Number(Deno.args[0] ?? 1500);
const rounds = Number(Deno.args[1] ?? 5);

const results: Record<string, { jwtGate: number; jose: number; ratio: number }> = {};
for (const alg of ['HS256', 'RS256', 'ES256', 'EdDSA'] as const) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: audience, sub: 'user-7f3a9c2e', iat: now, exp: now + 3600, jti: 'b1c2d3e4f5a6b7c8', scope: 'orders:read orders:write profile', roles: ['user', 'buyer'] };
  let token: string;
  let verifyKey: CryptoKey | Uint8Array;
  let options: Parameters<typeof createVerifier>[0];
  if (alg === 'HS256') {
    const secret = 'bench-secret-'.padEnd(48, 'x');
    const raw = new TextEncoder().encode(secret);
    token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(raw);
    // Imported once, as a server would: a raw Uint8Array would be re-imported per call.
    verifyKey = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    options = { issuer, audience, secret, tokenCache: false };
  } else {
    const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const jwk = (await exportJWK(pair.publicKey)) as JWK;
    verifyKey = (await importJWK(jwk, alg)) as CryptoKey;
    token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(pair.privateKey);
    options = { issuer, audience, publicKey: jwk, tokenCache: false };
  }
  const verifier = createVerifier(options);
  await verifier.verify(token);
  const joseOptions = { issuer, audience, algorithms: [alg] };
  const measured = await compareInRounds(
    new Map<string, () => unknown>([
      ['jwtGate', () => verifier.verify(token)],
      ['jose', () => jwtVerify(token, verifyKey, joseOptions)],
    ]),
    { durationMs, rounds },
  );
  const jwtGate = measured.get('jwtGate')!;
  const jose = measured.get('jose')!;
  results[alg] = { jwtGate: jwtGate.opsPerSecond, jose: jose.opsPerSecond, ratio: pairedRatio(jwtGate, jose) };
}
console.log(JSON.stringify({ runtime: `Deno ${Deno.version.deno}`, results }));
