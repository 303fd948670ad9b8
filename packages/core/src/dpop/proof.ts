/**
 * `createDPoPVerifier`: the checks of a DPoP proof (RFC 9449 §4.3), for a resource server
 * (with the access token's `ath`) and a token endpoint (without). The proof's key and `jti`
 * are recorded once in a replay store, and only once every other check passed.
 *
 * @module
 */

import { calculateJwkThumbprint, compactVerify, importJWK, type JWK } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { ownOptions } from '../internal/options.js';
import { ALGORITHMS, ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../jose/algorithms.js';
import { decodeBase64url, encodeBase64url, isCanonicalBase64url } from '../jose/base64url.js';
import { parseJsonObject, type JsonObject } from '../jose/json.js';
import { normalizeMediaType } from '../jose/media-type.js';
import { createMemoryReplayStore, type ReplayStore } from '../stores/replay.js';
import { htuMatches, normalizeHttpUri, readExternalUrls, targetPath } from './htu.js';
import { createNonceSource, type DPoPNonceOptions, type NonceSource } from './nonce.js';

/** Options of {@link createDPoPVerifier}: where the server is reached and what a proof may be. */
export interface DPoPProofOptions {
  /**
   * The URL clients reach this server at: `https://api.example.com`, or with the path prefix a
   * proxy strips (`https://example.com/api`); a list when it has several names. A proof's `htu`
   * must be one of these followed by the request's path. Required: behind a proxy the server
   * cannot know it, and a `Host` header is the client's to choose.
   */
  externalUrl: string | URL | readonly (string | URL)[];
  /**
   * The proof algorithms accepted, all asymmetric (sent as `algs` in challenges). Default
   * `ES256`, `ES384`, `ES512`, `PS256`, `PS384`, `PS512`, `RS256`, `EdDSA`, `Ed25519`.
   */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** How old a proof's `iat` may be, in seconds. Default 300; at most 3600. */
  maxAge?: number;
  /** How far a proof's `iat` may be in the future, in seconds (clock skew). Default 30; at most 300. */
  clockTolerance?: number;
  /**
   * Where each proof's key thumbprint and `jti` are recorded, for `maxAge` plus the tolerance,
   * so a proof is used once. Default: an in-memory store (one process); with several
   * instances, pass one they share (`createRedisReplayStore` of `@jwt-gate/redis`).
   */
  replayStore?: ReplayStore;
  /**
   * Require server nonces (RFC 9449 §9): a proof without the current (or previous) nonce is
   * refused with `use_dpop_nonce` and a `DPoP-Nonce` header carrying a fresh one. Nonces are
   * derived from `secret` and the time, so every instance sharing the secret accepts them.
   * Default: no nonces.
   */
  nonce?: DPoPNonceOptions;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** The request a proof is checked against. */
export interface DPoPRequest {
  /** The `DPoP` header as the request carried it (each value where it came more than once). */
  proof: string | readonly string[] | null | undefined;
  /** The HTTP method. */
  method: string;
  /** The request target: an absolute URL, or the path (and query) as the server received it. Only its path is used. */
  url: string;
}

/** Per-check options of {@link DPoPVerifier.verify}. */
export interface DPoPVerifyOptions {
  /** The access token the proof goes with: its hash must be the proof's `ath`. Absent at a token endpoint. */
  accessToken?: string;
  /** The thumbprint the token is bound to (`cnf.jkt`): the proof's key must have it. */
  jkt?: string;
}

/** A proof that passed every check. */
export interface DPoPProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: the `cnf.jkt` of tokens bound to it. */
  readonly jkt: string;
  /** The proof's public key. */
  readonly jwk: JWK;
  /** The proof's algorithm. */
  readonly alg: AsymmetricAlgorithm;
  /** The proof's `jti`. */
  readonly jti: string;
  /** The proof's `iat`, in seconds. */
  readonly iat: number;
}

/** Checks DPoP proofs. Build one at start-up. */
export interface DPoPVerifier {
  /**
   * Checks a proof against the request (and the access token and its binding, when given),
   * then records it as used. Rejects with an {@link AuthError}: `ERR_DPOP_PROOF_INVALID` (its
   * `reason` says which check failed), `ERR_DPOP_NONCE_REQUIRED` (its `dpop.nonce` holds the
   * nonce to send), `ERR_DPOP_KEY_MISMATCH`, `ERR_DPOP_PROOF_REPLAYED`, or
   * `ERR_DPOP_UNAVAILABLE` (503) when the replay store cannot answer.
   *
   * @example At a token endpoint
   * ```ts
   * const dpop = createDPoPVerifier({ externalUrl: 'https://auth.example.com' });
   * const proof = req.headers.dpop === undefined ? undefined : await dpop.verify({ proof: req.headers.dpop, method: req.method, url: req.originalUrl });
   * const token = await issuer.sign({ sub }, proof === undefined ? {} : { jkt: proof.jkt });
   * ```
   */
  verify(request: DPoPRequest, options?: DPoPVerifyOptions): Promise<DPoPProof>;
  /** The nonce to send as `DPoP-Nonce` now, or undefined without nonces. */
  nonce(): Promise<string | undefined>;
  /** The accepted algorithms. */
  readonly algorithms: readonly AsymmetricAlgorithm[];
}

/** @internal A proof checked but not yet recorded, and how to record it. */
export interface InspectedProof {
  readonly proof: DPoPProof;
  readonly commit: () => Promise<void>;
}

/** @internal {@link createDPoPVerifier} with its two steps apart. */
export interface BuiltDPoPVerifier extends DPoPVerifier {
  inspect(request: DPoPRequest, accessToken: string | undefined, realm: string): Promise<InspectedProof>;
}

/**
 * The DPoP proof algorithms accepted when `dpop.algorithms` is not given, in the order challenges
 * name them (`algs`); what to publish as `dpopSigningAlgValuesSupported` in RFC 9728 metadata.
 */
export const DEFAULT_DPOP_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'EdDSA', 'Ed25519'];
export const DPOP_PROOF_OPTIONS: readonly string[] = ['externalUrl', 'algorithms', 'maxAge', 'clockTolerance', 'replayStore', 'nonce', 'clock'];

const MAX_PROOF_LENGTH = 8192;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// RFC 7517 §4 and RFC 7518 §6: members that make a JWK private (or symmetric).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
// Base64url lengths of an RSA modulus of 2048 and of 4096 bits: smaller keys are weak, larger ones
// make every proof an expensive check for the server.
const MIN_MODULUS = 342;
const MAX_MODULUS = 683;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** `Number.isFinite`, which is false for every value that is no number, as a type guard. */
const isFiniteNumber = (value: unknown): value is number => Number.isFinite(value);

function seconds(where: string, name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!isFiniteNumber(value) || value < 0 || value > max) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the RangeError
    throw new RangeError(`${where}: dpop.${name} must be a number of seconds from 0 to ${max}`);
  }
  return value;
}

function readAlgorithms(where: string, value: unknown): readonly AsymmetricAlgorithm[] {
  if (value === undefined) return DEFAULT_DPOP_ALGORITHMS;
  if (!Array.isArray(value) || value.length === 0 || !value.every((alg) => (ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(alg))) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: dpop.algorithms must list asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); never none or HMAC`);
  }
  return Object.freeze([...new Set(value as AsymmetricAlgorithm[])]);
}

/** The JSON object of one base64url segment, or null. */
function segmentJson(segment: string): JsonObject | null {
  if (!isCanonicalBase64url(segment)) return null;
  const bytes = decodeBase64url(segment);
  if (bytes === null) return null;
  try {
    return parseJsonObject(utf8.decode(bytes));
  } catch {
    return null;
  }
}

function own(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** The public key of a proof header, or the reason it is refused. */
function publicKey(jwk: unknown, alg: AsymmetricAlgorithm): JWK | string {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'jwk';
  const key = jwk as JsonObject;
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(key, name))) return 'private_key';
  const family = ALGORITHMS[alg].family;
  const kty = own(key, 'kty');
  const keyAlg = own(key, 'alg');
  if (keyAlg !== undefined && keyAlg !== alg) return 'jwk_alg';
  const use = own(key, 'use');
  if (use !== undefined && use !== 'sig') return 'jwk_use';
  const text = (name: string): string | undefined => {
    const value = own(key, name);
    // The pattern needs one character at least.
    return typeof value === 'string' && value.length <= MAX_MODULUS && /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
  };
  if (family === 'rsa' && kty === 'RSA') {
    const n = text('n');
    const e = text('e');
    if (n === undefined || e === undefined || n.length < MIN_MODULUS || e.length > 8) return 'jwk';
    return { kty, n, e };
  }
  if (family === 'ec' && kty === 'EC') {
    const crv = own(key, 'crv');
    const x = text('x');
    const y = text('y');
    if (crv !== ALGORITHMS[alg].curve || x === undefined || y === undefined) return 'jwk';
    return { kty, crv: crv as string, x, y };
  }
  if (family === 'okp' && kty === 'OKP') {
    const x = text('x');
    if (own(key, 'crv') !== 'Ed25519' || x === undefined) return 'jwk';
    return { kty, crv: 'Ed25519', x };
  }
  return 'jwk';
}

/** base64url(SHA-256(ASCII(value))): a proof's `ath` for an access token. */
export async function accessTokenHash(token: string): Promise<string> {
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token))));
}

/**
 * Creates a DPoP proof verifier: for a token endpoint (check the proof of a login or refresh,
 * then bind the tokens to `proof.jkt`), or anywhere a resource checks proofs itself. Adapters'
 * `jwtAuth({ dpop })` builds one for you. Options are checked now.
 *
 * @example
 * ```ts
 * const dpop = createDPoPVerifier({ externalUrl: 'https://auth.example.com', replayStore: createRedisReplayStore({ client }) });
 * const proof = await dpop.verify({ proof: request.headers.get('dpop'), method: 'POST', url: request.url });
 * ```
 */
export function createDPoPVerifier(options: DPoPProofOptions): DPoPVerifier {
  // Stryker disable next-line StringLiteral: the function's name only words messages
  return buildDPoPVerifier(options, 'createDPoPVerifier');
}

/**
 * @internal {@link createDPoPVerifier}, naming `where` in its errors. Anything but an options
 * object is refused with a TypeError: by the option reader, or for its missing `externalUrl`.
 */
// Stryker disable next-line ArrayDeclaration: the default list of extra option names only differs from a mutant's by a name no caller passes
export function buildDPoPVerifier(input: DPoPProofOptions, where: string, extra: readonly string[] = []): BuiltDPoPVerifier {
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  const options = ownOptions(input, `${where}: dpop`, [...DPOP_PROOF_OPTIONS, ...extra]);
  const externalUrls = readExternalUrls(where, options.externalUrl);
  const algorithms = readAlgorithms(where, options.algorithms);
  // Stryker disable next-line StringLiteral: the option's name only words the RangeError's message
  const maxAge = seconds(where, 'maxAge', options.maxAge, 300, 3600);
  // Stryker disable next-line StringLiteral: the option's name only words the RangeError's message
  const tolerance = seconds(where, 'clockTolerance', options.clockTolerance, 30, 300);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: dpop.clock must be a function returning milliseconds`);
  }
  // A null replayStore is replaced by the default one here, like an absent one.
  const store = options.replayStore ?? createMemoryReplayStore();
  if (typeof store !== 'object' || typeof store.recordOnce !== 'function') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: dpop.replayStore must be a replay store (createMemoryReplayStore, createRedisReplayStore)`);
  }
  const accepted = (alg: unknown): alg is AsymmetricAlgorithm => (algorithms as readonly unknown[]).includes(alg);
  const nonces: NonceSource | undefined = options.nonce === undefined ? undefined : createNonceSource(options.nonce, clock, where);

  async function inspect(request: DPoPRequest, accessToken: string | undefined, realm: string): Promise<InspectedProof> {
    const invalid = (reason: string, cause?: unknown): AuthError => new AuthError('ERR_DPOP_PROOF_INVALID', { realm, reason, cause });
    let value = request.proof;
    if (Array.isArray(value)) {
      if (value.length > 1) throw invalid('multiple');
      value = value[0];
    }
    if (typeof value !== 'string' || value === '') throw invalid('missing');
    // Repeated headers reach a server joined by commas, which a compact JWS never holds.
    if (value.includes(',')) throw invalid('multiple');
    if (value.length > MAX_PROOF_LENGTH) throw invalid('too_large');
    if (!JWS.test(value)) throw invalid('format');
    const [h, p] = value.split('.') as [string, string, string];
    const header = segmentJson(h);
    const payload = segmentJson(p);
    if (header === null || payload === null) throw invalid('format');

    const typ = own(header, 'typ');
    if (typeof typ !== 'string' || normalizeMediaType(typ) !== 'dpop+jwt') throw invalid('typ');
    const alg = own(header, 'alg');
    if (!accepted(alg)) throw invalid('alg');
    if (Object.hasOwn(header, 'crit')) throw invalid('crit');
    const jwk = publicKey(own(header, 'jwk'), alg);
    if (typeof jwk === 'string') throw invalid(jwk);

    const jti = own(payload, 'jti');
    const htm = own(payload, 'htm');
    const htu = own(payload, 'htu');
    const iat = own(payload, 'iat');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalid('jti');
    if (htm !== request.method.toUpperCase()) throw invalid('htm');
    const path = typeof request.url === 'string' ? targetPath(request.url) : null;
    if (path === null) {
      throw new AuthError('ERR_CONFIG_INVALID', {
        realm,
        // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get ERR_CONFIG_INVALID
        message: `${where}: the request URL is unknown; the adapter must give the request target`,
      });
    }
    const normalized = typeof htu === 'string' && htu.length <= 4096 ? normalizeHttpUri(htu) : null;
    if (normalized === null || !htuMatches(normalized, externalUrls, path)) throw invalid('htu');
    if (!isFiniteNumber(iat)) throw invalid('iat');
    const now = clock() / 1000;
    if (iat > now + tolerance) throw invalid('iat_future');
    if (iat < now - maxAge - tolerance) throw invalid('iat_stale');

    try {
      // Stryker disable next-line ObjectLiteral: the key is imported for the header's alg, so jose accepts no other alg either way
      await compactVerify(value, await importJWK(jwk, alg), { algorithms: [alg] });
    } catch (error) {
      throw invalid('signature', error);
    }
    if (nonces !== undefined) {
      const nonce = own(payload, 'nonce');
      if (typeof nonce !== 'string' || !(await nonces.accepts(nonce))) {
        throw new AuthError('ERR_DPOP_NONCE_REQUIRED', { realm, dpop: { algs: algorithms, bearer: false, scheme: 'DPoP', nonce: await nonces.current() } });
      }
    }
    if (accessToken !== undefined && own(payload, 'ath') !== (await accessTokenHash(accessToken))) throw invalid('ath');
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    const proof: DPoPProof = Object.freeze({ jkt, jwk: Object.freeze(jwk), alg, jti, iat });
    // The entry lives as long as the proof would be accepted.
    const ttl = Math.max(1000, Math.ceil((iat + maxAge + tolerance) * 1000 - clock()));
    const commit = async (): Promise<void> => {
      let first: boolean;
      try {
        first = await store.recordOnce(`${jkt}.${jti}`, ttl);
      } catch (error) {
        throw new AuthError('ERR_DPOP_UNAVAILABLE', { realm, cause: error });
      }
      if (!first) throw new AuthError('ERR_DPOP_PROOF_REPLAYED', { realm });
    };
    return { proof, commit };
  }

  return Object.freeze({
    algorithms,
    inspect,
    nonce: async () => (nonces === undefined ? undefined : nonces.current()),
    async verify(request: DPoPRequest, verifyOptions: DPoPVerifyOptions = {}): Promise<DPoPProof> {
      // Stryker disable next-line OptionalChaining: without it a null request throws a TypeError on the read all the same, one that names no request
      if (typeof request?.method !== 'string') {
        // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
        throw new TypeError('verify needs { proof, method, url }');
      }
      const { accessToken, jkt } = ownOptions(
        verifyOptions,
        // Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the option reader's messages
        'verify',
        ['accessToken', 'jkt'],
      );
      const { proof, commit } = await inspect(request, accessToken, 'api');
      if (jkt !== undefined && jkt !== proof.jkt) throw new AuthError('ERR_DPOP_KEY_MISMATCH');
      await commit();
      return proof;
    },
  });
}
