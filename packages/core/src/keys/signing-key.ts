/**
 * Signing keys: generate a key pair, import one from PEM, JWK, CryptoKey or KeyObject, and
 * export it again as PEM or JWK. Every key is tied to exactly one algorithm and carries its
 * RFC 7638 thumbprint as `kid` unless given another.
 *
 * @module
 */

import { calculateJwkThumbprint, CompactSign, compactVerify, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importJWK, type JWK } from 'jose';
import { ALGORITHMS, algorithmInfo, type Algorithm, type AsymmetricAlgorithm, type HmacAlgorithm } from '../jose/algorithms.js';
import { encodeBase64url } from '../jose/base64url.js';
import { describeJwk, describeSecret, type SecretInput } from './public-key.js';
import { ownOptions } from '../internal/options.js';
import { checkKid } from './key-forms.js';
import {
  describePrivateKey,
  importPrivateKey,
  publicJwkOf,
  publicMembers,
  type PrivateKeyDescriptor,
  type PrivateKeyInput,
} from './private-key.js';

export type { PrivateKeyInput } from './private-key.js';
export type { AsymmetricAlgorithm, HmacAlgorithm } from '../jose/algorithms.js';

/**
 * An asymmetric signing key, bound to one algorithm. `generateSigningKey` and
 * `importSigningKey` make one; `createIssuer` and `createKeySet` take one as it is.
 */
export interface SigningKey {
  /** The key id: the RFC 7638 thumbprint of the public key unless another was given. */
  readonly kid: string;
  /** The one algorithm this key signs with. */
  readonly algorithm: AsymmetricAlgorithm;
  /** The private key, imported for `algorithm`. */
  readonly privateKey: CryptoKey;
  /** The public key. */
  readonly publicKey: CryptoKey;
  /** The public JWK to publish: key members, `kid`, `alg` and `use: "sig"`, never a private member. */
  readonly publicJwk: JWK;
}

/** Options of {@link generateSigningKey}. */
export interface GenerateSigningKeyOptions {
  /** The key id. Default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
  /** RSA modulus size in bits, for RS* and PS*: 2048, 3072 or 4096. Default 2048. */
  modulusLength?: 2048 | 3072 | 4096;
  /** Whether the private key can be exported (with {@link exportPrivateKey}). Default true. */
  extractable?: boolean;
}

/** Options of {@link importSigningKey}. */
export interface ImportSigningKeyOptions {
  /**
   * The algorithm. Default: the JWK's own `alg`, the algorithm a CryptoKey is bound to, or else
   * RS256 for RSA, PS256 for RSA-PSS CryptoKeys, the curve's ES256/ES384/ES512, EdDSA for Ed25519.
   */
  algorithm?: AsymmetricAlgorithm;
  /** The key id. Default: the JWK's own `kid`, else the RFC 7638 thumbprint of the public key. */
  kid?: string;
}

const SIGNING_BY_TYPE = {
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  ed25519: ['EdDSA', 'Ed25519'],
} as const;

function signingAlgorithms(descriptor: PrivateKeyDescriptor, where: string): readonly AsymmetricAlgorithm[] {
  if (descriptor.type === 'x25519') throw new TypeError(`${where}: X25519 keys are for encryption (ECDH-ES), not signatures`);
  if (descriptor.type === 'ec') return [descriptor.curve === 'P-384' ? 'ES384' : descriptor.curve === 'P-521' ? 'ES512' : 'ES256'];
  return SIGNING_BY_TYPE[descriptor.type];
}

/** True when a CryptoKey is already imported for `alg` (WebCrypto binds a key to one algorithm). */
function fitsSigning(key: CryptoKey, alg: AsymmetricAlgorithm): boolean {
  const info = ALGORITHMS[alg];
  const a = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  switch (info.family) {
    case 'rsa':
      return a.name === (info.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5') && a.hash?.name === info.hash;
    case 'ec':
      return a.name === 'ECDSA' && a.namedCurve === info.curve;
    default:
      return a.name === 'Ed25519';
  }
}

/** A validated asymmetric signing key, not yet imported. */
export interface SigningKeyPlan {
  readonly hmac: false;
  readonly algorithm: AsymmetricAlgorithm;
  readonly kid: string | undefined;
  readonly descriptor: PrivateKeyDescriptor;
}

/** A validated HMAC secret, not yet imported. */
export interface SecretPlan {
  readonly hmac: true;
  readonly algorithm: HmacAlgorithm;
  readonly kid: string | undefined;
  readonly bytes: Uint8Array;
}

/** A key ready to sign: imported once, with the JWK to publish (none for secrets). */
export interface PreparedSigningKey {
  readonly kid: string;
  readonly algorithm: Algorithm;
  readonly hmac: boolean;
  readonly signingKey: CryptoKey | Uint8Array;
  readonly publicJwk: JWK | undefined;
  /** The secret bytes (HMAC only), for verifying the tokens this key set signed in process. */
  readonly secret: Uint8Array | undefined;
}

/** @internal Validates an asymmetric key and picks its algorithm; throws a TypeError now. */
export function planSigningKey(input: PrivateKeyInput, algorithm: unknown, kid: unknown, where: string): SigningKeyPlan {
  // The first checks give a refusal its own message; without them the key is refused further on,
  // at once and with a TypeError all the same, so their mutants are marked where only the message differs.
  // Stryker disable next-line ConditionalExpression,BlockStatement: without it an unknown algorithm throws a TypeError reading its family just below
  if (algorithm !== undefined && algorithmInfo(algorithm) === undefined) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: unsupported algorithm; use ${Object.keys(ALGORITHMS).join(', ')}`);
  }
  // Stryker disable next-line ConditionalExpression,BlockStatement,StringLiteral: without it an HMAC algorithm is one no private key can sign, refused below
  if (algorithm !== undefined && ALGORITHMS[algorithm as Algorithm].family === 'hmac') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: ${String(algorithm)} needs an HMAC secret; pass it as \`secret\``);
  }
  const descriptor = describePrivateKey(input, where);
  const bound = descriptor.bound;
  if (
    bound !== undefined &&
    (bound.name === 'RSA-OAEP' ||
      bound.name === 'ECDH' ||
      // Stryker disable next-line ConditionalExpression,StringLiteral: an X25519 key is refused as one that signs nothing all the same
      bound.name === 'X25519')
  ) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: this CryptoKey is an encryption key (${bound.name}); sign with a key made for signatures`);
  }
  let possible = signingAlgorithms(descriptor, where);
  if (descriptor.alg !== undefined) {
    if (!possible.includes(descriptor.alg as AsymmetricAlgorithm)) {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
      throw new TypeError(`${where}: the JWK alg does not fit its key type`);
    }
    possible = [descriptor.alg as AsymmetricAlgorithm];
  }
  const source = descriptor.source;
  const boundTo = source.kind === 'crypto-key' ? possible.filter((alg) => fitsSigning(source.key, alg)) : [];
  // Only a CryptoKey can be non-extractable: it serves only the algorithms it is bound to.
  if (!descriptor.extractable) possible = boundTo;
  const chosen = (algorithm as AsymmetricAlgorithm | undefined) ?? boundTo[0] ?? possible[0];
  if (
    // Stryker disable next-line ConditionalExpression: an undefined choice fails the includes test too
    chosen === undefined ||
    !possible.includes(chosen)
  ) {
    // Stryker disable next-line StringLiteral,LogicalOperator,ConditionalExpression,EqualityOperator: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} cannot sign ${String(algorithm ?? 'with its algorithm')}${possible.length > 0 ? `; it can sign ${possible.join(', ')}` : ''}${descriptor.extractable ? '' : ' (a non-extractable CryptoKey serves only the algorithm it was created for)'}`);
  }
  return { hmac: false, algorithm: chosen, kid: checkKid(kid, where) ?? descriptor.kid, descriptor };
}

/** @internal Validates an HMAC secret and its algorithm; throws a TypeError now. */
export function planSecret(input: SecretInput, algorithm: unknown, kid: unknown, where: string): SecretPlan {
  const described = describeSecret(input, where);
  const chosen = (algorithm ?? 'HS256') as HmacAlgorithm;
  // Stryker disable next-line ConditionalExpression,OptionalChaining,BlockStatement: an algorithm that is no HMAC one is not among the secret's algorithms either, refused just below
  if (algorithmInfo(chosen)?.family !== 'hmac') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: an HMAC secret signs HS256, HS384 or HS512 only; for ${String(chosen)} pass a private key`);
  }
  if (!described.algorithms.includes(chosen)) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: ${chosen} needs a secret of at least ${ALGORITHMS[chosen].hashBytes} random bytes (RFC 7518 §3.2)`);
  }
  const bytes = (described.material as { bytes: Uint8Array }).bytes;
  return { hmac: true, algorithm: chosen, kid: checkKid(kid, where) ?? described.kid, bytes };
}

/** @internal Imports a planned key once: the signing key, its public JWK and its kid. */
export async function prepareSigningKey(plan: SigningKeyPlan | SecretPlan, where: string): Promise<PreparedSigningKey> {
  if (plan.hmac) {
    const kid = plan.kid ?? (await calculateJwkThumbprint({ kty: 'oct', k: encodeBase64url(plan.bytes) }));
    return { kid, algorithm: plan.algorithm, hmac: true, signingKey: plan.bytes, publicJwk: undefined, secret: plan.bytes };
  }
  const { descriptor, algorithm } = plan;
  let members: JWK;
  let signingKey: CryptoKey;
  try {
    members = await publicJwkOf(descriptor);
    signingKey = await importPrivateKey(descriptor, algorithm, (key) => fitsSigning(key, algorithm), descriptor.extractable);
  } catch (cause) {
    // WebCrypto reports unreadable key data as a DOMException; it is a configuration error.
    throw cause instanceof TypeError ? cause : new TypeError(`${where}: the key could not be imported`, { cause });
  }
  // The same checks the verifier runs on a published key: RSA size and exponent, curve, alg fit.
  describeJwk({ ...members, alg: algorithm }, where, true);
  await checkPair(signingKey, members, algorithm, where);
  const kid = plan.kid ?? (await calculateJwkThumbprint(members));
  return { kid, algorithm, hmac: false, signingKey, publicJwk: { ...members, kid, alg: algorithm, use: 'sig' }, secret: undefined };
}

const PROBE = new TextEncoder().encode('jwt-gate key check');

// Once per key: a private key that does not match the public key we would publish (a mixed-up
// CryptoKeyPair, a JWK with a foreign `d`) signs tokens nobody can verify. Refuse it now.
async function checkPair(signingKey: CryptoKey, members: JWK, algorithm: AsymmetricAlgorithm, where: string): Promise<void> {
  try {
    const probe = await new CompactSign(PROBE).setProtectedHeader({ alg: algorithm }).sign(signingKey);
    await compactVerify(probe, await importJWK(members, algorithm), { algorithms: [algorithm] });
  } catch (cause) {
    throw new TypeError(`${where}: the private key does not match its public key`, { cause });
  }
}

async function toSigningKey(prepared: PreparedSigningKey, publicKey: CryptoKey | undefined): Promise<SigningKey> {
  const jwk = prepared.publicJwk as JWK;
  const pub = publicKey ?? ((await importJWK(publicMembers(jwk), prepared.algorithm, { extractable: true })) as CryptoKey);
  return Object.freeze({
    kid: prepared.kid,
    algorithm: prepared.algorithm as AsymmetricAlgorithm,
    privateKey: prepared.signingKey as CryptoKey,
    publicKey: pub,
    publicJwk: Object.freeze({ ...jwk }),
  });
}

/**
 * Generates a signing key pair for one algorithm (2048-bit RSA by default for RS* and PS*,
 * Ed25519 for EdDSA).
 *
 * @example
 * ```ts
 * const key = await generateSigningKey('ES256');
 * const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api', privateKey: key });
 * ```
 */
export async function generateSigningKey(algorithm: AsymmetricAlgorithm, input: GenerateSigningKeyOptions = {}): Promise<SigningKey> {
  const options = ownOptions(input, 'generateSigningKey', ['kid', 'modulusLength', 'extractable']);
  const info = algorithmInfo(algorithm);
  if (info === undefined || info.family === 'hmac') {
    throw new TypeError('generateSigningKey needs an asymmetric algorithm (RS*, PS*, ES*, EdDSA); for HMAC, use 64 random bytes as the secret');
  }
  const modulusLength = options.modulusLength ?? 2048;
  if (info.family === 'rsa' && ![2048, 3072, 4096].includes(modulusLength)) throw new RangeError('modulusLength must be 2048, 3072 or 4096');
  const kid = checkKid(options.kid, 'kid');
  const pair = await generateKeyPair(algorithm === 'Ed25519' ? 'EdDSA' : algorithm, {
    extractable: options.extractable ?? true,
    ...(info.family === 'okp' ? { crv: 'Ed25519' } : {}),
    ...(info.family === 'rsa' ? { modulusLength } : {}),
  });
  const plan = planSigningKey(pair, algorithm, kid, 'generated key');
  return toSigningKey(await prepareSigningKey(plan, 'generated key'), pair.publicKey);
}

/**
 * Imports a private signing key: a PKCS#8 `PRIVATE KEY` PEM, a private JWK, a CryptoKey (or a
 * CryptoKeyPair, for a non-extractable private key) or a node:crypto KeyObject. Weak keys (RSA
 * under 2048 bits), unsupported curves and algorithms that do not fit the key are refused.
 *
 * @example
 * ```ts
 * const key = await importSigningKey(process.env.SIGNING_KEY_PEM, { algorithm: 'PS256' });
 * key.kid; // the RFC 7638 thumbprint
 * ```
 */
export async function importSigningKey(input: PrivateKeyInput, given: ImportSigningKeyOptions = {}): Promise<SigningKey> {
  const options = ownOptions(given, 'importSigningKey', ['algorithm', 'kid']);
  const plan = planSigningKey(input, options.algorithm, options.kid, 'importSigningKey');
  const source = plan.descriptor.source;
  return toSigningKey(await prepareSigningKey(plan, 'importSigningKey'), source.kind === 'crypto-key' ? source.publicKey : undefined);
}

/**
 * Exports the public half of a signing key: an SPKI `PUBLIC KEY` PEM, or the public JWK (with
 * `kid`, `alg` and `use`). Safe to publish.
 *
 * @example
 * ```ts
 * const pem = await exportPublicKey(key, 'pem'); // give it to a verifier as `publicKey`
 * ```
 */
export async function exportPublicKey(key: SigningKey, format: 'pem'): Promise<string>;
export async function exportPublicKey(key: SigningKey, format: 'jwk'): Promise<JWK>;
export async function exportPublicKey(key: SigningKey, format: 'pem' | 'jwk'): Promise<string | JWK> {
  if (format === 'jwk') return { ...key.publicJwk };
  if (format === 'pem') return exportSPKI(key.publicKey);
  throw new TypeError('format must be "pem" or "jwk"');
}

/**
 * Exports the private key, to store it (in a secret manager, never in source control): a PKCS#8
 * `PRIVATE KEY` PEM, or a private JWK with `kid` and `alg`. The key must be extractable.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey('EdDSA');
 * await secrets.put('signing-key', await exportPrivateKey(key, 'pem'));
 * // at the next start
 * const again = await importSigningKey(await secrets.get('signing-key'), { algorithm: 'EdDSA' });
 * ```
 */
export async function exportPrivateKey(key: SigningKey, format: 'pem'): Promise<string>;
export async function exportPrivateKey(key: SigningKey, format: 'jwk'): Promise<JWK>;
export async function exportPrivateKey(key: SigningKey, format: 'pem' | 'jwk'): Promise<string | JWK> {
  if (format !== 'pem' && format !== 'jwk') throw new TypeError('format must be "pem" or "jwk"');
  if (!key.privateKey.extractable) throw new TypeError('this private key is not extractable');
  if (format === 'pem') return exportPKCS8(key.privateKey);
  const { ext: _ext, key_ops: _ops, ...jwk } = await exportJWK(key.privateKey);
  return { ...jwk, kid: key.kid, alg: key.algorithm };
}

/**
 * The public part of a JWK: its key members (`kty`, `crv`, `n`, `e`, `x`, `y`) and `kid`,
 * `alg` and `use`, from an allow-list, so no private member (`d`, `p`, `q`, `dp`, `dq`, `qi`,
 * `oth`, `k`) can ever slip through. Symmetric keys have no public part and throw.
 *
 * @example
 * ```ts
 * res.json({ keys: [publicJwk(privateJwk)] });
 * ```
 */
export function publicJwk(jwk: JWK): JWK {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') throw new TypeError('publicJwk needs a JWK');
  if (jwk.kty === 'oct') throw new TypeError('a symmetric (oct) key has no public part and must never be published');
  const out = publicMembers(jwk) as Record<string, unknown>;
  for (const name of ['kid', 'alg', 'use'] as const) if (typeof jwk[name] === 'string') out[name] = jwk[name];
  return out as JWK;
}
