// The JWE algorithms jwt-gate knows (RFC 7518 §4 and §5), which are allowed by default, and the
// bounds that keep decryption work small.

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

export type Family = 'rsa' | 'ecdh' | 'kw' | 'dir' | 'pbes2';

export const KEY_MANAGEMENT: { readonly [A in KeyManagementAlgorithm]: { readonly family: Family; readonly bytes?: number; readonly hash?: string } } = {
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

export const CONTENT_KEY_BYTES: { readonly [E in ContentEncryptionAlgorithm]: number } = {
  A128GCM: 16,
  A192GCM: 24,
  A256GCM: 32,
  'A128CBC-HS256': 32,
  'A192CBC-HS384': 48,
  'A256CBC-HS512': 64,
};

export const ALL_KEY_MANAGEMENT = Object.keys(KEY_MANAGEMENT) as KeyManagementAlgorithm[];
export const DEFAULT_KEY_MANAGEMENT = ALL_KEY_MANAGEMENT.filter((alg) => alg !== 'RSA-OAEP' && KEY_MANAGEMENT[alg].family !== 'pbes2');
export const ALL_CONTENT = Object.keys(CONTENT_KEY_BYTES) as ContentEncryptionAlgorithm[];
export const RSA_OAEP = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'rsa');
export const ECDH = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'ecdh');
export const PBES2 = ALL_KEY_MANAGEMENT.filter((alg) => KEY_MANAGEMENT[alg].family === 'pbes2');

/** RFC 7518 §4.8.1.2 asks for at least 1000; more than this is a denial-of-service lever. */
export const MAX_PBES2_COUNT = 10_000;
/** A token is tried against at most this many keys: enough for rotation, no work amplifier. */
export const MAX_CANDIDATES = 4;
/**
 * Key management that costs real work per key (a password hash, an RSA or ECDH private-key
 * operation): tried against one key only, the one its `kid` names or the only candidate, so a
 * forged token cannot make the server try every key.
 */
export const EXPENSIVE: ReadonlySet<Family> = new Set(['pbes2', 'rsa', 'ecdh']);

const REFUSED: Record<string, string> = {
  RSA1_5: 'RSA1_5 is refused: PKCS#1 v1.5 key encryption invites padding-oracle attacks (RFC 8725 §3.2); use RSA-OAEP-256',
};

export function isKeyManagement(value: unknown): value is KeyManagementAlgorithm {
  return typeof value === 'string' && Object.hasOwn(KEY_MANAGEMENT, value);
}

export function isContent(value: unknown): value is ContentEncryptionAlgorithm {
  return typeof value === 'string' && Object.hasOwn(CONTENT_KEY_BYTES, value);
}

export function checkAlgorithmName(where: string, value: unknown): KeyManagementAlgorithm {
  if (typeof value === 'string' && Object.hasOwn(REFUSED, value)) throw new TypeError(`${where}: ${REFUSED[value]}`);
  if (!isKeyManagement(value)) throw new TypeError(`${where}: unsupported key management algorithm; use ${DEFAULT_KEY_MANAGEMENT.join(', ')}`);
  return value;
}

export function checkContentName(where: string, value: unknown): ContentEncryptionAlgorithm {
  if (!isContent(value)) throw new TypeError(`${where}: unsupported content encryption algorithm; use ${ALL_CONTENT.join(', ')}`);
  return value;
}

// A key, validated: which algorithms it serves, and how to get its handle for one of them.
