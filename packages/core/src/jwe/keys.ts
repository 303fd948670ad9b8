// The keys JWE uses: decryption keys (private or symmetric) and the recipient's encryption key,
// checked at configuration, each serving the algorithms its type allows.

import { exportJWK, importJWK, importSPKI, importX509, type JWK } from 'jose';
import type { KeyObjectLike } from '../crypto/backend.js';
import { MIN_RSA_BITS } from '../jose/algorithms.js';
import { decodeBase64url, isCanonicalBase64url } from '../jose/base64url.js';
import { inspectCertificate, inspectSpki, pemBody, type SpkiInfo } from '../keys/der.js';
import { checkKid, isCryptoKey, isKeyObject, jwkIntegerBits } from '../keys/key-forms.js';
import { describePrivateKey, importPrivateKey, publicMembers, type PrivateKeyDescriptor } from '../keys/private-key.js';
import { ALL_KEY_MANAGEMENT, checkAlgorithmName, CONTENT_KEY_BYTES, ECDH, KEY_MANAGEMENT, PBES2, RSA_OAEP, type KeyManagementAlgorithm } from './algorithms.js';

/**
 * A key that decrypts: a private key (PKCS#8 PEM, private JWK, CryptoKey, KeyObject) for
 * RSA-OAEP and ECDH-ES, or a symmetric key (bytes, an `oct` JWK, a secret CryptoKey or
 * KeyObject) for AES key wrap and `dir`; optionally with a `kid`.
 */
export type DecryptionKeyInput =
  | string | JWK | CryptoKey | KeyObjectLike | Uint8Array
  | { readonly kid?: string; readonly key: string | JWK | CryptoKey | KeyObjectLike | Uint8Array };

/** A key to encrypt to: the recipient's public key (RSA, EC, X25519) or a shared symmetric key. */
export type EncryptionKeyInput = string | JWK | CryptoKey | KeyObjectLike | Uint8Array;

export interface JweKey {
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

export function describeDecryptionKey(input: DecryptionKeyInput, where: string): JweKey {
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


export function describeEncryptionKey(input: EncryptionKeyInput, where: string): JweKey {
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
    type = checkPublicType(where, t, jwkIntegerBits(given.n), given.crv);
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
