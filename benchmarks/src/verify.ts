// Verification throughput: jwt-gate against the node:crypto limit, fast-jwt, jsonwebtoken and
// jose, on one machine in one run. Every contender verifies the same token, with the claims of a
// typical access token.

import { createHmac, createSecretKey, generateKeyPairSync, type KeyObject, verify as cryptoVerify } from 'node:crypto';
import { createVerifier } from '@jwt-gate/core';
import { createVerifier as fastVerifier } from 'fast-jwt';
import { jwtVerify, SignJWT, importJWK, type JWK } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { compareInRounds, pairedRatio, type Measurement } from './measure.js';

export type BenchAlgorithm = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

/** The reference every contender is compared with, round by round. */
const REFERENCE = 'fast-jwt, no cache';

export type VerifyMeasurement = Measurement & { readonly ratioToFastJwt: number };

const issuer = 'https://auth.example.com';
const audience = 'bench-api';

export interface Fixture {
  readonly alg: BenchAlgorithm;
  readonly token: string;
  readonly secret: string | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly publicJwk: JWK | undefined;
  readonly privateKey: KeyObject | undefined;
}

/** The claims of every benchmark token: issued at `iat` (seconds), valid for an hour. */
export function benchClaims(iat: number) {
  return {
    iss: issuer,
    aud: audience,
    sub: 'user-7f3a9c2e',
    iat,
    exp: iat + 3600,
    jti: 'b1c2d3e4f5a6b7c8',
    scope: 'orders:read orders:write profile',
    roles: ['user', 'buyer'],
  };
}

/** A key and an access token for `alg`. */
export async function fixture(alg: BenchAlgorithm): Promise<Fixture> {
  const claims = benchClaims(Math.floor(Date.now() / 1000));
  if (alg === 'HS256') {
    const secret = 'bench-secret-'.padEnd(48, 'x');
    const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
    return { alg, token, secret, publicKey: undefined, publicJwk: undefined, privateKey: undefined };
  }
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: 'bench' }).sign(pair.privateKey);
  return { alg, token, secret: undefined, publicKey: pair.publicKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: 'bench' } as JWK, privateKey: pair.privateKey };
}

/** One contender: a name and a function verifying the fixture's token once. */
export interface Contender {
  readonly name: string;
  readonly run: (fixture: Fixture) => Promise<() => unknown>;
}

const digestFor = { HS256: 'sha256', RS256: 'sha256', ES256: 'sha256', EdDSA: null } as const;

export const contenders: readonly Contender[] = [
  {
    name: 'node:crypto signature check alone',
    run: async (f) => {
      const [h, p, s] = f.token.split('.') as [string, string, string];
      const data = Buffer.from(`${h}.${p}`);
      const signature = Buffer.from(s, 'base64url');
      if (f.alg === 'HS256') return () => createHmac('sha256', f.secret as string).update(data).digest().equals(signature);
      const key = f.alg === 'ES256' ? { key: f.publicKey as KeyObject, dsaEncoding: 'ieee-p1363' as const } : (f.publicKey as KeyObject);
      return () => cryptoVerify(digestFor[f.alg], data, key, signature);
    },
  },
  {
    name: 'the same plus base64url and JSON.parse of both parts',
    run: async (f) => {
      const key = f.alg === 'ES256' ? { key: f.publicKey as KeyObject, dsaEncoding: 'ieee-p1363' as const } : (f.publicKey as KeyObject);
      return () => {
        const [h, p, s] = f.token.split('.') as [string, string, string];
        JSON.parse(Buffer.from(h, 'base64url').toString());
        JSON.parse(Buffer.from(p, 'base64url').toString());
        const data = Buffer.from(`${h}.${p}`);
        const signature = Buffer.from(s, 'base64url');
        if (f.alg === 'HS256') return createHmac('sha256', f.secret as string).update(data).digest().equals(signature);
        return cryptoVerify(digestFor[f.alg], data, key, signature);
      };
    },
  },
  {
    name: 'jwt-gate',
    run: async (f) => {
      const verifier = createVerifier({ issuer, audience, ...(f.secret ? { secret: f.secret } : { publicKey: f.publicKey as KeyObject }), tokenCache: false });
      await verifier.verify(f.token);
      return () => verifier.verify(f.token);
    },
  },
  {
    name: 'jwt-gate, verified-token cache',
    run: async (f) => {
      const verifier = createVerifier({ issuer, audience, ...(f.secret ? { secret: f.secret } : { publicKey: f.publicKey as KeyObject }) });
      await verifier.verify(f.token);
      return () => verifier.verify(f.token);
    },
  },
  {
    name: 'fast-jwt, no cache',
    run: async (f) => {
      const verify = fastVerifier({ key: f.secret ?? (f.publicKey as KeyObject).export({ format: 'pem', type: 'spki' }).toString(), algorithms: [f.alg], allowedIss: issuer, allowedAud: audience });
      verify(f.token);
      return () => verify(f.token);
    },
  },
  {
    name: 'fast-jwt with its cache, same token',
    run: async (f) => {
      const verify = fastVerifier({ key: f.secret ?? (f.publicKey as KeyObject).export({ format: 'pem', type: 'spki' }).toString(), algorithms: [f.alg], allowedIss: issuer, allowedAud: audience, cache: true });
      verify(f.token);
      return () => verify(f.token);
    },
  },
  {
    name: 'jsonwebtoken with a KeyObject',
    run: async (f) => {
      if (f.alg === 'EdDSA') throw new Error('n/a');
      const key = f.secret ? createSecretKey(Buffer.from(f.secret)) : (f.publicKey as KeyObject);
      const options = { algorithms: [f.alg as 'HS256'], issuer, audience };
      jsonwebtoken.verify(f.token, key, options);
      return () => jsonwebtoken.verify(f.token, key, options);
    },
  },
  {
    name: 'jose jwtVerify',
    run: async (f) => {
      // Keys imported once, as a server would: a raw Uint8Array secret would be re-imported per call.
      const key = f.secret ? await importJWK({ kty: 'oct', k: Buffer.from(f.secret).toString('base64url') }, 'HS256') : await importJWK(f.publicJwk as JWK, f.alg);
      const options = { issuer, audience, algorithms: [f.alg] };
      await jwtVerify(f.token, key, options);
      return () => jwtVerify(f.token, key, options);
    },
  },
];

/** Runs every contender on every algorithm, the contenders of one algorithm in interleaved rounds. */
export async function benchVerify(options: {
  durationMs: number;
  rounds: number;
  algorithms?: readonly BenchAlgorithm[];
  only?: (name: string) => boolean;
}): Promise<Record<BenchAlgorithm, Record<string, VerifyMeasurement | null>>> {
  const results = {} as Record<BenchAlgorithm, Record<string, VerifyMeasurement | null>>;
  for (const alg of options.algorithms ?? (['HS256', 'RS256', 'ES256', 'EdDSA'] as const)) {
    const f = await fixture(alg);
    const runnable = new Map<string, () => unknown>();
    results[alg] = {};
    for (const contender of contenders) {
      if (options.only && !options.only(contender.name)) continue;
      results[alg][contender.name] = null; // n/a unless it runs
      try {
        runnable.set(contender.name, await contender.run(f));
      } catch {
        // This contender does not support the algorithm.
      }
    }
    const measured = await compareInRounds(runnable, options);
    const reference = measured.get(REFERENCE);
    for (const [name, measurement] of measured) {
      results[alg][name] = { ...measurement, ratioToFastJwt: reference === undefined ? Number.NaN : pairedRatio(measurement, reference) };
    }
  }
  return results;
}
