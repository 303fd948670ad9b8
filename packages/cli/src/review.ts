// Reviewing published keys the way the verifier will take them: which keys it can use, and
// what in a key set makes tokens fail (weak, duplicate or private keys, refused algorithms).
// Shared by `check` and `jwks list`/`jwks add`.

import { createVerifier, type Algorithm, type JWK } from '@jwt-gate/core';
import { hasPrivateMembers } from './keys.js';

/** One finding: an error breaks verification of some tokens, a warning may. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** Stable, kebab-case: `weak-key`, `duplicate-kid`, `issuer-mismatch`, ... */
  readonly code: string;
  readonly message: string;
  /** The key concerned, where one is. */
  readonly kid?: string;
}

/** What one published key is, and whether the verifier can use it. */
export interface KeyReview {
  readonly kid: string | undefined;
  readonly kty: string | undefined;
  readonly alg: string | undefined;
  readonly crv: string | undefined;
  /** RSA modulus size. */
  readonly bits: number | undefined;
  /** `sig`, `enc`, or undefined. */
  readonly use: string | undefined;
  /** `usable`, `refused`, or `skipped` (an encryption key, which a verifier leaves alone). */
  readonly status: 'usable' | 'refused' | 'skipped';
}

/** The algorithms a jwt-gate verifier accepts from a published key (never HMAC, never `none`). */
export const KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const satisfies readonly Algorithm[];

/** Every algorithm a jwt-gate verifier accepts, with a secret or a key. */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', ...KEY_ALGORITHMS] as const satisfies readonly Algorithm[];

const MIN_RSA_BITS = 2048;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function modulusBits(n: unknown): number | undefined {
  if (typeof n !== 'string') return undefined;
  const bytes = Buffer.from(n, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first] as number));
}

// The verifier's own verdict on one key: it refuses at creation what it would never use.
function coreVerdict(jwk: JWK): string | undefined {
  try {
    createVerifier({ issuer: null, audience: null, publicKey: jwk, tokenCache: false });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'refused';
  }
}

/** Reviews a key set's `keys` as the verifier will see them. */
export function reviewKeys(keys: readonly unknown[]): { keys: KeyReview[]; problems: Problem[] } {
  const reviews: KeyReview[] = [];
  const problems: Problem[] = [];
  const usable: { kid: string | undefined; material: string }[] = [];

  keys.forEach((value, index) => {
    const jwk = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as JWK & Record<string, unknown>;
    const kid = text(jwk.kid);
    const name = kid === undefined ? `key #${index + 1} (no kid)` : `key ${JSON.stringify(kid)}`;
    const found: Problem[] = [];
    const problem = (severity: Problem['severity'], code: string, message: string) =>
      found.push({ severity, code, message: `${name}: ${message}`, ...(kid === undefined ? {} : { kid }) });
    const review = { kid, kty: text(jwk.kty), alg: text(jwk.alg), crv: text(jwk.crv), bits: jwk.kty === 'RSA' ? modulusBits(jwk.n) : undefined, use: text(jwk.use) };

    let status: KeyReview['status'] = 'refused';
    if (review.kty === undefined) {
      problem('error', 'key-invalid', 'not a JWK (no kty)');
    } else if (review.use === 'enc' || (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify'))) {
      status = 'skipped';
    } else if (review.kty === 'oct') {
      problem('error', 'secret-published', 'a symmetric (oct) key is published: anyone can sign with it; remove it and replace the secret');
    } else if (hasPrivateMembers(jwk)) {
      problem('error', 'private-key-published', 'the private key is published: anyone can sign with it; remove it and replace the key');
    } else if (review.alg !== undefined && !(KEY_ALGORITHMS as readonly string[]).includes(review.alg)) {
      problem('error', 'algorithm-refused', `alg ${JSON.stringify(review.alg)} is refused by the verifier (it accepts ${KEY_ALGORITHMS.join(', ')})`);
    } else if (review.bits !== undefined && review.bits < MIN_RSA_BITS) {
      problem('error', 'weak-key', `RSA key of ${review.bits} bits; the verifier refuses keys under ${MIN_RSA_BITS} bits`);
    } else {
      const refusal = coreVerdict(jwk);
      if (refusal === undefined) status = 'usable';
      else problem('error', 'key-refused', refusal);
    }
    if (status === 'usable') {
      if (kid === undefined) problem('warning', 'key-without-kid', 'tokens that name a kid never select this key');
      const { kty, crv, n, e, x, y } = jwk;
      usable.push({ kid, material: JSON.stringify([kty, crv, n, e, x, y]) });
    }
    reviews.push({ ...review, status });
    problems.push(...found);
  });

  const kids = usable.map((key) => key.kid).filter((kid) => kid !== undefined);
  for (const kid of new Set(kids.filter((kid, i) => kids.indexOf(kid) !== i))) {
    problems.push({ severity: 'error', code: 'duplicate-kid', message: `two keys share kid ${JSON.stringify(kid)}: the verifier uses neither`, kid });
  }
  const materials = usable.map((key) => key.material);
  if (new Set(materials).size !== materials.length) {
    problems.push({ severity: 'warning', code: 'duplicate-key', message: 'the same key is published more than once' });
  }
  if (usable.length === 0) problems.push({ severity: 'error', code: 'no-usable-keys', message: 'no key the verifier can use: every token will be refused' });
  return { keys: reviews, problems };
}

/** A key's one-line description: `EC P-256 ES256`, `RSA 2048 RS256`. */
export function describeKey(key: KeyReview): string {
  return [key.kty ?? '?', key.crv ?? (key.bits === undefined ? undefined : String(key.bits)), key.alg].filter((part) => part !== undefined).join(' ');
}
