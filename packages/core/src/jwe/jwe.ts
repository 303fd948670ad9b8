/**
 * Encrypted tokens (JWE, RFC 7516) as nested JWTs (RFC 7519 §5.2): a signed JWS inside, with
 * `cty: "JWT"` on the outside. The verifier decrypts with allow-listed algorithms and then
 * verifies the inner JWS exactly as any other token: a JWE that merely decrypts is never enough.
 *
 * Safe defaults: PBES2 only when listed (and bounded), RSA1_5 never (RFC 8725 §3.2), no `zip`
 * (RFC 8725 §3.6), no `crit`, and the token size cap applies before anything is decoded.
 *
 * @module
 */

import { calculateJwkThumbprint, CompactEncrypt, compactDecrypt, exportJWK, importJWK, importSPKI, importX509, type JWK } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { decodeBase64url, decodeUtf8, isCanonicalBase64url } from '../jose/base64url.js';
import { isCompactJwe } from '../jose/compact.js';
import type { KeyObjectLike } from '../crypto/backend.js';
import { inspectCertificate, inspectSpki, pemBody, type SpkiInfo } from '../keys/der.js';
import { parseJsonObject } from '../jose/json.js';
import { ownOptions } from '../internal/options.js';
import {
  checkKid,
  describePrivateKey,
  importPrivateKey,
  isCryptoKey,
  isKeyObject,
  publicMembers,
  type PrivateKeyDescriptor,
} from '../keys/private-key.js';
import { MIN_RSA_BITS } from '../jose/algorithms.js';

/** JWE key management algorithms (RFC 7518 §4). `RSA1_5` is not one: it is always refused. */
export type KeyManagementAlgorithm =
  | 'RSA-OAEP' | 'RSA-OAEP-256' | 'RSA-OAEP-384' | 'RSA-OAEP-512'
  | 'ECDH-ES' | 'ECDH-ES+A128KW' | 'ECDH-ES+A192KW' | 'ECDH-ES+A256KW'
  | 'A128KW' | 'A192KW' | 'A256KW'
  | 'A128GCMKW' | 'A192GCMKW' | 'A256GCMKW'
  | 'dir'
  | 'PBES2-HS256+A128KW' | 'PBES2-HS384+A192KW' | 'PBES2-HS512+A256KW';

/** JWE content encryption algorithms (RFC 7518 §5). */
export type ContentEncryptionAlgorithm = 'A128GCM' | 'A192GCM' | 'A256GCM' | 'A128CBC-HS256' | 'A192CBC-HS384' | 'A256CBC-HS512';

/**
 * A key that decrypts: a private key (PKCS#8 PEM, private JWK, CryptoKey, KeyObject) for
 * RSA-OAEP and ECDH-ES, or a symmetric key (bytes, an `oct` JWK, a secret CryptoKey or
 * KeyObject) for AES key wrap and `dir`; optionally with a `kid`.
 */
export type DecryptionKeyInput =
  | string | JWK | CryptoKey | KeyObjectLike | Uint8Array
  | { readonly kid?: string; readonly key: string | JWK | CryptoKey | KeyObjectLike | Uint8Array };

/**
 * The verifier's `decryption` option: accept nested JWTs encrypted to these keys.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'orders-api',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 *   decryption: { keys: { kid: 'enc-2026', key: process.env.TOKEN_DECRYPTION_KEY_PEM } },
 * });
 * ```
 */
export interface DecryptionOptions {
  /**
   * The decryption key(s). Several at once for rotation; a token's `kid` picks among them. A
   * token is tried against at most 4 keys, and against exactly one for PBES2, RSA-OAEP and
   * ECDH-ES (each try costs a password hash or a private-key operation): with several keys of
   * those kinds, give each a `kid` and have the issuer name it in the header.
   */
  keys: DecryptionKeyInput | readonly DecryptionKeyInput[];
  /**
   * Allowed `alg` values. Default: what the keys can serve among RSA-OAEP-256/384/512,
   * ECDH-ES (+A128KW/+A192KW/+A256KW), A128KW/A192KW/A256KW, A128GCMKW/A192GCMKW/A256GCMKW
   * and `dir`. `RSA-OAEP` (SHA-1) and PBES2 must be listed to be used (PBES2 is capped at
   * 10,000 iterations); `RSA1_5` is always refused.
   */
  keyManagementAlgorithms?: readonly KeyManagementAlgorithm[];
  /** Allowed `enc` values. Default: A128GCM, A192GCM, A256GCM, A128CBC-HS256, A192CBC-HS384, A256CBC-HS512. */
  contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[];
}

/** A key to encrypt to: the recipient's public key (RSA, EC, X25519) or a shared symmetric key. */
export type EncryptionKeyInput = string | JWK | CryptoKey | KeyObjectLike | Uint8Array;

/**
 * The issuer's `encryption` option: sign, then encrypt every token to this key.
 *
 * @example
 * ```ts
 * const issuer = createIssuer({
 *   issuer: 'https://auth.example.com',
 *   audience: 'orders-api',
 *   privateKey: signingKey,
 *   encryption: { key: ordersApiPublicKeyPem, kid: 'enc-2026' }, // RSA-OAEP-256 + A256GCM
 * });
 * ```
 */
export interface EncryptionOptions {
  /** The recipient's public key (SPKI PEM, certificate, JWK, CryptoKey, KeyObject) or a symmetric key. */
  key: EncryptionKeyInput;
  /**
   * The `alg`. Default: RSA-OAEP-256 for RSA keys, ECDH-ES for EC and X25519 keys, A128KW /
   * A192KW / A256KW for 16, 24 and 32-byte keys. PBES2 and RSA1_5 are refused.
   */
  keyManagementAlgorithm?: KeyManagementAlgorithm;
  /** The `enc`. Default A256GCM (with `dir`: the one the key length fits). */
  contentEncryptionAlgorithm?: ContentEncryptionAlgorithm;
  /** The `kid` header. Default: the key's own `kid`, else the RFC 7638 thumbprint of a public key. */
  kid?: string;
}

type Family = 'rsa' | 'ecdh' | 'kw' | 'dir' | 'pbes2';

const KEY_MANAGEMENT: { readonly [A in KeyManagementAlgorithm]: { readonly family: Family; readonly bytes?: number; readonly hash?: string } } = {
  'RSA-OAEP': { family: 'rsa', hash: 'SHA-1' },
  'RSA-OAEP-256': { family: 'rsa', hash: 'SHA-256' },
  'RSA-OAEP-384': { family: 'rsa', hash: 'SHA-384' },
  'RSA-OAEP-512': { family: 'rsa', hash: 'SHA-512' },
  'ECDH-ES': { family: 'ecdh' },
  'ECDH-ES+A128KW': { family: 'ecdh' },
  'ECDH-ES+A192KW': { family: 'ecdh' },
  'ECDH-ES+A256KW': { family: 'ecdh' },
  A128KW: { family: 'kw', bytes: 16 },
  A192KW: { family: 'kw', bytes: 24 },
  A256KW: { family: 'kw', bytes: 32 },
  A128GCMKW: { family: 'kw', bytes: 16 },
  A192GCMKW: { family: 'kw', bytes: 24 },
  A256GCMKW: { family: 'kw', bytes: 32 },
  dir: { family: 'dir' },
  'PBES2-HS256+A128KW': { family: 'pbes2' },
  'PBES2-HS384+A192KW': { family: 'pbes2' },
  'PBES2-HS512+A256KW': { family: 'pbes2' },
};

const CONTENT_KEY_BYTES: { readonly [E in ContentEncryptionAlgorithm]: number } = {
  A128GCM: 16,
  A192GCM: 24,
  A256GCM: 32,
  'A128CBC-HS256': 32,
  'A192CBC-HS384': 48,
  'A256CBC-HS512': 64,
};

const ALL_KEY_MANAGEMENT = Object.keys(KEY_MANAGEMENT) as KeyManagementAlgorithm[];
const DEFAULT_KEY_MANAGEMENT = ALL_KEY_MANAGEMENT.filter((alg) => alg !== 'RSA-OAEP' && KEY_MANAGEMENT[alg].family !== 'pbes2');
const ALL_CONTENT = Object.keys(CONTENT_KEY_BYTES) as ContentEncryptionAlgorithm[];
const RSA_OAEP = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'rsa');
const ECDH = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'ecdh');
const PBES2 = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'pbes2');

/** RFC 7518 §4.8.1.2 asks for at least 1000; more than this is a denial-of-service lever. */
const MAX_PBES2_COUNT = 10_000;
/** A token is tried against at most this many keys: enough for rotation, no work amplifier. */
const MAX_CANDIDATES = 4;
/**
 * Key management that costs real work per key (a password hash, an RSA or ECDH private-key
 * operation): tried against one key only, the one its `kid` names or the only candidate, so a
 * forged token cannot make the server try every key.
 */
const EXPENSIVE: ReadonlySet<Family> = new Set(['pbes2', 'rsa', 'ecdh']);
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();

const REFUSED: Record<string, string> = {
  RSA1_5: 'RSA1_5 is refused: PKCS#1 v1.5 key encryption invites padding-oracle attacks (RFC 8725 §3.2); use RSA-OAEP-256',
};

function isKeyManagement(value: unknown): value is KeyManagementAlgorithm {
  return typeof value === 'string' && Object.hasOwn(KEY_MANAGEMENT, value);
}

function isContent(value: unknown): value is ContentEncryptionAlgorithm {
  return typeof value === 'string' && Object.hasOwn(CONTENT_KEY_BYTES, value);
}

function checkAlgorithmName(where: string, value: unknown): KeyManagementAlgorithm {
  if (typeof value === 'string' && Object.hasOwn(REFUSED, value)) throw new TypeError(`${where}: ${REFUSED[value]}`);
  if (!isKeyManagement(value)) throw new TypeError(`${where}: unsupported key management algorithm; use ${DEFAULT_KEY_MANAGEMENT.join(', ')}`);
  return value;
}

function checkContentName(where: string, value: unknown): ContentEncryptionAlgorithm {
  if (!isContent(value)) throw new TypeError(`${where}: unsupported content encryption algorithm; use ${ALL_CONTENT.join(', ')}`);
  return value;
}

// A key, validated: which algorithms it serves, and how to get its handle for one of them.
interface JweKey {
  readonly kid: string | undefined;
  readonly algorithms: readonly KeyManagementAlgorithm[];
  /** Symmetric key length in bytes; undefined for asymmetric keys. */
  readonly length: number | undefined;
  handle(alg: KeyManagementAlgorithm): Promise<CryptoKey | Uint8Array>;
  /** The public JWK (asymmetric keys), for the default `kid`. */
  publicJwk(): Promise<JWK | undefined>;
}

function symmetricAlgorithms(length: number): KeyManagementAlgorithm[] {
  const out = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'kw' && KEY_MANAGEMENT[alg].bytes === length);
  if (Object.values(CONTENT_KEY_BYTES).includes(length)) out.push('dir');
  if (length >= 16) out.push(...PBES2);
  return out;
}

function symmetricKey(where: string, kid: string | undefined, length: number, bytes: () => Uint8Array | Promise<Uint8Array>): JweKey {
  if (symmetricAlgorithms(length).length === 0 || length < 16) {
    throw new TypeError(`${where}: a symmetric key of ${length} bytes serves no JWE algorithm; use 16, 24 or 32 random bytes (or 48/64 for dir with CBC-HS)`);
  }
  let loaded: Promise<Uint8Array> | undefined;
  return {
    kid,
    algorithms: symmetricAlgorithms(length),
    length,
    handle: () => (loaded ??= Promise.resolve(bytes())),
    publicJwk: async () => undefined,
  };
}

function fitsDecryption(key: CryptoKey, alg: KeyManagementAlgorithm): boolean {
  const a = key.algorithm as { name: string; hash?: { name: string } };
  const info = KEY_MANAGEMENT[alg];
  if (info.family === 'rsa') return a.name === 'RSA-OAEP' && a.hash?.name === info.hash;
  return info.family === 'ecdh' && (a.name === 'ECDH' || a.name === 'X25519');
}

function asymmetricAlgorithms(where: string, type: string, bound: string | undefined, pinned: unknown): KeyManagementAlgorithm[] {
  if (bound !== undefined && bound !== 'RSA-OAEP' && bound !== 'ECDH' && bound !== 'X25519') {
    throw new TypeError(`${where}: this CryptoKey is made for ${bound}; encryption needs a key made for RSA-OAEP or ECDH`);
  }
  let algorithms: KeyManagementAlgorithm[];
  if (type === 'rsa') algorithms = [...RSA_OAEP];
  else if (type === 'ec' || type === 'x25519') algorithms = [...ECDH];
  else throw new TypeError(`${where}: ${type} keys cannot encrypt; use RSA (RSA-OAEP), EC or X25519 (ECDH-ES) keys`);
  if (pinned !== undefined) {
    const alg = checkAlgorithmName(where, pinned);
    if (!algorithms.includes(alg)) throw new TypeError(`${where}: the JWK alg does not fit its key type`);
    algorithms = [alg];
  }
  return algorithms;
}

function checkUse(where: string, jwk: JWK): void {
  if (jwk.use !== undefined && jwk.use !== 'enc') throw new TypeError(`${where}: the JWK is not for encryption (use)`);
}

function octBytes(where: string, jwk: JWK): Uint8Array {
  const bytes = typeof jwk.k === 'string' && isCanonicalBase64url(jwk.k) ? decodeBase64url(jwk.k) : null;
  if (bytes === null) throw new TypeError(`${where}: invalid oct JWK`);
  return bytes;
}

function describeDecryptionKey(input: DecryptionKeyInput, where: string): JweKey {
  const wrapped =
    typeof input === 'object' && input !== null && 'key' in input && !isCryptoKey(input) && !isKeyObject(input) && !(input instanceof Uint8Array) && typeof (input as JWK).kty !== 'string'
      ? (input as { kid?: string; key: unknown })
      : undefined;
  const raw = wrapped === undefined ? input : wrapped.key;
  const kid = checkKid(wrapped?.kid, where);
  if (raw instanceof Uint8Array) {
    const bytes = new Uint8Array(raw);
    return symmetricKey(where, kid, bytes.length, () => bytes);
  }
  if (typeof raw === 'object' && raw !== null && (raw as JWK).kty === 'oct') {
    checkUse(where, raw as JWK);
    const bytes = octBytes(where, raw as JWK);
    return symmetricKey(where, kid ?? checkKid((raw as JWK).kid, where), bytes.length, () => bytes);
  }
  if (isCryptoKey(raw) && raw.type === 'secret') {
    const length = ((raw.algorithm as { length?: number }).length ?? 0) / 8;
    if (!raw.extractable) throw new TypeError(`${where}: a secret CryptoKey must be extractable (or pass the key bytes)`);
    return symmetricKey(where, kid, length, async () => new Uint8Array(await crypto.subtle.exportKey('raw', raw)));
  }
  if (isKeyObject(raw) && raw.type === 'secret') {
    const bytes = octBytes(where, raw.export({ format: 'jwk' }));
    return symmetricKey(where, kid, bytes.length, () => bytes);
  }
  if (typeof raw === 'object' && raw !== null && typeof (raw as JWK).kty === 'string') checkUse(where, raw as JWK);
  const descriptor: PrivateKeyDescriptor = describePrivateKey(raw, where);
  const algorithms = asymmetricAlgorithms(where, descriptor.type, descriptor.bound?.name, descriptor.alg);
  const handles = new Map<KeyManagementAlgorithm, Promise<CryptoKey>>();
  return {
    kid: kid ?? descriptor.kid,
    algorithms,
    length: undefined,
    handle(alg) {
      let handle = handles.get(alg);
      if (handle === undefined) {
        handle = importPrivateKey(descriptor, alg, (key) => fitsDecryption(key, alg));
        handles.set(alg, handle);
      }
      return handle;
    },
    publicJwk: async () => undefined,
  };
}

function describePublicPem(pem: string, where: string): { info: SpkiInfo | undefined; cert: boolean } {
  if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem)) {
    throw new TypeError(`${where} is a private key; encrypt to the recipient's public key (SPKI "PUBLIC KEY" PEM)`);
  }
  const cert = pemBody(pem, 'CERTIFICATE');
  if (cert !== undefined) return { info: inspectCertificate(cert), cert: true };
  const spki = pemBody(pem, 'PUBLIC KEY');
  if (spki !== undefined) return { info: inspectSpki(spki), cert: false };
  throw new TypeError(`${where} must be a "PUBLIC KEY" or "CERTIFICATE" PEM, a JWK, a CryptoKey, a KeyObject or symmetric key bytes`);
}

function checkPublicType(where: string, type: string | undefined, bits: number | undefined, curve: string | undefined): string {
  if (type === 'rsa') {
    if (bits === undefined || bits < MIN_RSA_BITS) throw new TypeError(`${where}: RSA key is ${bits ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
    return type;
  }
  if (type === 'ec') {
    if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521') throw new TypeError(`${where}: unsupported EC curve; use P-256, P-384 or P-521`);
    return type;
  }
  if (type === 'x25519') return type;
  throw new TypeError(`${where}: this key type cannot encrypt; use RSA (RSA-OAEP), EC or X25519 (ECDH-ES) public keys`);
}

const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function bitLength(value: unknown): number | undefined {
  const bytes = typeof value === 'string' ? decodeBase64url(value) : null;
  if (bytes === null) return undefined;
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return start === bytes.length ? 0 : (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start] as number));
}

function describeEncryptionKey(input: EncryptionKeyInput, where: string): JweKey {
  if (input instanceof Uint8Array || (isKeyObject(input) && input.type === 'secret') || (isCryptoKey(input) && input.type === 'secret')) {
    return describeDecryptionKey(input, where);
  }
  if (typeof input === 'object' && input !== null && (input as JWK).kty === 'oct') return describeDecryptionKey(input as JWK, where);
  let type: string;
  let load: (alg: KeyManagementAlgorithm) => Promise<CryptoKey>;
  let pinned: unknown;
  let bound: string | undefined;
  let kid: string | undefined;
  let jwk: () => Promise<JWK>;
  if (typeof input === 'string') {
    const { info, cert } = describePublicPem(input, where);
    type = checkPublicType(where, info?.type, info?.modulusBits, info?.curve);
    const pem = input.trim();
    load = (alg) => (cert ? importX509(pem, alg, { extractable: true }) : importSPKI(pem, alg, { extractable: true }));
    jwk = async () => publicMembers(await exportJWK(await load(type === 'rsa' ? 'RSA-OAEP-256' : 'ECDH-ES')));
  } else if (isCryptoKey(input)) {
    if (input.type !== 'public') throw new TypeError(`${where}: encrypt to the recipient's public key, not a private one`);
    const a = input.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
    bound = a.name;
    type = checkPublicType(where, a.name === 'RSA-OAEP' ? 'rsa' : a.name === 'ECDH' ? 'ec' : a.name === 'X25519' ? 'x25519' : a.name, a.modulusLength, a.namedCurve);
    const exported = exportJWK(input);
    exported.catch(() => undefined);
    load = async (alg) => (fitsDecryption(input, alg) ? input : ((await importJWK(publicMembers(await exported), alg)) as CryptoKey));
    jwk = async () => publicMembers(await exported);
  } else if (isKeyObject(input)) {
    if (input.type !== 'public') throw new TypeError(`${where}: encrypt to the recipient's public key, not a private one`);
    const details = input.asymmetricKeyDetails;
    type = checkPublicType(where, input.asymmetricKeyType, details?.modulusLength, NODE_CURVES[details?.namedCurve ?? '']);
    const members = publicMembers(input.export({ format: 'jwk' }));
    load = async (alg) => (await importJWK(members, alg)) as CryptoKey;
    jwk = async () => members;
  } else if (typeof input === 'object' && input !== null && typeof (input as JWK).kty === 'string') {
    const given = input as JWK;
    checkUse(where, given);
    if (given.d !== undefined) throw new TypeError(`${where}: the JWK holds private key material; encrypt to the public key`);
    const t = given.kty === 'RSA' ? 'rsa' : given.kty === 'EC' ? 'ec' : given.kty === 'OKP' && given.crv === 'X25519' ? 'x25519' : given.kty;
    type = checkPublicType(where, t, bitLength(given.n), given.crv);
    pinned = given.alg;
    kid = checkKid(given.kid, where);
    const members = publicMembers(given);
    load = async (alg) => (await importJWK(members, alg)) as CryptoKey;
    jwk = async () => members;
  } else {
    throw new TypeError(`${where} must be a public key (PEM, JWK, CryptoKey, KeyObject) or symmetric key bytes`);
  }
  const algorithms = asymmetricAlgorithms(where, type, bound, pinned);
  const handles = new Map<KeyManagementAlgorithm, Promise<CryptoKey>>();
  return {
    kid,
    algorithms,
    length: undefined,
    handle(alg) {
      let handle = handles.get(alg);
      if (handle === undefined) {
        handle = load(alg);
        handles.set(alg, handle);
      }
      return handle;
    },
    publicJwk: jwk,
  };
}

function list<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** @internal Decrypts nested JWTs for a verifier; a compact JWS passes through untouched. */
export interface Decryptor {
  /** The inner compact JWS of a JWE, or the token itself when it is not a JWE. */
  unwrap(token: string): string | Promise<string>;
  /** Resolves once every key is imported for every algorithm it serves. */
  ready(): Promise<void>;
}

/** @internal Validates the verifier's `decryption` option; throws a TypeError now. */
export function createDecryptor(input: DecryptionOptions, settings: { readonly realm: string; readonly maxTokenSize: number }): Decryptor {
  if (typeof input !== 'object' || input === null) throw new TypeError('decryption must be { keys, keyManagementAlgorithms?, contentEncryptionAlgorithms? }');
  const options = ownOptions(input, 'decryption', ['keys', 'keyManagementAlgorithms', 'contentEncryptionAlgorithms']);
  const { realm, maxTokenSize } = settings;
  const inputs = options.keys === undefined ? [] : list(options.keys);
  if (inputs.length === 0) throw new TypeError('decryption.keys: give at least one decryption key');
  const keys = inputs.map((input, i) => describeDecryptionKey(input, inputs.length > 1 ? `decryption.keys[${i}]` : 'decryption.keys'));

  let allowed: Set<KeyManagementAlgorithm>;
  if (options.keyManagementAlgorithms !== undefined) {
    const requested = options.keyManagementAlgorithms as readonly unknown[];
    if (!Array.isArray(requested) || requested.length === 0) throw new TypeError('decryption.keyManagementAlgorithms must be a non-empty array');
    allowed = new Set(requested.map((alg) => checkAlgorithmName('decryption.keyManagementAlgorithms', alg)));
    const unserved = [...allowed].filter((alg) => !keys.some((key) => key.algorithms.includes(alg)));
    if (unserved.length > 0) throw new TypeError(`decryption: no configured key can serve ${unserved.join(', ')}`);
  } else {
    allowed = new Set(DEFAULT_KEY_MANAGEMENT.filter((alg) => keys.some((key) => key.algorithms.includes(alg))));
    if (allowed.size === 0) throw new TypeError('decryption: the keys serve no default algorithm; list keyManagementAlgorithms');
  }
  let content: Set<ContentEncryptionAlgorithm>;
  if (options.contentEncryptionAlgorithms !== undefined) {
    const requested = options.contentEncryptionAlgorithms as readonly unknown[];
    if (!Array.isArray(requested) || requested.length === 0) throw new TypeError('decryption.contentEncryptionAlgorithms must be a non-empty array');
    content = new Set(requested.map((enc) => checkContentName('decryption.contentEncryptionAlgorithms', enc)));
  } else {
    content = new Set(ALL_CONTENT);
  }
  if (allowed.has('dir') && ![...content].some((enc) => keys.some((key) => key.length === CONTENT_KEY_BYTES[enc]))) {
    throw new TypeError('decryption: no symmetric key has the length of an allowed content encryption algorithm for dir');
  }

  // Import every key for every allowed algorithm now, once.
  const preparing = Promise.all(keys.flatMap((key) => key.algorithms.filter((alg) => allowed.has(alg)).map((alg) => key.handle(alg)))).then(() => undefined);
  preparing.catch(() => undefined);

  const fail = (code: ConstructorParameters<typeof AuthError>[0], reason?: string, cause?: unknown) =>
    new AuthError(code, { realm, ...(reason === undefined ? {} : { reason }), ...(cause === undefined ? {} : { cause }) });

  function header(segment: string): Record<string, unknown> {
    const bytes = isCanonicalBase64url(segment) ? decodeBase64url(segment) : null;
    if (bytes === null) throw fail('ERR_TOKEN_MALFORMED', 'base64url');
    let text: string;
    try {
      text = decodeUtf8(bytes);
    } catch {
      throw fail('ERR_TOKEN_MALFORMED', 'header_utf8');
    }
    const parsed = parseJsonObject(text);
    if (parsed === null) throw fail('ERR_TOKEN_MALFORMED', 'header_json');
    return parsed;
  }

  async function decrypt(token: string): Promise<string> {
    const segments = token.split('.');
    const protectedHeader = header(segments[0] as string);
    const own = (name: string): unknown => (Object.hasOwn(protectedHeader, name) ? protectedHeader[name] : undefined);
    const alg = own('alg');
    const enc = own('enc');
    if (typeof alg !== 'string' || typeof enc !== 'string') throw fail('ERR_TOKEN_MALFORMED', 'alg');
    if (!isKeyManagement(alg) || !allowed.has(alg) || !isContent(enc) || !content.has(enc)) throw fail('ERR_ALGORITHM_NOT_ALLOWED');
    // RFC 7516 §4.1.13: no extension is understood here, so any `crit` makes the token invalid.
    if (Object.hasOwn(protectedHeader, 'crit')) throw fail('ERR_CRIT_UNSUPPORTED');
    // RFC 8725 §3.6: compression before encryption leaks plaintext length; never accepted.
    if (Object.hasOwn(protectedHeader, 'zip')) throw fail('ERR_JWE_NOT_ACCEPTED', 'zip');
    // RFC 7519 §5.2: a nested JWT says so; anything else is not a token we verify.
    const cty = own('cty');
    if (typeof cty !== 'string' || !/^(?:application\/)?jwt$/i.test(cty)) throw fail('ERR_JWE_NOT_ACCEPTED', 'cty');
    const kid = own('kid');
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) throw fail('ERR_TOKEN_MALFORMED', 'kid');
    if (KEY_MANAGEMENT[alg].family === 'pbes2') {
      const count = own('p2c');
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PBES2_COUNT) throw fail('ERR_DECRYPTION_FAILED', 'p2c');
    }
    // From here on every failure is one code: telling padding from format from key errors apart
    // would hand an attacker a decryption oracle.
    if (!segments.every((segment) => segment.length === 0 || isCanonicalBase64url(segment))) throw fail('ERR_DECRYPTION_FAILED');
    const usable = keys.filter((key) => key.algorithms.includes(alg) && (alg !== 'dir' || key.length === CONTENT_KEY_BYTES[enc]));
    let candidates = kid === undefined ? usable : usable.filter((key) => key.kid === kid);
    if (kid !== undefined && candidates.length === 0) candidates = usable.filter((key) => key.kid === undefined);
    if (candidates.length === 0) throw fail('ERR_DECRYPTION_FAILED', 'no_key');
    if (candidates.length > 1 && EXPENSIVE.has(KEY_MANAGEMENT[alg].family)) throw fail('ERR_DECRYPTION_FAILED', 'ambiguous_key');
    let plaintext: Uint8Array | undefined;
    let lastError: unknown;
    for (const key of candidates.slice(0, MAX_CANDIDATES)) {
      let handle: CryptoKey | Uint8Array;
      try {
        handle = await key.handle(alg);
      } catch (error) {
        throw fail('ERR_CONFIG_INVALID', undefined, error);
      }
      try {
        const result = await compactDecrypt(token, handle, {
          keyManagementAlgorithms: [alg],
          contentEncryptionAlgorithms: [enc],
          maxDecompressedLength: 0,
          maxPBES2Count: MAX_PBES2_COUNT,
        });
        plaintext = result.plaintext;
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (plaintext === undefined) throw fail('ERR_DECRYPTION_FAILED', undefined, lastError);
    let inner: string;
    try {
      inner = decodeUtf8(plaintext);
    } catch {
      throw fail('ERR_JWE_NOT_ACCEPTED', 'inner');
    }
    // Only a signed JWS goes on, to be verified with the issuer's keys like any token.
    if (!JWS.test(inner)) throw fail('ERR_JWE_NOT_ACCEPTED', 'inner');
    return inner;
  }

  return {
    unwrap(token: string): string | Promise<string> {
      if (typeof token !== 'string') return token;
      if (token.length > maxTokenSize) throw fail('ERR_TOKEN_TOO_LARGE');
      if (!isCompactJwe(token)) return token;
      return decrypt(token);
    },
    ready: () => preparing,
  };
}

/** @internal Encrypts signed tokens for an issuer. */
export interface Encryptor {
  encrypt(jws: string): Promise<string>;
  ready(): Promise<void>;
}

/** @internal Validates the issuer's `encryption` option; throws a TypeError now. */
export function createEncryptor(input: EncryptionOptions): Encryptor {
  if (typeof input !== 'object' || input === null) throw new TypeError('encryption must be { key, keyManagementAlgorithm?, contentEncryptionAlgorithm? }');
  const options = ownOptions(input, 'encryption', ['key', 'keyManagementAlgorithm', 'contentEncryptionAlgorithm', 'kid']);
  const key = describeEncryptionKey(options.key as EncryptionKeyInput, 'encryption.key');
  const explicitKid = checkKid(options.kid, 'encryption.kid') ?? key.kid;
  let alg: KeyManagementAlgorithm;
  if (options.keyManagementAlgorithm !== undefined) {
    alg = checkAlgorithmName('encryption.keyManagementAlgorithm', options.keyManagementAlgorithm);
  } else if (key.length !== undefined) {
    const kw = key.algorithms.find((a) => KEY_MANAGEMENT[a].family === 'kw');
    if (kw === undefined) throw new TypeError('encryption: name the keyManagementAlgorithm for this key (dir, for a 48 or 64-byte key)');
    alg = kw;
  } else {
    alg = key.algorithms.includes('RSA-OAEP-256') ? 'RSA-OAEP-256' : key.algorithms.includes('ECDH-ES') ? 'ECDH-ES' : (key.algorithms[0] as KeyManagementAlgorithm);
  }
  if (KEY_MANAGEMENT[alg].family === 'pbes2') throw new TypeError('encryption: PBES2 derives keys from passwords; encrypt with a random key (A256KW, dir) or a public key');
  if (!key.algorithms.includes(alg)) throw new TypeError(`encryption: the key cannot serve ${alg}; it serves ${key.algorithms.filter((a) => KEY_MANAGEMENT[a].family !== 'pbes2').join(', ')}`);
  let enc: ContentEncryptionAlgorithm;
  if (options.contentEncryptionAlgorithm !== undefined) enc = checkContentName('encryption.contentEncryptionAlgorithm', options.contentEncryptionAlgorithm);
  else if (alg === 'dir') enc = ALL_CONTENT.find((e) => CONTENT_KEY_BYTES[e] === key.length) as ContentEncryptionAlgorithm;
  else enc = 'A256GCM';
  if (alg === 'dir' && CONTENT_KEY_BYTES[enc] !== key.length) throw new TypeError(`encryption: dir with ${enc} needs a ${CONTENT_KEY_BYTES[enc]}-byte key`);

  const prepared = (async () => {
    const handle = await key.handle(alg);
    const jwk = await key.publicJwk();
    const kid = explicitKid ?? (jwk === undefined ? undefined : await calculateJwkThumbprint(jwk));
    return { handle, header: { alg, enc, cty: 'JWT', ...(kid === undefined ? {} : { kid }) } };
  })();
  prepared.catch(() => undefined);

  return {
    async encrypt(jws: string): Promise<string> {
      const { handle, header } = await prepared;
      return new CompactEncrypt(encoder.encode(jws)).setProtectedHeader(header).encrypt(handle);
    },
    async ready() {
      await prepared;
    },
  };
}
