/**
 * `createIssuer`: signing tokens with the same defaults the verifier enforces, from one key or a
 * key set that rotates, optionally encrypted (nested JWT) for the recipient.
 *
 * @module
 */

import { SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { createEncryptor, type EncryptionOptions, type Encryptor } from '../jwe/encrypt.js';
import { createKeySet, isKeySet, keySetState, type KeySet, type KeySetEntry } from '../keys/key-set.js';
import type { PrivateKeyInput } from '../keys/signing-key.js';
import type { Algorithm } from '../jose/algorithms.js';
import { ownOptions } from '../internal/options.js';
import { randomBase64url } from '../jose/base64url.js';
import type { SecretInput } from '../keys/public-key.js';
import { isKeyPair } from '../keys/key-forms.js';

/** Options of {@link createIssuer}: who signs, for whom, with which key, for how long. */
export interface IssuerOptions {
  /** The `iss` of every token. */
  issuer: string;
  /** The default `aud` (a `sign()` call may name another). */
  audience: string | readonly string[];
  /** An HMAC secret (HS256, HS384, HS512), at least as long as the hash output: 32, 48 or 64 bytes. */
  secret?: SecretInput;
  /**
   * A private key (RS*, PS*, ES*, EdDSA): a {@link SigningKey}, a PKCS#8 PEM, a private JWK, a
   * CryptoKey (or CryptoKeyPair) or a KeyObject.
   */
  privateKey?: PrivateKeyInput;
  /** A key set (from `createKeySet`), for rotation: its active key signs. Instead of `secret` or `privateKey`. */
  keys?: KeySet;
  /**
   * The algorithm of `secret` or `privateKey`, where the key allows several. Default HS256 for
   * secrets; for private keys the JWK's `alg` or the CryptoKey's own algorithm, else RS256, the
   * curve's ES256/ES384/ES512, or EdDSA.
   */
  algorithm?: Algorithm;
  /** The `kid` of `secret` or `privateKey`. Default: the RFC 7638 thumbprint of the key. */
  kid?: string;
  /** Token lifetime in seconds. Default 900 (15 minutes). */
  expiresIn?: number;
  /** The `typ` header. Default `at+jwt` (RFC 9068), which the verifier's `tokenType` checks. */
  tokenType?: string;
  /**
   * Encrypt every token to this key after signing it (a nested JWT, RFC 7519 §5.2, `cty: "JWT"`),
   * for claims the bearer must not read. Default: not encrypted.
   */
  encryption?: EncryptionOptions;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** Per-token options of {@link Issuer.sign}. */
export interface SignOptions {
  /** The `aud` of this token instead of the issuer's default. */
  audience?: string | readonly string[];
  /** The lifetime of this token, in seconds. */
  expiresIn?: number;
  /** The `typ` header of this token (`rt+jwt` for refresh tokens, for example). */
  tokenType?: string;
  /** False signs without encrypting, for tokens the issuer reads back itself. Default: encrypt when `encryption` is set. */
  encrypt?: boolean;
  /**
   * Binds the token to a DPoP key (RFC 9449 §6): its RFC 7638 SHA-256 thumbprint (the `jkt` of
   * a proof checked by `createDPoPVerifier`), set as `cnf.jkt`. Answer such a token with
   * `token_type: "DPoP"`. Default: a Bearer token.
   */
  jkt?: string;
}

/** Signs tokens and publishes the public keys that verify them. */
export interface Issuer {
  /**
   * Signs `claims` into a compact JWS (or, with `encryption`, a JWE around it). Adds `iss`,
   * `aud`, `iat`, `exp` and a random 128-bit `jti`; the header carries `alg`, `typ` and `kid`.
   * Those registered claims are the issuer's to set: a claims object naming `iss`, `aud`,
   * `iat`, `exp`, `nbf` or `jti` is refused with a TypeError (so request data can never
   * stretch a token's lifetime or audience). `sub` is required for `at+jwt` tokens (RFC 9068 §2.2).
   */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** The public JWKS to serve at `/.well-known/jwks.json` (empty for HMAC: secrets are never published). */
  jwks(): Promise<JSONWebKeySet>;
  /** Resolves once the keys are imported; rejects with the configuration error otherwise. */
  ready(): Promise<void>;
  /** The issuer identifier. */
  readonly issuer: string;
  /** The default audiences. */
  readonly audience: readonly string[];
  /** The signing keys: rotate them here. */
  readonly keys: KeySet;
}

// Registered claims the issuer sets itself (RFC 7519 §4.1); `sub` stays the caller's.
const RESERVED = ['iss', 'aud', 'iat', 'exp', 'nbf', 'jti'];

function audiences(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as unknown[])] : [];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new TypeError(`${where} is required: a non-empty string or array of strings`);
  }
  return list as string[];
}

function lifetime(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${where} must be a positive number of seconds`);
  return value;
}

function tokenTypeOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value)) throw new TypeError(`${where} must be a short media type such as "at+jwt"`);
  return value;
}

const ISSUER_OPTIONS = ['issuer', 'audience', 'secret', 'privateKey', 'keys', 'algorithm', 'kid', 'expiresIn', 'tokenType', 'encryption', 'clock'];
const SIGN_OPTIONS = ['audience', 'expiresIn', 'tokenType', 'encrypt', 'jkt'];
// A SHA-256 thumbprint in base64url: 43 characters.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Creates an issuer. Options and keys are checked now: a weak secret, an RSA key under 2048
 * bits, an algorithm the key cannot serve or a misplaced option throws a TypeError or
 * RangeError. Keys are imported once, in the background (`ready()` reports the outcome).
 *
 * @example An HMAC secret
 * ```ts
 * const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api', secret: process.env.JWT_SECRET });
 * const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
 * ```
 *
 * @example A key pair, its JWKS published for the APIs
 * ```ts
 * const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api', privateKey: await generateSigningKey('ES256') });
 * app.get('/.well-known/jwks.json', async (req, res) => res.set('Cache-Control', 'public, max-age=300').json(await issuer.jwks()));
 * ```
 */
export function createIssuer(input: IssuerOptions): Issuer {
  if (typeof input !== 'object' || input === null) throw new TypeError('createIssuer needs an options object');
  const options = ownOptions(input, 'createIssuer', ISSUER_OPTIONS);
  const issuer = options.issuer;
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('issuer is required: the exact `iss` value of the tokens');
  const defaultAudiences = Object.freeze(audiences(options.audience, 'audience'));
  const expiresIn = options.expiresIn === undefined ? 900 : lifetime(options.expiresIn, 'expiresIn');
  const tokenType = options.tokenType === undefined ? 'at+jwt' : tokenTypeOf(options.tokenType, 'tokenType');
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');

  const sources = (['secret', 'privateKey', 'keys'] as const).filter((name) => options[name] !== undefined);
  if (sources.length !== 1) throw new TypeError('give exactly one signing key: secret, privateKey or keys');
  let keys: KeySet;
  if (options.keys !== undefined) {
    if (!isKeySet(options.keys)) throw new TypeError('keys must be a key set made by createKeySet');
    if (options.algorithm !== undefined || options.kid !== undefined) throw new TypeError('with keys, set algorithm and kid on each key of the set');
    keys = options.keys;
  } else {
    const entry = options.secret !== undefined
      ? { secret: options.secret, algorithm: options.algorithm, kid: options.kid }
      : privateKeyEntry(options.privateKey as PrivateKeyInput, options.algorithm, options.kid);
    keys = createKeySet([entry as KeySetEntry]);
  }
  const encryptor: Encryptor | undefined = options.encryption === undefined ? undefined : createEncryptor(options.encryption);

  return Object.freeze({
    issuer,
    audience: defaultAudiences,
    keys,
    async sign(claims: JWTPayload, signOptions: SignOptions = {}): Promise<string> {
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('claims must be an object');
      if (typeof signOptions !== 'object' || signOptions === null) throw new TypeError('sign options must be an object');
      signOptions = ownOptions(signOptions, 'sign', SIGN_OPTIONS);
      const reserved = RESERVED.filter((name) => Object.hasOwn(claims, name));
      if (reserved.length > 0) {
        throw new TypeError(`claims must not set ${reserved.join(', ')}: the issuer sets them (use createIssuer or sign options for audience and lifetime)`);
      }
      const jkt = signOptions.jkt;
      if (jkt !== undefined && (typeof jkt !== 'string' || !THUMBPRINT.test(jkt))) throw new TypeError('jkt must be a SHA-256 JWK thumbprint in base64url (a DPoP proof\'s jkt)');
      if (jkt !== undefined && Object.hasOwn(claims, 'cnf')) throw new TypeError('give the DPoP key as jkt or the claims a cnf, not both');
      const typ = signOptions.tokenType === undefined ? tokenType : tokenTypeOf(signOptions.tokenType, 'tokenType');
      const aud = signOptions.audience === undefined ? defaultAudiences : audiences(signOptions.audience, 'audience');
      const ttl = signOptions.expiresIn === undefined ? expiresIn : lifetime(signOptions.expiresIn, 'expiresIn');
      const sub = Object.hasOwn(claims, 'sub') ? claims.sub : undefined;
      if (sub !== undefined && (typeof sub !== 'string' || sub.length === 0)) throw new TypeError('sub must be a non-empty string');
      if (sub === undefined && typ.toLowerCase().replace(/^application\//, '') === 'at+jwt') {
        throw new TypeError('access tokens (typ at+jwt) need a sub (RFC 9068 §2.2): the user or client they were issued to');
      }
      const { active } = await keySetState(keys);
      const now = Math.floor(clock() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        ...(sub === undefined ? {} : { sub }),
        aud: aud.length === 1 ? (aud[0] as string) : [...aud],
        iat: now,
        exp: now + ttl,
        jti: randomBase64url(),
      };
      for (const [name, value] of Object.entries(claims)) if (name !== 'sub' && name !== '__proto__') (payload as Record<string, unknown>)[name] = value;
      if (jkt !== undefined) payload.cnf = { jkt };
      const jws = await new SignJWT(payload).setProtectedHeader({ alg: active.algorithm, typ, kid: active.kid }).sign(active.signingKey);
      return encryptor === undefined || signOptions.encrypt === false ? jws : encryptor.encrypt(jws);
    },
    jwks: () => keys.jwks(),
    async ready() {
      await Promise.all([keys.ready(), encryptor?.ready()]);
    },
  });
}

// A SigningKey or CryptoKeyPair brings its public key along (and a SigningKey its kid and algorithm).
function privateKeyEntry(input: PrivateKeyInput, algorithm: unknown, kid: unknown): unknown {
  if (!isKeyPair(input)) return { privateKey: input, algorithm, kid };
  const key = input as CryptoKeyPair & { algorithm?: unknown; kid?: unknown };
  return { privateKey: { privateKey: key.privateKey, publicKey: key.publicKey }, algorithm: algorithm ?? key.algorithm, kid: kid ?? key.kid };
}
