// Encrypting signed tokens for an issuer's `encryption` option: sign, then encrypt to the
// recipient's key (a nested JWT, RFC 7519 §5.2).

import { calculateJwkThumbprint, CompactEncrypt } from 'jose';
import { checkKid } from '../keys/key-forms.js';
import { ownOptions } from '../internal/options.js';
import { ALL_CONTENT, checkAlgorithmName, checkContentName, CONTENT_KEY_BYTES, KEY_MANAGEMENT, type ContentEncryptionAlgorithm, type KeyManagementAlgorithm } from './algorithms.js';
import { describeEncryptionKey, type EncryptionKeyInput } from './keys.js';

const encoder = new TextEncoder();

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
