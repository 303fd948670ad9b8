import { importJWK, importSPKI, importX509 } from 'jose';
import type { Algorithm } from '../jose/algorithms.js';
import { ALGORITHMS } from '../jose/algorithms.js';
import { decodeBase64url, decodeUtf8 } from '../jose/base64url.js';
import type { KeyMaterial, SignatureBackend } from './backend.js';

const encoder = new TextEncoder();

async function importFor(material: KeyMaterial, alg: Algorithm): Promise<CryptoKey> {
  const info = ALGORITHMS[alg];
  switch (material.kind) {
    case 'secret':
      return crypto.subtle.importKey('raw', material.bytes as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: info.hash as string }, false, ['verify']);
    case 'spki':
      return importSPKI(material.pem, alg);
    case 'x509':
      return importX509(material.pem, alg);
    case 'jwk': {
      const { alg: _alg, use: _use, key_ops: _ops, ...jwk } = material.jwk;
      return (await importJWK({ ...jwk, ext: true }, alg)) as CryptoKey;
    }
    case 'key-object':
      return (await importJWK(material.key.export({ format: 'jwk' }), alg)) as CryptoKey;
    case 'crypto-key': {
      if (matches(material.key, alg)) return material.key;
      // A CryptoKey is bound to one WebCrypto algorithm; re-import it for another when allowed.
      if (!material.key.extractable) throw new TypeError(`this CryptoKey cannot be used with ${alg}`);
      const jwk = await crypto.subtle.exportKey('jwk', material.key);
      return importFor({ kind: 'jwk', jwk: jwk as never }, alg);
    }
  }
}

function matches(key: CryptoKey, alg: Algorithm): boolean {
  const info = ALGORITHMS[alg];
  const a = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  switch (info.family) {
    case 'hmac':
      return a.name === 'HMAC' && a.hash?.name === info.hash;
    case 'rsa':
      return a.name === (info.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5') && a.hash?.name === info.hash;
    case 'ec':
      return a.name === 'ECDSA' && a.namedCurve === info.curve;
    case 'okp':
      return a.name === 'Ed25519';
  }
}

function params(alg: Algorithm): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  const info = ALGORITHMS[alg];
  switch (info.family) {
    case 'hmac':
      return 'HMAC';
    case 'rsa':
      return info.pss ? { name: 'RSA-PSS', saltLength: info.hashBytes } : 'RSASSA-PKCS1-v1_5';
    case 'ec':
      return { name: 'ECDSA', hash: info.hash as string };
    case 'okp':
      return 'Ed25519';
  }
}

/** The WebCrypto backend: every runtime with `crypto.subtle`. */
export function createWebBackend(): SignatureBackend {
  return {
    name: 'webcrypto',
    async prepare(material: KeyMaterial, alg: Algorithm): Promise<CryptoKey> {
      const key = await importFor(material, alg);
      if (!matches(key, alg)) throw new TypeError(`this key cannot be used with ${alg}`);
      return key;
    },
    // Not async: WebCrypto's own promise is handed back as it is, one promise fewer per check.
    verify(alg: Algorithm, handle: unknown, signingInput: string, signature: string): boolean | Promise<boolean> {
      const bytes = decodeBase64url(signature);
      const expected = ALGORITHMS[alg].signatureBytes;
      if (bytes === null || (expected !== undefined && bytes.length !== expected)) return false;
      return crypto.subtle.verify(params(alg), handle as CryptoKey, bytes as Uint8Array<ArrayBuffer>, encoder.encode(signingInput));
    },
    decodeText(segment: string): string {
      const bytes = decodeBase64url(segment);
      if (bytes === null) throw new TypeError('not base64url');
      return decodeUtf8(bytes);
    },
  };
}
