/**
 * `createIssuer`: signing tokens with the same defaults the verifier enforces.
 *
 * @module
 */

import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { ALGORITHMS, algorithmInfo, type Algorithm } from './internal/algorithms.js';
import type { KeyObjectLike } from './internal/crypto/backend.js';
import { describeJwk, describeSecret, type SecretInput } from './internal/key-input.js';
import { encodeBase64url } from './internal/base64url.js';

/** A private signing key: PKCS#8 PEM, a private JWK, a CryptoKey or a KeyObject. */
export type PrivateKeyInput = string | JWK | CryptoKey | KeyObjectLike;

/** Options of {@link createIssuer}. */
export interface IssuerOptions {
  /** The `iss` of every token. */
  issuer: string;
  /** The default `aud` (a `sign()` call may override it). */
  audience: string | readonly string[];
  /** An HMAC secret (HS*), at least as long as the hash output. */
  secret?: SecretInput;
  /** A private key (RS*, PS*, ES*, EdDSA). */
  privateKey?: PrivateKeyInput;
  /** The algorithm, where the key allows several. Default HS256 for secrets, RS256, the curve's ES* or EdDSA. */
  algorithm?: Algorithm;
  /** The `kid` header. Default: the RFC 7638 thumbprint of the public key (or of the secret's JWK). */
  kid?: string;
  /** Token lifetime in seconds. Default 900 (15 minutes). */
  expiresIn?: number;
  /** The `typ` header. Default `at+jwt` (RFC 9068). */
  tokenType?: string;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Per-token options of {@link Issuer.sign}. */
export interface SignOptions {
  /** Overrides the issuer's default audience. */
  audience?: string | readonly string[];
  /** Overrides the lifetime, in seconds. */
  expiresIn?: number;
  /** Overrides the `typ` header. */
  tokenType?: string;
}

/** Signs tokens and publishes the public keys to verify them. */
export interface Issuer {
  /** Signs `claims` into a compact JWS, adding `iss`, `aud`, `iat`, `exp` and a random `jti` unless given. */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** The public JWKS (empty for HMAC: secrets are never published). */
  jwks(): Promise<JSONWebKeySet>;
  /** The signing algorithm. */
  readonly algorithm: Algorithm;
  /** The issuer identifier. */
  readonly issuer: string;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The public part of a JWK: never carries a private member. */
export function publicJwk(jwk: JWK): JWK {
  const out: JWK = {};
  for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(name)) (out as Record<string, unknown>)[name] = value;
  return out;
}

function randomId(): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

async function privateJwkOf(input: PrivateKeyInput): Promise<JWK> {
  if (typeof input === 'string') {
    if (!input.includes('-----BEGIN PRIVATE KEY-----')) {
      throw new TypeError('privateKey must be a PKCS#8 "PRIVATE KEY" PEM (convert with `openssl pkcs8 -topk8 -nocrypt`), a private JWK, a CryptoKey or a KeyObject');
    }
    // Import with a probe algorithm just to read the key; the real algorithm is checked after.
    for (const probe of ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const) {
      try {
        return await exportJWK(await importPKCS8(input, probe, { extractable: true }));
      } catch {
        // try the next key type
      }
    }
    throw new TypeError('privateKey: unsupported or unreadable PKCS#8 key');
  }
  if (typeof CryptoKey !== 'undefined' && input instanceof CryptoKey) {
    if (input.type !== 'private') throw new TypeError('privateKey must be a private key');
    if (!input.extractable) throw new TypeError('privateKey CryptoKey must be extractable, so its public key can be published');
    return exportJWK(input);
  }
  if (typeof (input as KeyObjectLike).export === 'function') {
    if ((input as KeyObjectLike).type !== 'private') throw new TypeError('privateKey must be a private key');
    return (input as KeyObjectLike).export({ format: 'jwk' });
  }
  if (typeof input === 'object' && input !== null && typeof (input as JWK).kty === 'string') {
    if (typeof (input as JWK).d !== 'string') throw new TypeError('privateKey JWK has no private member (d)');
    return { ...(input as JWK) };
  }
  throw new TypeError('privateKey must be a PKCS#8 PEM, a private JWK, a CryptoKey or a KeyObject');
}

/**
 * Creates an issuer. Keys are checked now (weak secrets, RSA under 2048 bits and unsupported
 * algorithms are refused); the signing key is imported once.
 *
 * @example
 * ```ts
 * const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api', secret: process.env.JWT_SECRET });
 * const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
 * ```
 */
export function createIssuer(options: IssuerOptions): Issuer {
  if (typeof options !== 'object' || options === null) throw new TypeError('createIssuer needs an options object');
  const { issuer, audience } = options;
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('issuer is required');
  const audiences = typeof audience === 'string' ? [audience] : Array.isArray(audience) ? [...audience] : [];
  if (audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0)) throw new TypeError('audience is required');
  const expiresIn = options.expiresIn ?? 900;
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw new RangeError('expiresIn must be a positive number of seconds');
  const tokenType = options.tokenType ?? 'at+jwt';
  const clock = options.clock ?? Date.now;
  if ((options.secret === undefined) === (options.privateKey === undefined)) throw new TypeError('give exactly one of secret or privateKey');
  if (options.algorithm !== undefined && algorithmInfo(options.algorithm) === undefined) {
    throw new TypeError(`unsupported algorithm; use ${Object.keys(ALGORITHMS).join(', ')}`);
  }

  let algorithm: Algorithm;
  let prepared: Promise<{ key: CryptoKey | Uint8Array; kid: string; jwk: JWK | undefined }>;
  if (options.secret !== undefined) {
    const described = describeSecret(options.secret);
    algorithm = options.algorithm ?? 'HS256';
    if (!described.algorithms.includes(algorithm)) {
      throw new TypeError(`${algorithm} needs an HMAC secret of at least ${ALGORITHMS[algorithm].hashBytes} bytes`);
    }
    const bytes = (described.material as { bytes: Uint8Array }).bytes;
    const kid = options.kid ?? described.kid;
    prepared = (async () => ({
      key: bytes,
      kid: kid ?? (await calculateJwkThumbprint({ kty: 'oct', k: encodeBase64url(bytes) })),
      jwk: undefined,
    }))();
  } else {
    const input = options.privateKey as PrivateKeyInput;
    algorithm = options.algorithm ?? 'RS256';
    const chosen = options.algorithm;
    prepared = (async () => {
      const jwk = await privateJwkOf(input);
      const described = describeJwk(publicJwk(jwk), 'privateKey', true) as Exclude<ReturnType<typeof describeJwk>, string>;
      const alg = chosen ?? described.defaultAlgorithms[0] as Algorithm;
      if (!described.algorithms.includes(alg)) throw new TypeError(`privateKey cannot sign ${alg}`);
      algorithm = alg;
      const { alg: _alg, key_ops: _ops, use: _use, ...bare } = jwk;
      const key = (await importJWK({ ...bare, ext: true }, alg)) as CryptoKey;
      const pub = publicJwk(jwk);
      const kid = options.kid ?? jwk.kid ?? (await calculateJwkThumbprint(pub));
      return { key, kid, jwk: { ...pub, kid, alg, use: 'sig' } };
    })();
  }
  prepared.catch(() => undefined);

  return {
    issuer,
    get algorithm() {
      return algorithm;
    },
    async sign(claims: JWTPayload, signOptions: SignOptions = {}): Promise<string> {
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('claims must be an object');
      const { key, kid } = await prepared;
      const now = Math.floor(clock() / 1000);
      const aud = signOptions.audience ?? (audiences.length === 1 ? audiences[0] : audiences);
      const payload: JWTPayload = {
        iss: issuer,
        aud: aud as string | string[],
        iat: now,
        exp: now + (signOptions.expiresIn ?? expiresIn),
        jti: randomId(),
        ...claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: algorithm, typ: signOptions.tokenType ?? tokenType, kid }).sign(key);
    },
    async jwks(): Promise<JSONWebKeySet> {
      const { jwk } = await prepared;
      return { keys: jwk === undefined ? [] : [jwk] };
    },
  };
}

/** A generated signing key pair, extractable, with its RFC 7638 thumbprint as `kid`. */
export interface GeneratedKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly algorithm: Algorithm;
}

/**
 * Generates a signing key pair (2048-bit RSA for the RS and PS algorithms).
 *
 * @example
 * ```ts
 * const key = await generateSigningKey('ES256');
 * const issuer = createIssuer({ issuer, audience, privateKey: key.privateKey });
 * ```
 */
export async function generateSigningKey(algorithm: Exclude<Algorithm, 'HS256' | 'HS384' | 'HS512'>): Promise<GeneratedKey> {
  const info = algorithmInfo(algorithm);
  if (info === undefined || info.family === 'hmac') throw new TypeError('generateSigningKey needs an asymmetric algorithm');
  const pair = await generateKeyPair(algorithm === 'Ed25519' ? 'EdDSA' : algorithm, { extractable: true, ...(info.family === 'okp' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk: { ...jwk, kid, alg: algorithm, use: 'sig' }, kid, algorithm };
}
