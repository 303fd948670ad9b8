// Recognising the forms a key arrives in (bytes, a JWK, a CryptoKey, a Node KeyObject), and the
// checks every form shares.

import type { JWK } from 'jose';
import type { KeyObjectLike } from '../crypto/backend.js';
import { decodeBase64url } from '../jose/base64url.js';

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

/** A Node.js KeyObject, recognised by shape: the core imports nothing from `node:`. */
export function isKeyObject(value: unknown): value is KeyObjectLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KeyObjectLike).export === 'function' &&
    typeof (value as KeyObjectLike).type === 'string' &&
    ('asymmetricKeyType' in value || 'symmetricKeySize' in value)
  );
}

export function isKeyPair(value: unknown): value is CryptoKeyPair {
  return typeof value === 'object' && value !== null && isCryptoKey((value as CryptoKeyPair).privateKey) && isCryptoKey((value as CryptoKeyPair).publicKey);
}

export function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && typeof (value as JWK).kty === 'string';
}

export function checkKid(kid: unknown, where: string): string | undefined {
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
    throw new TypeError(`${where}: kid must be a non-empty string of at most 256 characters`);
  }
  return kid;
}

/** The bit length of a big-endian unsigned integer, leading zero bytes ignored. */
export function unsignedBits(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let i = from;
  while (i < to && bytes[i] === 0) i++;
  return i === to ? 0 : (to - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}

/** The bit length of a base64url JWK integer member (`n` of an RSA key), or undefined when it is not one. */
export function jwkIntegerBits(value: unknown): number | undefined {
  const bytes = typeof value === 'string' ? decodeBase64url(value) : null;
  return bytes === null ? undefined : unsignedBits(bytes);
}
