// The JWS algorithms jwt-gate verifies and signs, and what each requires of its key.

export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type AsymmetricAlgorithm =
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA' | 'Ed25519';
/** A JWS algorithm jwt-gate accepts. `none` is not one and never will be. */
export type Algorithm = HmacAlgorithm | AsymmetricAlgorithm;

export type KeyFamily = 'hmac' | 'rsa' | 'ec' | 'okp';

export interface AlgorithmInfo {
  readonly family: KeyFamily;
  /** WebCrypto hash name. */
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined;
  /** node:crypto digest name. */
  readonly digest: 'sha256' | 'sha384' | 'sha512' | undefined;
  /** Hash output in bytes: the minimum HMAC secret length (RFC 7518 §3.2) and the PSS salt length. */
  readonly hashBytes: number;
  readonly pss: boolean;
  /** EC curve, for ES*. */
  readonly curve: 'P-256' | 'P-384' | 'P-521' | undefined;
  /** Exact signature length in bytes where fixed (ES* R||S, RFC 7518 §3.4; Ed25519). */
  readonly signatureBytes: number | undefined;
}

const info = (
  family: KeyFamily,
  bits: 256 | 384 | 512 | 0,
  extra: Partial<AlgorithmInfo> = {},
): AlgorithmInfo => ({
  family,
  hash: bits === 0 ? undefined : (`SHA-${bits}` as AlgorithmInfo['hash']),
  digest: bits === 0 ? undefined : (`sha${bits}` as AlgorithmInfo['digest']),
  hashBytes: bits / 8,
  pss: false,
  curve: undefined,
  signatureBytes: undefined,
  ...extra,
});

export const ALGORITHMS: { readonly [A in Algorithm]: AlgorithmInfo } = {
  HS256: info('hmac', 256),
  HS384: info('hmac', 384),
  HS512: info('hmac', 512),
  RS256: info('rsa', 256),
  RS384: info('rsa', 384),
  RS512: info('rsa', 512),
  PS256: info('rsa', 256, { pss: true }),
  PS384: info('rsa', 384, { pss: true }),
  PS512: info('rsa', 512, { pss: true }),
  ES256: info('ec', 256, { curve: 'P-256', signatureBytes: 64 }),
  ES384: info('ec', 384, { curve: 'P-384', signatureBytes: 96 }),
  ES512: info('ec', 512, { curve: 'P-521', signatureBytes: 132 }),
  EdDSA: info('okp', 0, { signatureBytes: 64 }),
  Ed25519: info('okp', 0, { signatureBytes: 64 }),
};

export const HMAC_ALGORITHMS: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];

/** Own-property lookup, so `alg: "constructor"` or `"__proto__"` is simply unknown. */
export function algorithmInfo(alg: unknown): AlgorithmInfo | undefined {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg as Algorithm] : undefined;
}

export const MIN_RSA_BITS = 2048;

/** The EC algorithm for a curve. */
export function ecAlgorithmFor(curve: string): Algorithm | undefined {
  return curve === 'P-256' ? 'ES256' : curve === 'P-384' ? 'ES384' : curve === 'P-521' ? 'ES512' : undefined;
}
