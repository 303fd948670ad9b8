import type { JWK } from 'jose';
import type { Algorithm } from '../jose/algorithms.js';

/** The minimal shape of a node:crypto KeyObject that jwt-gate reads, kept free of Node types. */
export interface KeyObjectLike {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
  readonly asymmetricKeyDetails?: { modulusLength?: number; namedCurve?: string; publicExponent?: bigint } | undefined;
  readonly symmetricKeySize?: number | undefined;
  export(options: { format: 'jwk' }): JWK;
}

/** Key material in one of the forms jwt-gate accepts, after validation. */
export type KeyMaterial =
  | { readonly kind: 'secret'; readonly bytes: Uint8Array }
  | { readonly kind: 'spki'; readonly pem: string }
  | { readonly kind: 'x509'; readonly pem: string }
  | { readonly kind: 'jwk'; readonly jwk: JWK }
  | { readonly kind: 'crypto-key'; readonly key: CryptoKey }
  | { readonly kind: 'key-object'; readonly key: KeyObjectLike };

/**
 * Signature checking, separated so that Node can use node:crypto KeyObjects (synchronous, and
 * cheaper than WebCrypto there) while every other runtime uses WebCrypto. Both
 * run the same checks; the differential tests hold them equal.
 */
export interface SignatureBackend {
  readonly name: 'node' | 'webcrypto';
  /** Prepares a key for one algorithm: done once per key, never per request. */
  prepare(material: KeyMaterial, alg: Algorithm): unknown;
  /**
   * Verifies the signature, given as its canonical base64url segment, over the ASCII
   * `signingInput`. (The segment, not bytes: an HMAC compares encoded digests directly.)
   */
  verify(alg: Algorithm, handle: unknown, signingInput: string, signature: string): boolean | Promise<boolean>;
  /** Decodes a canonical base64url segment as strict UTF-8 (RFC 8725 §3.7); throws on invalid UTF-8. */
  decodeText(segment: string): string;
}
