/**
 * `createVerifier`: JSON Web Token verification with every security default on.
 *
 * @module
 */

import type { JSONWebKeySet, JWK, JWTHeaderParameters, JWTPayload } from 'jose';
import { isChallengeText } from '../errors/challenge.js';
import { AuthError } from '../errors/auth-error.js';
import { createDiscovery, type Discovery, type IssuerMetadata } from '../keys/discovery.js';
import { createRemoteJwks, REMOTE_JWKS_OPTIONS, type JwksCacheSnapshot, type RemoteJwks, type RemoteJwksOptions } from '../keys/remote-jwks.js';
import { createDecryptor, type DecryptionOptions } from '../jwe/jwe.js';
import { ALGORITHMS, ASYMMETRIC_ALGORITHMS, type Algorithm, algorithmInfo } from '../jose/algorithms.js';
import { validateClaims, type ClaimRules } from './claims.js';
import { deepFreeze, isCompactJwe, parseCompactJws, type ParsedJws } from '../jose/compact.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { defaultBackend } from '../crypto/select.js';
import { describeJwk, describePublicKey, describeSecret, type KeyDescriptor, type PublicKeyInput, type SecretInput } from '../keys/public-key.js';
import { createRemoteStore, createStaticStore, type KeyStore, type PreparedKey } from './key-store.js';
import type { JsonObject } from '../jose/json.js';
import { own, ownOptions } from '../internal/options.js';
import { createTokenCache, type TokenCache } from './token-cache.js';

export type { Algorithm } from '../jose/algorithms.js';
export type { PublicKeyInput, SecretInput } from '../keys/public-key.js';

/** One trusted issuer: who it is, which audience its tokens must name, and its keys. */
export interface TrustedIssuer {
  /** The exact `iss` value of this issuer's tokens (compared as a string, no normalisation). */
  issuer: string;
  /**
   * The audience (or audiences) this service accepts; a token's `aud` must name one of them.
   * `null` turns the check off, deliberately (RFC 8725 §3.9 explains why you rarely want that).
   * In `issuers` entries, defaults to the top-level `audience`.
   */
  audience?: string | readonly string[] | null;
  /**
   * The algorithm allow-list for this issuer's keys. Default: what the keys themselves imply
   * (HS256 for secrets; RS256, the curve's ES* or EdDSA for public keys; every asymmetric
   * algorithm a JWKS key's type allows). Never inferred from a token; `none` is never allowed;
   * HMAC and asymmetric algorithms never mix.
   */
  algorithms?: readonly Algorithm[];
  /** HMAC secret(s), at least 32 bytes each. Several at once for rotation. */
  secret?: SecretInput | readonly SecretInput[];
  /** Public key(s): PEM SPKI, X.509 certificate PEM, public JWK, CryptoKey or KeyObject. */
  publicKey?: PublicKeyInput | readonly PublicKeyInput[];
  /** A local JSON Web Key Set. */
  jwks?: JSONWebKeySet;
  /** A remote JWKS: its URL, or a {@link RemoteJwks} shared with other verifiers. */
  jwksUri?: string | URL | RemoteJwks;
  /**
   * Find the JWKS through the issuer's metadata (`/.well-known/openid-configuration`, then
   * RFC 8414 `/.well-known/oauth-authorization-server`). `true`, or the metadata URL itself.
   */
  discovery?: boolean | string;
  /**
   * The required `typ` for this issuer's tokens, overriding the top-level `tokenType` (an
   * identity provider may issue `typ: JWT` while your own issuer uses `at+jwt`).
   */
  tokenType?: string | readonly string[];
}

/** How remote key sets and discovery fetch. */
export type RemoteOptions = Omit<RemoteJwksOptions, 'cache' | 'clock'>;

/** Options of {@link createVerifier}: one issuer's fields, or `issuers`, plus claim rules. */
export interface VerifierOptions extends Partial<TrustedIssuer> {
  /** Several trusted issuers, each with its own keys, algorithms and audience. */
  issuers?: readonly TrustedIssuer[];
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. Finite, 0 to 300. Default 5. */
  clockTolerance?: number;
  /** Refuse tokens whose `iat` is more than this many seconds ago (requires `iat`). */
  maxTokenAge?: number;
  /**
   * The required `typ` header, e.g. `at+jwt` (`application/at+jwt` is the same; case-insensitive).
   * Default: not checked, unless `profile` sets it.
   */
  tokenType?: string | readonly string[];
  /**
   * `rfc9068`: OAuth 2.0 JWT access tokens. Requires `typ: at+jwt` and the claims `iss`, `exp`,
   * `aud`, `sub`, `client_id`, `iat` and `jti`.
   */
  profile?: 'rfc9068';
  /** Claims that must be present. */
  requiredClaims?: readonly string[];
  /** Require `exp`. Default true; turning it off accepts tokens that never expire. */
  requireExpiration?: boolean;
  /** Tokens longer than this many characters are refused before decoding. Default 8192. */
  maxTokenSize?: number;
  /**
   * Accept encrypted tokens (nested JWTs: a signed JWS inside a JWE with `cty: "JWT"`). The JWE
   * is decrypted with these keys and allow-listed algorithms, then the inner JWS is verified
   * like any token. Default: off, and a JWE is refused with `ERR_JWE_NOT_ACCEPTED`.
   */
  decryption?: DecryptionOptions;
  /**
   * Refuse signed tokens that arrive unencrypted (`ERR_ENCRYPTION_REQUIRED`), for APIs whose
   * tokens carry claims the bearer must not read. Needs `decryption`. Default false: with
   * `decryption` set, both encrypted and plain signed tokens are accepted.
   */
  requireEncryption?: boolean;
  /** Called after a token verified, before it is accepted; true refuses it (ERR_TOKEN_REVOKED). */
  isRevoked?: RevocationCheck;
  /** Fetch settings for `jwksUri` and `discovery`. */
  remote?: RemoteOptions;
  /** A cache exported with {@link Verifier.exportCache}, to start without fetching. */
  cache?: VerifierCacheSnapshot;
  /**
   * The verified-token cache: a token seen before skips its signature check. On by default
   * (1000 entries); `false` turns it off. Safe by construction: keyed by the whole token, owned
   * by this verifier, served only while the token's `exp`, `nbf` and `maxTokenAge` allow,
   * dropped when its key leaves the key set; revocation and policies run on every hit.
   */
  tokenCache?: false | { maxEntries?: number };
  /** The realm in `WWW-Authenticate` challenges. Default `"api"`. */
  realm?: string;
  /** Current time in milliseconds (tests, replay). Default `Date.now`. */
  clock?: () => number;
}

/** A revocation check: a function, or any object with an `isRevoked` method (such as a revocation store). */
export type RevocationCheck =
  | ((token: VerifiedToken) => boolean | Promise<boolean>)
  | { isRevoked(token: VerifiedToken): boolean | Promise<boolean> };

/** A verified token. */
export interface VerifiedToken<TClaims extends JWTPayload = JWTPayload> {
  /** The verified claims, frozen: a result may be shared by every request with this token. */
  readonly claims: TClaims;
  /** The protected header. Read-only, like the claims. */
  readonly header: JWTHeaderParameters;
  /** The trusted issuer that matched. */
  readonly issuer: string;
  /** The token as received. */
  readonly token: string;
}

type VerifyNow = (token: string) => VerifiedToken | Promise<VerifiedToken>;
interface Internals {
  /** Verifies synchronously as far as it can go; throws on failure. */
  readonly now: VerifyNow;
  /** The cached verification of exactly this token string, or undefined. */
  readonly cached: (token: string) => VerifiedToken | Promise<VerifiedToken> | undefined;
}
const INTERNALS = new WeakMap<object, Internals>();

/**
 * @internal For the authenticator, a verifier's synchronous-where-possible paths (undefined for
 * an object this module did not make).
 */
export function verifierInternals(verifier: object): Internals | undefined {
  return INTERNALS.get(verifier);
}

/** A persisted copy of a verifier's remote state, for serverless cold starts. */
export interface VerifierCacheSnapshot {
  /** Key sets by JWKS URL. */
  readonly jwks?: Readonly<Record<string, JwksCacheSnapshot>>;
  /** Discovered metadata by issuer. */
  readonly metadata?: Readonly<Record<string, IssuerMetadata>>;
}

/** Verifies tokens. Create one per configuration and reuse it for every request. */
export interface Verifier<TClaims extends JWTPayload = JWTPayload> {
  /** Verifies a compact JWS; rejects with an {@link AuthError}. */
  verify(token: string): Promise<VerifiedToken<TClaims>>;
  /** Resolves once keys are prepared and remote key sets first fetched; rejects if that fails. */
  ready(): Promise<void>;
  /** The realm of this verifier's challenges. */
  readonly realm: string;
  /** The trusted issuers. */
  readonly issuers: readonly string[];
  /** The remote state (key sets, metadata) to persist and pass back as `cache` later. */
  exportCache(): VerifierCacheSnapshot;
}

interface Trusted {
  readonly issuer: string;
  readonly tokenTypes: ReadonlySet<string> | undefined;
  readonly allowed: ReadonlySet<Algorithm>;
  readonly keys: KeyStore;
  readonly rules: ClaimRules;
  readonly remote: RemoteJwks | Discovery | undefined;
}

const SOURCES = ['secret', 'publicKey', 'jwks', 'jwksUri', 'discovery'] as const;
const REMOTE_OPTIONS = REMOTE_JWKS_OPTIONS.filter((name) => name !== 'cache' && name !== 'clock');
const ISSUER_KEYS = new Set<string>(['issuer', 'audience', 'algorithms', 'tokenType', ...SOURCES]);
const VERIFIER_KEYS = new Set<string>([
  ...ISSUER_KEYS,
  'issuers', 'clockTolerance', 'maxTokenAge', 'tokenType', 'profile', 'requiredClaims', 'requireExpiration',
  'maxTokenSize', 'decryption', 'requireEncryption', 'isRevoked', 'remote', 'cache', 'tokenCache', 'realm', 'clock',
]);

const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

function list<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function normalizeType(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

function typeSet(value: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  const types = list(value);
  if (!types.every((t) => typeof t === 'string' && t.length > 0)) throw new TypeError('tokenType must be a string or an array of strings');
  return types.length === 0 ? undefined : new Set(types.map(normalizeType));
}

function seconds(name: string, value: number | undefined, fallback: number | undefined, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be a finite number of seconds between 0 and ${max}`);
  }
  return value;
}

function isRemoteJwks(value: unknown): value is RemoteJwks {
  return typeof value === 'object' && value !== null && typeof (value as RemoteJwks).refresh === 'function' && typeof (value as RemoteJwks).keys === 'function';
}

function checkAlgorithms(where: string, algorithms: readonly Algorithm[] | undefined): Algorithm[] | undefined {
  if (algorithms === undefined) return undefined;
  if (!Array.isArray(algorithms as unknown) || algorithms.length === 0) throw new TypeError(`${where}: algorithms must be a non-empty array`);
  for (const alg of algorithms as readonly unknown[]) {
    if (algorithmInfo(alg) === undefined) {
      throw new TypeError(`${where}: unsupported algorithm ${JSON.stringify(String(alg)).slice(0, 40)}; use ${Object.keys(ALGORITHMS).join(', ')}`);
    }
  }
  const hmac = algorithms.filter((alg) => ALGORITHMS[alg].family === 'hmac');
  if (hmac.length > 0 && hmac.length < algorithms.length) {
    throw new TypeError(`${where}: HMAC (HS*) and asymmetric algorithms cannot share one issuer's keys (algorithm confusion, RFC 8725 §2.1)`);
  }
  return [...algorithms];
}

function checkAudience(where: string, audience: unknown): readonly string[] | null {
  if (audience === null) return null;
  const values = list(audience as string | readonly string[] | undefined);
  if (audience === undefined || values.length === 0 || !values.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new TypeError(`${where}: audience is required (a string or an array of strings); pass null only to deliberately accept any audience`);
  }
  return Object.freeze(values);
}

/**
 * Creates a verifier. All options are validated and copied now; keys are imported now (and
 * remote key sets fetched on first use), so `verify` does only per-token work.
 *
 * @example An HMAC secret
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'orders-api', secret: process.env.JWT_SECRET });
 * const { claims } = await verifier.verify(token);
 * ```
 *
 * @example An identity provider, through discovery
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com', discovery: true, profile: 'rfc9068' });
 * ```
 */
export function createVerifier<TClaims extends JWTPayload = JWTPayload>(options: VerifierOptions): Verifier<TClaims> {
  return buildVerifier<TClaims>(options, defaultBackend());
}

/** @internal The verifier on a chosen signature backend (the differential tests use both). */
export function buildVerifier<TClaims extends JWTPayload = JWTPayload>(input: VerifierOptions, backend: SignatureBackend): Verifier<TClaims> {
  if (typeof input !== 'object' || input === null) throw new TypeError('createVerifier needs an options object');
  // Own properties only, copied now: a misspelt option is refused, an inherited one never read.
  const options: VerifierOptions = ownOptions(input, 'createVerifier', [...VERIFIER_KEYS]);
  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string' || realm.length === 0 || !isChallengeText(realm)) {
    throw new TypeError('realm must be printable ASCII without quotes or backslashes');
  }
  const clockTolerance = seconds('clockTolerance', options.clockTolerance, 5, 300) as number;
  const maxTokenAge = seconds('maxTokenAge', options.maxTokenAge, undefined, Number.MAX_SAFE_INTEGER);
  const maxTokenSize = options.maxTokenSize ?? 8192;
  if (!Number.isInteger(maxTokenSize) || maxTokenSize < 64 || maxTokenSize > 1_048_576) {
    throw new RangeError('maxTokenSize must be an integer between 64 and 1048576');
  }
  if (options.profile !== undefined && options.profile !== 'rfc9068') throw new TypeError('profile must be "rfc9068"');
  const rfc9068 = options.profile === 'rfc9068';
  const tokenTypes = typeSet(options.tokenType ?? (rfc9068 ? 'at+jwt' : undefined));
  const requiredClaims = [...new Set([...list(options.requiredClaims), ...(rfc9068 ? RFC9068_CLAIMS : [])])];
  if (!requiredClaims.every((c) => typeof c === 'string' && c.length > 0)) throw new TypeError('requiredClaims must be claim names');
  const requireExpiration = options.requireExpiration ?? true;
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  const revocation = options.isRevoked;
  const isRevoked =
    revocation === undefined
      ? undefined
      : typeof revocation === 'function'
        ? revocation
        : typeof revocation.isRevoked === 'function'
          ? (token: VerifiedToken) => revocation.isRevoked(token)
          : undefined;
  if (revocation !== undefined && isRevoked === undefined) throw new TypeError('isRevoked must be a function or an object with an isRevoked method');
  const remoteOptions: RemoteJwksOptions = { ...ownOptions(options.remote, 'remote', REMOTE_OPTIONS), clock };
  const decryptor = options.decryption === undefined ? undefined : createDecryptor(options.decryption, { realm, maxTokenSize });
  const requireEncryption = options.requireEncryption ?? false;
  if (typeof requireEncryption !== 'boolean') throw new TypeError('requireEncryption must be a boolean');
  if (requireEncryption && decryptor === undefined) throw new TypeError('requireEncryption needs `decryption`: the keys that decrypt the tokens');
  const cache = options.cache === undefined ? undefined : ownOptions(options.cache, 'cache', ['jwks', 'metadata']);
  const cacheOption = options.tokenCache ?? {};
  if (cacheOption !== false && (typeof cacheOption !== 'object' || cacheOption === null)) throw new TypeError('tokenCache must be false or { maxEntries }');
  if (cacheOption !== false) ownOptions(cacheOption, 'tokenCache', ['maxEntries']);
  const maxEntries = cacheOption === false ? 0 : (own(cacheOption, 'maxEntries') ?? 1000);
  if (!Number.isInteger(maxEntries) || maxEntries < 0 || maxEntries > 10_000_000) throw new RangeError('tokenCache.maxEntries must be an integer from 0 to 10000000');
  const tokenCache: TokenCache<VerifiedToken<TClaims>> | undefined = maxEntries === 0 ? undefined : createTokenCache(maxEntries);

  if (options.issuers !== undefined && (options.issuer !== undefined || SOURCES.some((s) => options[s] !== undefined))) {
    throw new TypeError('use either `issuers: [...]` or the single-issuer options (issuer, keys), not both');
  }
  if (options.issuers !== undefined && !Array.isArray(options.issuers)) throw new TypeError('issuers must be an array of trusted issuers');
  // Each entry a prototype-less copy: what an entry leaves out is never read from elsewhere.
  const entries: TrustedIssuer[] =
    options.issuers !== undefined
      ? options.issuers.map((given, index) => {
          const entry = ownOptions(given, `issuers[${index}]`, [...ISSUER_KEYS]);
          return Object.assign(Object.create(null) as object, {
            ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
            ...entry,
            audience: entry.audience === undefined ? options.audience : entry.audience,
          }) as TrustedIssuer;
        })
      : [options as TrustedIssuer];
  if (entries.length === 0) throw new TypeError('issuers must list at least one issuer');

  const trusted = new Map<string, Trusted>();
  for (const [index, entry] of entries.entries()) {
    const where = options.issuers === undefined ? 'createVerifier' : `issuers[${index}]`;
    if (typeof entry.issuer !== 'string' || entry.issuer.length === 0) {
      throw new TypeError(`${where}: issuer is required, exactly as it appears in the tokens' iss claim`);
    }
    if (trusted.has(entry.issuer)) throw new TypeError(`${where}: issuer listed twice`);
    const sources = SOURCES.filter((s) => entry[s] !== undefined && entry[s] !== false);
    if (sources.length !== 1) {
      throw new TypeError(`${where}: give exactly one key source: secret, publicKey, jwks, jwksUri or discovery`);
    }
    const source = sources[0] as (typeof SOURCES)[number];
    const audiences = checkAudience(where, entry.audience);
    const requested = checkAlgorithms(where, entry.algorithms);

    let descriptors: KeyDescriptor[] | undefined;
    let remote: RemoteJwks | Discovery | undefined;
    if (source === 'secret') {
      const secrets = list(entry.secret as SecretInput | readonly SecretInput[]);
      if (secrets.length === 0) throw new TypeError(`${where}: secret is empty`);
      descriptors = secrets.map((s, i) => describeSecret(s, secrets.length > 1 ? `secret[${i}]` : 'secret'));
    } else if (source === 'publicKey') {
      const keys = list(entry.publicKey as PublicKeyInput | readonly PublicKeyInput[]);
      if (keys.length === 0) throw new TypeError(`${where}: publicKey is empty`);
      descriptors = keys.map((k, i) => describePublicKey(k, keys.length > 1 ? `publicKey[${i}]` : 'publicKey'));
    } else if (source === 'jwks') {
      const set = entry.jwks as JSONWebKeySet;
      if (typeof set !== 'object' || set === null || !Array.isArray(set.keys)) throw new TypeError(`${where}: jwks must be {"keys":[...]}`);
      descriptors = [];
      for (const [i, jwk] of set.keys.entries()) {
        const described = describeJwk(jwk as JWK, `jwks.keys[${i}]`, false);
        if (typeof described !== 'string') descriptors.push(described);
      }
      if (descriptors.length === 0) throw new TypeError(`${where}: jwks holds no usable public signature key`);
    } else if (source === 'jwksUri') {
      const uri = entry.jwksUri as string | URL | RemoteJwks;
      const snapshot = cache?.jwks === undefined ? undefined : own(cache.jwks, String(uri));
      remote = isRemoteJwks(uri) ? uri : createRemoteJwks(uri, { ...remoteOptions, ...(snapshot === undefined ? {} : { cache: snapshot }) });
    } else {
      const url = typeof entry.discovery === 'string' ? entry.discovery : undefined;
      remote = createDiscovery(entry.issuer, {
        ...remoteOptions,
        ...(url === undefined ? {} : { url }),
        ...(cache?.metadata === undefined || own(cache.metadata, entry.issuer) === undefined ? {} : { metadata: own(cache.metadata, entry.issuer) as IssuerMetadata }),
        ...(cache?.jwks === undefined ? {} : { jwksCache: cache.jwks }),
      });
    }

    let allowed: Set<Algorithm>;
    if (descriptors !== undefined) {
      // Two keys under one kid are ambiguous (a remote key set uses neither; createKeySet refuses them).
      const kids = descriptors.flatMap((d) => (d.kid === undefined ? [] : [d.kid]));
      if (new Set(kids).size !== kids.length) throw new TypeError(`${where}: two keys share one kid`);
      const hmac = descriptors[0]?.family === 'hmac';
      const possible = new Set(descriptors.flatMap((d) => d.algorithms));
      if (requested !== undefined) {
        if (requested.some((alg) => (ALGORITHMS[alg].family === 'hmac') !== hmac)) {
          throw new TypeError(`${where}: algorithms ${requested.join(', ')} do not fit ${hmac ? 'an HMAC secret' : 'public keys'}`);
        }
        const unserved = requested.filter((alg) => !possible.has(alg));
        if (unserved.length > 0) {
          throw new TypeError(`${where}: no configured key can verify ${unserved.join(', ')}${hmac ? ' (HS384 needs a 48-byte secret, HS512 64)' : ''}`);
        }
        allowed = new Set(requested);
      } else {
        allowed = new Set(descriptors.flatMap((d) => d.defaultAlgorithms));
      }
      remote = undefined;
    } else {
      if (requested?.some((alg) => ALGORITHMS[alg].family === 'hmac')) {
        throw new TypeError(`${where}: HMAC algorithms cannot be used with a JWKS; give the secret as \`secret\``);
      }
      allowed = new Set(requested ?? ASYMMETRIC_ALGORITHMS);
    }

    let keys: KeyStore;
    if (descriptors !== undefined) keys = createStaticStore(descriptors, allowed, backend);
    else if (isRemoteJwks(remote)) {
      const set = remote;
      keys = createRemoteStore({ now: () => set, resolve: async () => set }, allowed, backend);
    } else {
      const discovery = remote as Discovery;
      keys = createRemoteStore({ now: () => discovery.current, resolve: () => discovery.jwks() }, allowed, backend);
    }

    trusted.set(entry.issuer, {
      issuer: entry.issuer,
      tokenTypes: options.issuers !== undefined && entry.tokenType !== undefined ? typeSet(entry.tokenType) : tokenTypes,
      allowed,
      keys,
      remote,
      rules: Object.freeze({ audiences, clockTolerance, maxTokenAge, requireExpiration, requiredClaims, realm }),
    });
  }

  const fail = (code: ConstructorParameters<typeof AuthError>[0], extra: { claim?: string; reason?: string; cause?: unknown } = {}) =>
    new AuthError(code, { realm, ...extra });

  function checkHeader(parsed: ParsedJws): { alg: Algorithm; kid: string | undefined } {
    const { header } = parsed;
    const alg = header['alg'];
    if (typeof alg !== 'string') throw fail('ERR_TOKEN_MALFORMED', { reason: 'alg' });
    // RFC 7515 §4.1.11: we understand no extension, so any `crit` makes the token invalid.
    if (Object.hasOwn(header, 'crit')) throw fail('ERR_CRIT_UNSUPPORTED');
    // RFC 7797 unencoded payloads are not JWTs.
    if (Object.hasOwn(header, 'b64') && header['b64'] !== true) throw fail('ERR_TOKEN_MALFORMED', { reason: 'b64' });
    const kid = header['kid'];
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) {
      throw fail('ERR_TOKEN_MALFORMED', { reason: 'kid' });
    }
    // `jwk`, `jku`, `x5u` and `x5c` are never read: keys come only from configuration.
    return { alg: alg as Algorithm, kid: kid as string | undefined };
  }

  function checkType(issuer: Trusted, header: JsonObject): void {
    if (issuer.tokenTypes === undefined) return;
    const typ = header['typ'];
    if (typeof typ !== 'string' || !issuer.tokenTypes.has(normalizeType(typ))) {
      throw fail('ERR_TOKEN_TYPE_INVALID', { claim: 'typ', reason: typ === undefined ? 'missing' : 'mismatch' });
    }
  }

  function trustedIssuer(payload: JsonObject): Trusted {
    const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
    if (typeof iss !== 'string') throw fail('ERR_ISSUER_INVALID', { claim: 'iss', reason: iss === undefined ? 'missing' : 'type' });
    // Matched against the allow-list before any key is looked up or fetched.
    const match = trusted.get(iss);
    if (match === undefined) throw fail('ERR_ISSUER_INVALID', { claim: 'iss', reason: 'mismatch' });
    return match;
  }

  /** The candidate keys, synchronously when they are at hand, else a promise (fetching, preparing). */
  function candidates(issuer: Trusted, alg: Algorithm, kid: string | undefined): PreparedKey[] | Promise<PreparedKey[]> {
    const selected = issuer.keys.select(alg, kid);
    if (Array.isArray(selected) && selected.length > 0) return selected;
    return (async () => {
      try {
        let keys = await selected;
        if (keys.length === 0 && (await issuer.keys.refresh())) keys = await issuer.keys.select(alg, kid);
        return keys;
      } catch (error) {
        if (error instanceof AuthError) throw error.withRealm(realm);
        throw fail('ERR_CONFIG_INVALID', { cause: error });
      }
    })();
  }

  /** The first candidate whose signature verifies, synchronously where the backend is (node:crypto). */
  function checkSignature(keys: readonly PreparedKey[], parsed: ParsedJws, alg: Algorithm, from = 0): PreparedKey | Promise<PreparedKey> {
    if (keys.length === 0) throw fail('ERR_KEY_NOT_FOUND');
    for (let i = from; i < keys.length; i++) {
      const key = keys[i] as PreparedKey;
      let valid: boolean | Promise<boolean>;
      try {
        valid = backend.verify(alg, key.handles.get(alg), parsed.signingInput, parsed.signature);
      } catch (error) {
        // A crypto-layer TypeError or DOMException is a bad signature, never a 500.
        throw fail('ERR_SIGNATURE_INVALID', { cause: error });
      }
      if (valid === true) return key;
      if (valid !== false) {
        return valid.then(
          (ok) => (ok ? key : checkSignature(keys, parsed, alg, i + 1)),
          (error: unknown) => {
            throw fail('ERR_SIGNATURE_INVALID', { cause: error });
          },
        );
      }
    }
    throw fail('ERR_SIGNATURE_INVALID');
  }

  /** Claims, result, cache entry: everything after the signature held. */
  function accept(token: string, issuer: Trusted, parsed: ParsedJws, key: PreparedKey): VerifiedToken<TClaims> {
    const now = clock();
    validateClaims(parsed.payload, issuer.rules, now / 1000);
    // Frozen whole, cached or not: a handler can never alter what the next one reads.
    const result: VerifiedToken<TClaims> = deepFreeze({
      claims: parsed.payload as TClaims,
      header: parsed.header as JWTHeaderParameters,
      issuer: issuer.issuer,
      token,
    });
    if (tokenCache !== undefined) {
      const { from, until } = servingWindow(parsed.payload, issuer.rules);
      if (until > now) tokenCache.set(token, { token, result, key, from, until });
    }
    return result;
  }

  /**
   * Revocation runs on every verification, cached or not, and only after the token verified.
   * Answers synchronously when the check does (a revocation store); throws on refusal.
   */
  function checkRevocation(result: VerifiedToken<TClaims>): VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>> {
    if (isRevoked === undefined) return result;
    let answer: boolean | Promise<boolean>;
    try {
      answer = isRevoked(result as VerifiedToken);
    } catch (error) {
      throw revocationFailure(error);
    }
    if (answer === true) throw fail('ERR_TOKEN_REVOKED');
    if (answer === false) return result;
    return Promise.resolve(answer).then(
      (revoked) => {
        if (revoked === true) throw fail('ERR_TOKEN_REVOKED');
        return result;
      },
      (error: unknown) => {
        throw revocationFailure(error);
      },
    );
  }

  function revocationFailure(error: unknown): AuthError {
    return error instanceof AuthError ? error : fail('ERR_REVOCATION_UNAVAILABLE', { cause: error });
  }

  /** Signature, claims, revocation, once the candidate keys are known. */
  function settle(token: string, issuer: Trusted, parsed: ParsedJws, alg: Algorithm, keys: readonly PreparedKey[]): VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>> {
    const key = checkSignature(keys, parsed, alg);
    if (key instanceof Promise) return key.then((k) => checkRevocation(accept(token, issuer, parsed, k)));
    return checkRevocation(accept(token, issuer, parsed, key));
  }

  function verifyCompact(token: string, compact: string): VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>> {
    const parsed = parseCompactJws(compact, maxTokenSize, backend, realm);
    const { alg, kid } = checkHeader(parsed);
    const issuer = trustedIssuer(parsed.payload);
    if (!issuer.allowed.has(alg)) throw fail('ERR_ALGORITHM_NOT_ALLOWED');
    checkType(issuer, parsed.header);
    const keys = candidates(issuer, alg, kid);
    if (!Array.isArray(keys)) return keys.then((held) => settle(token, issuer, parsed, alg, held));
    return settle(token, issuer, parsed, alg, keys);
  }

  /**
   * The whole verification, synchronous as far as it can go: on Node, a cached token, or one
   * whose keys are at hand, is answered without a promise (a request then needs no extra tick).
   * Throws on failure; returns a promise only where something had to be awaited.
   */
  function fromCache(token: string): VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>> | undefined {
    if (tokenCache === undefined || typeof token !== 'string') return undefined;
    const hit = tokenCache.get(token, clock());
    if (hit === undefined || trusted.get(hit.result.issuer)?.keys.current() !== true) return undefined;
    return checkRevocation(hit.result);
  }

  function run(token: string): VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>> {
    if (requireEncryption && !(typeof token === 'string' && token.length <= maxTokenSize && isCompactJwe(token))) {
      throw fail(typeof token === 'string' && token.length > maxTokenSize ? 'ERR_TOKEN_TOO_LARGE' : 'ERR_ENCRYPTION_REQUIRED');
    }
    const cached = fromCache(token);
    if (cached !== undefined) return cached;
    if (decryptor !== undefined && typeof token === 'string' && token.length <= maxTokenSize && isCompactJwe(token)) {
      return Promise.resolve(decryptor.unwrap(token)).then((inner) => verifyCompact(token, inner));
    }
    return verifyCompact(token, token);
  }

  const verifier: Verifier<TClaims> = {
    realm,
    issuers: Object.freeze([...trusted.keys()]),
    verify(token: string): Promise<VerifiedToken<TClaims>> {
      try {
        const result = run(token);
        return result instanceof Promise ? result : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async ready(): Promise<void> {
      await Promise.all([...[...trusted.values()].map((t) => t.keys.ready()), decryptor?.ready()]);
    },
    exportCache(): VerifierCacheSnapshot {
      const jwks: Record<string, JwksCacheSnapshot> = {};
      const metadata: Record<string, IssuerMetadata> = {};
      for (const t of trusted.values()) {
        const remote = t.remote;
        if (remote === undefined) continue;
        if (isRemoteJwks(remote)) {
          const snapshot = remote.exportCache();
          if (snapshot !== undefined) jwks[remote.url] = snapshot;
        } else {
          if (remote.metadata !== undefined) metadata[t.issuer] = remote.metadata;
          const set = remote.current;
          const snapshot = set?.exportCache();
          if (set !== undefined && snapshot !== undefined) jwks[set.url] = snapshot;
        }
      }
      return { jwks, metadata };
    },
  };
  INTERNALS.set(verifier, { now: run as VerifyNow, cached: fromCache as Internals['cached'] });
  return verifier;
}

/** Milliseconds during which a verified token may be served from cache: what its claims allow. */
function servingWindow(claims: JsonObject, rules: ClaimRules): { from: number; until: number } {
  const tolerance = rules.clockTolerance;
  const number = (name: string): number | undefined => (typeof claims[name] === 'number' ? (claims[name] as number) : undefined);
  const exp = number('exp');
  const nbf = number('nbf');
  const iat = number('iat');
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  if (nbf !== undefined) from = Math.max(from, (nbf - tolerance) * 1000);
  if (iat !== undefined) from = Math.max(from, (iat - tolerance) * 1000);
  if (exp !== undefined) until = Math.min(until, (exp + tolerance) * 1000);
  if (rules.maxTokenAge !== undefined && iat !== undefined) until = Math.min(until, (iat + rules.maxTokenAge + tolerance) * 1000);
  return { from, until };
}

