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

import { compactDecrypt } from 'jose';
import { AuthError, type AuthErrorCode } from '../errors/auth-error.js';
import { decodeBase64url, decodeUtf8, isCanonicalBase64url } from '../jose/base64url.js';
import { isCompactJwe } from '../jose/compact.js';
import { parseJsonObject } from '../jose/json.js';
import { normalizeMediaType } from '../jose/media-type.js';
import { ownOptions, toList } from '../internal/options.js';
import {
  ALL_CONTENT,
  checkAlgorithmName,
  checkContentName,
  CONTENT_KEY_BYTES,
  DEFAULT_KEY_MANAGEMENT,
  EXPENSIVE,
  isContent,
  isKeyManagement,
  KEY_MANAGEMENT,
  MAX_CANDIDATES,
  MAX_PBES2_COUNT,
  type ContentEncryptionAlgorithm,
  type KeyManagementAlgorithm,
} from './algorithms.js';
import { describeDecryptionKey, type DecryptionKeyInput, type JweKey } from './keys.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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

/** @internal Decrypts nested JWTs for a verifier; a compact JWS passes through untouched. */
export interface Decryptor {
  /** The inner compact JWS of a JWE, or the token itself when it is not a JWE. */
  unwrap(token: string): string | Promise<string>;
  /** Resolves once every key is imported for every algorithm it serves. */
  ready(): Promise<void>;
}

/** A verifier's decryption settings, checked once. */
interface DecryptionPlan {
  readonly keys: readonly JweKey[];
  readonly allowed: ReadonlySet<KeyManagementAlgorithm>;
  readonly content: ReadonlySet<ContentEncryptionAlgorithm>;
  readonly realm: string;
}

/** The JWE header's checked parameters. */
interface JweHeader {
  readonly alg: KeyManagementAlgorithm;
  readonly enc: ContentEncryptionAlgorithm;
  readonly kid: string | undefined;
}

function fail(plan: DecryptionPlan, code: AuthErrorCode, reason?: string, cause?: unknown): AuthError {
  return new AuthError(code, { realm: plan.realm, ...(reason === undefined ? {} : { reason }), ...(cause === undefined ? {} : { cause }) });
}

/** An allow-list option: the listed names, checked, or undefined when the option is absent. */
function listed<T>(where: string, value: unknown, check: (where: string, name: unknown) => T): Set<T> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${where} must be a non-empty array`);
  return new Set(value.map((name: unknown) => check(where, name)));
}

function planDecryption(input: DecryptionOptions, realm: string): DecryptionPlan {
  if (typeof input !== 'object' || input === null) throw new TypeError('decryption must be { keys, keyManagementAlgorithms?, contentEncryptionAlgorithms? }');
  const options = ownOptions(input, 'decryption', ['keys', 'keyManagementAlgorithms', 'contentEncryptionAlgorithms']);
  const inputs = options.keys === undefined ? [] : toList(options.keys);
  if (inputs.length === 0) throw new TypeError('decryption.keys: give at least one decryption key');
  const keys = inputs.map((key, i) => describeDecryptionKey(key, inputs.length > 1 ? `decryption.keys[${i}]` : 'decryption.keys'));
  const served = (alg: KeyManagementAlgorithm) => keys.some((key) => key.algorithms.includes(alg));
  let allowed = listed('decryption.keyManagementAlgorithms', options.keyManagementAlgorithms, checkAlgorithmName);
  if (allowed === undefined) {
    allowed = new Set(DEFAULT_KEY_MANAGEMENT.filter(served));
    if (allowed.size === 0) throw new TypeError('decryption: the keys serve no default algorithm; list keyManagementAlgorithms');
  }
  const unserved = [...allowed].filter((alg) => !served(alg));
  if (unserved.length > 0) throw new TypeError(`decryption: no configured key can serve ${unserved.join(', ')}`);
  const content = listed('decryption.contentEncryptionAlgorithms', options.contentEncryptionAlgorithms, checkContentName) ?? new Set(ALL_CONTENT);
  if (allowed.has('dir') && ![...content].some((enc) => keys.some((key) => key.length === CONTENT_KEY_BYTES[enc]))) {
    throw new TypeError('decryption: no symmetric key has the length of an allowed content encryption algorithm for dir');
  }
  return { keys, allowed, content, realm };
}

/** The protected header, decoded and checked against the allow-lists. */
function readJweHeader(plan: DecryptionPlan, segment: string): JweHeader {
  const bytes = isCanonicalBase64url(segment) ? decodeBase64url(segment) : null;
  if (bytes === null) throw fail(plan, 'ERR_TOKEN_MALFORMED', 'base64url');
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch {
    throw fail(plan, 'ERR_TOKEN_MALFORMED', 'header_utf8');
  }
  const header = parseJsonObject(text);
  if (header === null) throw fail(plan, 'ERR_TOKEN_MALFORMED', 'header_json');
  const own = (name: string): unknown => (Object.hasOwn(header, name) ? header[name] : undefined);
  const alg = own('alg');
  const enc = own('enc');
  if (typeof alg !== 'string' || typeof enc !== 'string') throw fail(plan, 'ERR_TOKEN_MALFORMED', 'alg');
  if (!isKeyManagement(alg) || !plan.allowed.has(alg) || !isContent(enc) || !plan.content.has(enc)) throw fail(plan, 'ERR_ALGORITHM_NOT_ALLOWED');
  // RFC 7516 §4.1.13: no extension is understood here, so any `crit` makes the token invalid.
  if (Object.hasOwn(header, 'crit')) throw fail(plan, 'ERR_CRIT_UNSUPPORTED');
  // RFC 8725 §3.6: compression before encryption leaks plaintext length; never accepted.
  if (Object.hasOwn(header, 'zip')) throw fail(plan, 'ERR_JWE_NOT_ACCEPTED', 'zip');
  // RFC 7519 §5.2: a nested JWT says so; anything else is not a token we verify.
  const cty = own('cty');
  if (typeof cty !== 'string' || normalizeMediaType(cty) !== 'jwt') throw fail(plan, 'ERR_JWE_NOT_ACCEPTED', 'cty');
  const kid = own('kid');
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) throw fail(plan, 'ERR_TOKEN_MALFORMED', 'kid');
  if (KEY_MANAGEMENT[alg].family === 'pbes2') {
    const count = own('p2c');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PBES2_COUNT) throw fail(plan, 'ERR_DECRYPTION_FAILED', 'p2c');
  }
  return { alg, enc, kid: kid as string | undefined };
}

/** The keys a token is tried against: the `kid`'s (else those without one), few, and one only where each try is dear. */
function candidateKeys(plan: DecryptionPlan, { alg, enc, kid }: JweHeader): readonly JweKey[] {
  const usable = plan.keys.filter((key) => key.algorithms.includes(alg) && (alg !== 'dir' || key.length === CONTENT_KEY_BYTES[enc]));
  let candidates = kid === undefined ? usable : usable.filter((key) => key.kid === kid);
  if (kid !== undefined && candidates.length === 0) candidates = usable.filter((key) => key.kid === undefined);
  if (candidates.length === 0) throw fail(plan, 'ERR_DECRYPTION_FAILED', 'no_key');
  if (candidates.length > 1 && EXPENSIVE.has(KEY_MANAGEMENT[alg].family)) throw fail(plan, 'ERR_DECRYPTION_FAILED', 'ambiguous_key');
  return candidates.slice(0, MAX_CANDIDATES);
}

/** The plaintext from the first candidate key that decrypts. */
async function decryptWith(plan: DecryptionPlan, token: string, keys: readonly JweKey[], { alg, enc }: JweHeader): Promise<Uint8Array> {
  let lastError: unknown;
  for (const key of keys) {
    let handle: CryptoKey | Uint8Array;
    try {
      handle = await key.handle(alg);
    } catch (error) {
      throw fail(plan, 'ERR_CONFIG_INVALID', undefined, error);
    }
    try {
      const options = { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc], maxDecompressedLength: 0, maxPBES2Count: MAX_PBES2_COUNT };
      return (await compactDecrypt(token, handle, options)).plaintext;
    } catch (error) {
      lastError = error;
    }
  }
  throw fail(plan, 'ERR_DECRYPTION_FAILED', undefined, lastError);
}

/** The signed JWS inside: only that goes on, to be verified with the issuer's keys like any token. */
function innerJws(plan: DecryptionPlan, plaintext: Uint8Array): string {
  let inner: string;
  try {
    inner = decodeUtf8(plaintext);
  } catch {
    throw fail(plan, 'ERR_JWE_NOT_ACCEPTED', 'inner');
  }
  if (!JWS.test(inner)) throw fail(plan, 'ERR_JWE_NOT_ACCEPTED', 'inner');
  return inner;
}

async function decrypt(plan: DecryptionPlan, token: string): Promise<string> {
  const segments = token.split('.');
  const header = readJweHeader(plan, segments[0] as string);
  // From here on every failure is one code: telling padding from format from key errors apart
  // would hand an attacker a decryption oracle.
  if (!segments.every((segment) => segment.length === 0 || isCanonicalBase64url(segment))) throw fail(plan, 'ERR_DECRYPTION_FAILED');
  const plaintext = await decryptWith(plan, token, candidateKeys(plan, header), header);
  return innerJws(plan, plaintext);
}

/** @internal Validates the verifier's `decryption` option; throws a TypeError now. */
export function createDecryptor(input: DecryptionOptions, settings: { readonly realm: string; readonly maxTokenSize: number }): Decryptor {
  const plan = planDecryption(input, settings.realm);
  // Import every key for every allowed algorithm now, once.
  const preparing = Promise.all(plan.keys.flatMap((key) => key.algorithms.filter((alg) => plan.allowed.has(alg)).map((alg) => key.handle(alg)))).then(() => undefined);
  preparing.catch(() => undefined);
  return {
    unwrap(token: string): string | Promise<string> {
      if (typeof token !== 'string') return token;
      if (token.length > settings.maxTokenSize) throw fail(plan, 'ERR_TOKEN_TOO_LARGE');
      if (!isCompactJwe(token)) return token;
      return decrypt(plan, token);
    },
    ready: () => preparing,
  };
}
