import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';

/** Algorithms the factories can mint tokens for. */
export type TestAlgorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA';

/** A key for tests: the signing key plus every public form of it. */
export interface TestKey {
  readonly alg: TestAlgorithm;
  readonly kid: string;
  /** The signing key (a CryptoKey, or the secret bytes for HS*). */
  readonly privateKey: CryptoKey | Uint8Array;
  /** The public CryptoKey (undefined for HS*). */
  readonly publicKey: CryptoKey | undefined;
  /** SPKI PEM of the public key (undefined for HS*). */
  readonly publicPem: string | undefined;
  /** The public JWK with `kid`, `alg` and `use` (undefined for HS*). */
  readonly publicJwk: JWK | undefined;
  /** The HMAC secret as a string (HS* only). */
  readonly secret: string | undefined;
}

let counter = 0;

/** A random string secret of `bytes` bytes of entropy (base64url, so longer in characters). */
export function randomSecret(bytes = 48): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let text = '';
  for (const byte of raw) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/={1,2}$/, '');
}

/** Generates a key for `alg`, extractable, with a unique `kid`. */
export async function createTestKey(alg: TestAlgorithm, options: { kid?: string; modulusLength?: number } = {}): Promise<TestKey> {
  const kid = options.kid ?? `test-key-${++counter}`;
  if (alg.startsWith('HS')) {
    const bytes = { HS256: 32, HS384: 48, HS512: 64 }[alg as 'HS256'];
    const secret = randomSecret(bytes);
    return { alg, kid, privateKey: new TextEncoder().encode(secret), publicKey: undefined, publicPem: undefined, publicJwk: undefined, secret };
  }
  const pair = await generateKeyPair(alg, {
    extractable: true,
    ...(options.modulusLength === undefined ? {} : { modulusLength: options.modulusLength }),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(pair.publicKey);
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: await exportSPKI(pair.publicKey),
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    secret: undefined,
  };
}

/** Options of {@link signToken}. */
export interface SignTokenOptions {
  /** Extra or overriding protected header members. `kid` defaults to the key's. */
  header?: Record<string, unknown>;
  /** Seconds from now for `exp`; `null` leaves `exp` out. Default 900. */
  expiresIn?: number | null;
  /** `iat` in seconds; `null` leaves it out. Default now. */
  issuedAt?: number | null;
  /** Current time in seconds. Default now. */
  now?: number;
}

/** Signs a JWT with a test key. Claims given explicitly win over the defaults. */
export async function signToken(key: TestKey, claims: JWTPayload & Record<string, unknown>, options: SignTokenOptions = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {};
  if (options.issuedAt !== null) payload['iat'] = options.issuedAt ?? now;
  if (options.expiresIn !== null) payload['exp'] = now + (options.expiresIn ?? 900);
  Object.assign(payload, claims);
  const jwt = new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header } as never);
  return jwt.sign(key.privateKey);
}

/** base64url of a string's UTF-8 bytes, or of raw bytes. */
export function b64url(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/={1,2}$/, '');
}

/** Builds a compact token from raw header and payload JSON text and a signature (no signing). */
export function rawToken(headerJson: string, payloadJson: string, signature = 'c2lnbmF0dXJl'): string {
  return `${b64url(headerJson)}.${b64url(payloadJson)}.${signature}`;
}

/** HMAC-signs raw header and payload JSON text exactly as given (duplicate members and all). */
export async function hmacRaw(secret: string | Uint8Array, headerJson: string, payloadJson: string, hash: 'SHA-256' | 'SHA-384' | 'SHA-512' = 'SHA-256'): Promise<string> {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const keyBytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const key = await crypto.subtle.importKey('raw', keyBytes as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
  return `${input}.${b64url(mac)}`;
}
