// Private keys as users hand them over (PKCS#8 PEM, a private JWK, a CryptoKey or key pair, a
// node:crypto KeyObject), described synchronously so that weak or unsupported keys are refused
// when the issuer, key set or verifier is created; imported for one algorithm at a time later.

import { exportJWK, importJWK, importPKCS8, type JWK } from 'jose';
import { MIN_RSA_BITS } from '../jose/algorithms.js';
import type { KeyObjectLike } from '../crypto/backend.js';
import { inspectPkcs8, pemBody } from './der.js';
import { checkKid, isCryptoKey, isKeyObject, isKeyPair, jwkIntegerBits } from './key-forms.js';

/** A private key: PKCS#8 PEM, a private JWK, a CryptoKey (or a CryptoKeyPair) or a KeyObject. */
export type PrivateKeyInput = string | JWK | CryptoKey | CryptoKeyPair | KeyObjectLike;

export type AsymmetricKeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'x25519';
export type Curve = 'P-256' | 'P-384' | 'P-521';

export type PrivateKeySource =
  | { readonly kind: 'pkcs8'; readonly pem: string }
  | { readonly kind: 'jwk'; readonly jwk: JWK }
  | { readonly kind: 'crypto-key'; readonly key: CryptoKey; readonly publicKey: CryptoKey | undefined }
  | { readonly kind: 'key-object'; readonly key: KeyObjectLike };

export interface PrivateKeyDescriptor {
  readonly type: AsymmetricKeyType;
  readonly curve: Curve | undefined;
  readonly modulusBits: number | undefined;
  /** The JWK's own `kid`, if it had one. */
  readonly kid: string | undefined;
  /** The JWK's own `alg`, which pins the key to that algorithm (RFC 8725 §3.1). */
  readonly alg: string | undefined;
  /** The WebCrypto algorithm a CryptoKey is bound to (it serves only that one unless extractable). */
  readonly bound: { readonly name: string; readonly hash: string | undefined } | undefined;
  readonly extractable: boolean;
  readonly source: PrivateKeySource;
}

const CURVES: Record<string, Curve> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521', prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const CONVERT = 'convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in key.pem`';

/**
 * A key whose type is RSA-PSS itself (the id-RSASSA-PSS identifier, not a plain RSA key used
 * for PS256) has no JWK form, so its public half could never be published: refused now, with
 * what to do, rather than failing on import.
 */
function refusePssOnly(where: string, type: string | undefined): void {
  if (type === 'rsa-pss') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: an RSA-PSS-only key (id-RSASSA-PSS) has no JWK form to publish; use a plain RSA key (rsaEncryption), which signs PS256 as well`);
  }
}

function rsaBits(where: string, bits: number | undefined): number {
  if (bits === undefined || bits < MIN_RSA_BITS) {
    // Stryker disable next-line StringLiteral,LogicalOperator: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: RSA key is ${bits ?? 0} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3). Generate a new key of 2048 bits or more.`);
  }
  return bits;
}

// A JWK's crv may be anything: only a string names a curve (an array would pass Object.hasOwn as its text).
function curveOf(where: string, name: unknown): Curve {
  const curve = typeof name === 'string' && Object.hasOwn(CURVES, name) ? CURVES[name] : undefined;
  if (curve === undefined) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: unsupported EC curve; use P-256, P-384 or P-521`);
  }
  return curve;
}

function describe(
  where: string,
  type: string | undefined,
  details: { curve?: unknown; bits?: number | undefined },
): { type: AsymmetricKeyType; curve: Curve | undefined; modulusBits: number | undefined } {
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
      return { type, curve: undefined, modulusBits: rsaBits(where, details.bits) };
    case 'ec':
      return { type, curve: curveOf(where, details.curve), modulusBits: undefined };
    case 'ed25519':
    case 'x25519':
      return { type, curve: undefined, modulusBits: undefined };
    default:
      // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
      throw new TypeError(`${where}: unsupported key type; use RSA (2048 bits or more), EC P-256/P-384/P-521, Ed25519 or X25519`);
  }
}

/** Refuses a PEM with no PKCS#8 private key in it. */
// Stryker disable next-line BlockStatement: without the throw the key info stays undefined, and reading its type throws a TypeError all the same
function notPkcs8(where: string): never {
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  throw new TypeError(`${where} must be a PKCS#8 "PRIVATE KEY" PEM, a private JWK, a CryptoKey or a KeyObject`);
}

function describePem(pem: string, where: string): PrivateKeyDescriptor {
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} is an encrypted PEM; decrypt it first (\`openssl pkcs8 -topk8 -nocrypt\`) and keep the result secret`);
  }
  if (/-----BEGIN (?:RSA|EC) PRIVATE KEY-----/.test(pem)) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} is a PKCS#1 or SEC1 PEM; ${CONVERT}`);
  }
  if (pem.includes('-----BEGIN PUBLIC KEY-----') || pem.includes('-----BEGIN CERTIFICATE-----')) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} is a public key; a private key ("PRIVATE KEY" PEM) is needed here`);
  }
  // No PRIVATE KEY block reads as no bytes, which hold no PKCS#8 key either.
  const info = inspectPkcs8(pemBody(pem, 'PRIVATE KEY') ?? new Uint8Array()) ?? notPkcs8(where);
  refusePssOnly(where, info.type);
  return { ...describe(where, info.type, { curve: info.curve, bits: info.modulusBits }), kid: undefined, alg: undefined, bound: undefined, extractable: true, source: { kind: 'pkcs8', pem: pem.trim() } };
}

const JWK_MEMBERS = ['kty', 'crv', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y'] as const;

/**
 * The key members a JWK holds itself: never `ext`, `key_ops`, `alg` or unknown members, nor any
 * it inherits. A member set to undefined is kept as undefined, which importing and publishing
 * skip like a missing one.
 */
function keyMembers(jwk: JWK): JWK {
  const copy: Record<string, unknown> = {};
  for (const name of JWK_MEMBERS) if (Object.hasOwn(jwk, name)) copy[name] = jwk[name];
  return copy as JWK;
}

function describeJwkInput(jwk: JWK, where: string): PrivateKeyDescriptor {
  // An oct JWK is told where its secret goes; without this it is refused below all the same.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,BlockStatement: only the message differs: an oct JWK is refused below with a TypeError all the same
  if (jwk.kty === 'oct') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} is a symmetric (oct) key; pass HMAC secrets as \`secret\``);
  }
  let type: string | undefined;
  if (jwk.kty === 'RSA') type = 'rsa';
  else if (jwk.kty === 'EC') type = 'ec';
  else if (jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'X25519')) type = jwk.crv.toLowerCase();
  if (typeof jwk.d !== 'string') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: the JWK has no private member (d); a private key is needed here`);
  }
  const described = describe(where, type, { curve: jwk.crv, bits: jwkIntegerBits(jwk.n) });
  const kid = checkKid(jwk.kid, where);
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: the JWK alg must be a string`);
  }
  return { ...described, kid, alg: jwk.alg, bound: undefined, extractable: true, source: { kind: 'jwk', jwk: keyMembers(jwk) } };
}

function describeCryptoKey(key: CryptoKey, publicKey: CryptoKey | undefined, where: string): PrivateKeyDescriptor {
  if (key.type !== 'private') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: expected a private CryptoKey, got a ${key.type} key`);
  }
  if (publicKey !== undefined && (publicKey.type !== 'public' || publicKey.algorithm.name !== key.algorithm.name)) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: publicKey must be the public half of the private key`);
  }
  if (publicKey === undefined && !key.extractable) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: a non-extractable CryptoKey needs its public key too; pass the CryptoKeyPair ({ privateKey, publicKey })`);
  }
  const a = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string; hash?: { name: string } };
  const type =
    a.name === 'RSASSA-PKCS1-v1_5' || a.name === 'RSA-OAEP' ? 'rsa'
    : a.name === 'RSA-PSS' ? 'rsa-pss'
    : a.name === 'ECDSA' || a.name === 'ECDH' ? 'ec'
    : a.name === 'Ed25519' ? 'ed25519'
    : a.name === 'X25519' ? 'x25519'
    : undefined;
  return {
    ...describe(where, type, { curve: a.namedCurve, bits: a.modulusLength }),
    kid: undefined,
    alg: undefined,
    bound: { name: a.name, hash: a.hash?.name },
    extractable: key.extractable,
    source: { kind: 'crypto-key', key, publicKey },
  };
}

function describeKeyObject(key: KeyObjectLike, where: string): PrivateKeyDescriptor {
  if (key.type !== 'private') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: expected a private KeyObject, got a ${key.type} key`);
  }
  refusePssOnly(where, key.asymmetricKeyType);
  const details = key.asymmetricKeyDetails;
  return {
    ...describe(where, key.asymmetricKeyType, { curve: details?.namedCurve, bits: details?.modulusLength }),
    kid: undefined,
    alg: undefined,
    bound: undefined,
    extractable: true,
    source: { kind: 'key-object', key },
  };
}

/** Validates a private key in any accepted form; throws a TypeError that says what to do. */
export function describePrivateKey(input: unknown, where: string): PrivateKeyDescriptor {
  if (typeof input === 'string') return describePem(input, where);
  if (isCryptoKey(input)) return describeCryptoKey(input, undefined, where);
  if (isKeyPair(input)) return describeCryptoKey(input.privateKey, input.publicKey, where);
  if (isKeyObject(input)) return describeKeyObject(input, where);
  if (
    typeof input === 'object' &&
    // Stryker disable next-line ConditionalExpression: null is refused all the same: reading its kty throws a TypeError
    input !== null &&
    // Stryker disable next-line ConditionalExpression: an object with no string kty is refused as a JWK all the same: with no d, or as an unsupported key type
    typeof (input as JWK).kty === 'string'
  ) {
    return describeJwkInput(input as JWK, where);
  }
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  throw new TypeError(`${where} must be a PKCS#8 "PRIVATE KEY" PEM, a private JWK, a CryptoKey (or CryptoKeyPair) or a KeyObject`);
}

// An algorithm jose accepts for importing a PKCS#8 key of each type, only to read it as a JWK.
// The rest is RSA: a PEM of an RSA-PSS-only key is refused when it is described.
function probeAlgorithm(descriptor: PrivateKeyDescriptor): string {
  switch (descriptor.type) {
    case 'ec':
      return descriptor.curve === 'P-384' ? 'ES384' : descriptor.curve === 'P-521' ? 'ES512' : 'ES256';
    case 'ed25519':
      return 'EdDSA';
    case 'x25519':
      return 'ECDH-ES';
    default:
      return 'RS256';
  }
}

/** The full private JWK (key members only); for a non-extractable CryptoKey, which has none to give, a TypeError of `nonExtractable`. */
async function privateJwkOf(descriptor: PrivateKeyDescriptor, nonExtractable: string): Promise<JWK> {
  const { source } = descriptor;
  switch (source.kind) {
    case 'jwk':
      return { ...source.jwk };
    case 'pkcs8':
      return keyMembers(await exportJWK(await importPKCS8(source.pem, probeAlgorithm(descriptor), { extractable: true })));
    case 'crypto-key':
      // Stryker disable next-line ConditionalExpression,BlockStatement: only the message differs: jose refuses to export a non-extractable key with a TypeError of its own
      if (!source.key.extractable) {
        // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
        throw new TypeError(nonExtractable);
      }
      return keyMembers(await exportJWK(source.key));
    case 'key-object':
      return keyMembers(source.key.export({ format: 'jwk' }));
  }
}

/** The public members of a key, from an allow-list (so nothing private can slip through). */
export function publicMembers(jwk: JWK): JWK {
  const out: Record<string, unknown> = {};
  for (const name of ['kty', 'crv', 'n', 'e', 'x', 'y'] as const) if (typeof jwk[name] === 'string') out[name] = jwk[name];
  return out as JWK;
}

/** The public JWK of a private key (key members only). */
export async function publicJwkOf(descriptor: PrivateKeyDescriptor): Promise<JWK> {
  const { source } = descriptor;
  if (
    // Stryker disable next-line ConditionalExpression: no other kind of source has a publicKey
    source.kind === 'crypto-key' &&
    source.publicKey !== undefined
  ) {
    return publicMembers(await exportJWK(source.publicKey));
  }
  // Stryker disable next-line StringLiteral: message text, not part of the contract: never thrown besides, as describePrivateKey refuses a non-extractable CryptoKey without its public key
  return publicMembers(await privateJwkOf(descriptor, 'the public key of a non-extractable CryptoKey is unknown; pass the CryptoKeyPair'));
}

/**
 * The private key as a CryptoKey for `alg` (a JWS or JWE algorithm). A CryptoKey already bound
 * to that algorithm is used as it is; `fits` says whether it is.
 */
// Stryker disable next-line BooleanLiteral: only a decryptor takes the default, and keeps the key it imports to itself: no caller sees whether it is extractable
export async function importPrivateKey(descriptor: PrivateKeyDescriptor, alg: string, fits: (key: CryptoKey) => boolean, extractable = false): Promise<CryptoKey> {
  const { source } = descriptor;
  if (source.kind === 'crypto-key' && fits(source.key)) return source.key;
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  const jwk = await privateJwkOf(descriptor, `this non-extractable CryptoKey cannot be used with ${alg}`);
  return (await importJWK(jwk, alg, { extractable })) as CryptoKey;
}
