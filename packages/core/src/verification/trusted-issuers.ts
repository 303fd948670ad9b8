// Trusted issuers, each checked and prepared once at creation: its exact `iss`, the audience its
// tokens must name, the algorithms its keys allow, and a key store to pick keys from.

import type { JSONWebKeySet, JWK } from 'jose';
import { ALGORITHMS, ASYMMETRIC_ALGORITHMS, algorithmInfo, type Algorithm } from '../jose/algorithms.js';
import { normalizeMediaType } from '../jose/media-type.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { createDiscovery, type Discovery, type IssuerMetadata } from '../keys/discovery.js';
import { describeJwk, describePublicKey, describeSecret, type KeyDescriptor, type PublicKeyInput, type SecretInput } from '../keys/public-key.js';
import { createRemoteJwks, type RemoteJwks, type RemoteJwksOptions } from '../keys/remote-jwks.js';
import { own, ownOptions, toList } from '../internal/options.js';
import type { ClaimRules } from './claims.js';
import { createRemoteStore, createStaticStore, type KeyStore } from './key-store.js';
import type { TrustedIssuer, VerifierCacheSnapshot, VerifierOptions } from './types.js';

/** One trusted issuer, ready for per-token work. */
export interface IssuerPlan {
  readonly issuer: string;
  /** Normalised `typ` values this issuer's tokens must carry, or undefined (not checked). */
  readonly tokenTypes: ReadonlySet<string> | undefined;
  readonly allowed: ReadonlySet<Algorithm>;
  readonly keys: KeyStore;
  readonly rules: ClaimRules;
  /** The remote key source, kept for `ready()` and `exportCache()`. */
  readonly remote: RemoteJwks | Discovery | undefined;
}

/** What every issuer shares, read from the top-level options. */
export interface SharedSettings {
  readonly where: string;
  readonly backend: SignatureBackend;
  readonly rules: Omit<ClaimRules, 'audiences'>;
  readonly tokenTypes: ReadonlySet<string> | undefined;
  readonly remote: RemoteJwksOptions;
  readonly cache: VerifierCacheSnapshot | undefined;
}

export const KEY_SOURCES = ['secret', 'publicKey', 'jwks', 'jwksUri', 'discovery'] as const;
type KeySource = (typeof KEY_SOURCES)[number];
export const ISSUER_OPTIONS: readonly string[] = ['issuer', 'audience', 'algorithms', 'tokenType', ...KEY_SOURCES];

export function isRemoteJwks(value: unknown): value is RemoteJwks {
  return typeof value === 'object' && value !== null && typeof (value as RemoteJwks).refresh === 'function' && typeof (value as RemoteJwks).keys === 'function';
}

/** The normalised `typ` values of a `tokenType` option, or undefined when none is required. */
export function tokenTypesOf(where: string, value: unknown): ReadonlySet<string> | undefined {
  const types = toList(value as string | readonly string[] | undefined);
  if (!types.every((t) => typeof t === 'string' && t.length > 0)) throw new TypeError(`${where}: tokenType must be a string or an array of strings`);
  return types.length === 0 ? undefined : new Set(types.map(normalizeMediaType));
}

function checkAlgorithms(where: string, algorithms: unknown): Algorithm[] | undefined {
  if (algorithms === undefined) return undefined;
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError(`${where}: algorithms must be a non-empty array`);
  for (const alg of algorithms as unknown[]) {
    if (algorithmInfo(alg) === undefined) {
      throw new TypeError(`${where}: unsupported algorithm ${JSON.stringify(String(alg)).slice(0, 40)}; use ${Object.keys(ALGORITHMS).join(', ')}`);
    }
  }
  const hmac = (algorithms as Algorithm[]).filter((alg) => ALGORITHMS[alg].family === 'hmac');
  if (hmac.length > 0 && hmac.length < algorithms.length) {
    throw new TypeError(`${where}: HMAC (HS*) and asymmetric algorithms cannot share one issuer's keys (algorithm confusion, RFC 8725 §2.1)`);
  }
  return [...(algorithms as Algorithm[])];
}

function checkAudience(where: string, audience: unknown): readonly string[] | null {
  if (audience === null) return null;
  const values = toList(audience as string | readonly string[] | undefined);
  if (audience === undefined || values.length === 0 || !values.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new TypeError(`${where}: audience is required (a string or an array of strings); pass null only to deliberately accept any audience`);
  }
  return Object.freeze(values);
}

/** The one key source an issuer names. */
function keySourceOf(where: string, entry: TrustedIssuer): KeySource {
  const sources = KEY_SOURCES.filter((s) => entry[s] !== undefined && entry[s] !== false);
  if (sources.length !== 1) throw new TypeError(`${where}: give exactly one key source: secret, publicKey, jwks, jwksUri or discovery`);
  return sources[0] as KeySource;
}

/** The keys of a static source (secrets, public keys, a local JWKS), described and checked. */
function describeStatic(where: string, entry: TrustedIssuer, source: 'secret' | 'publicKey' | 'jwks'): KeyDescriptor[] {
  let descriptors: KeyDescriptor[];
  if (source === 'secret') {
    const secrets = toList(entry.secret as SecretInput | readonly SecretInput[]);
    if (secrets.length === 0) throw new TypeError(`${where}: secret is empty`);
    descriptors = secrets.map((s, i) => describeSecret(s, secrets.length > 1 ? `secret[${i}]` : 'secret'));
  } else if (source === 'publicKey') {
    const keys = toList(entry.publicKey as PublicKeyInput | readonly PublicKeyInput[]);
    if (keys.length === 0) throw new TypeError(`${where}: publicKey is empty`);
    descriptors = keys.map((k, i) => describePublicKey(k, keys.length > 1 ? `publicKey[${i}]` : 'publicKey'));
  } else {
    const set = entry.jwks as JSONWebKeySet;
    if (typeof set !== 'object' || set === null || !Array.isArray(set.keys)) throw new TypeError(`${where}: jwks must be {"keys":[...]}`);
    descriptors = [];
    for (const [i, jwk] of set.keys.entries()) {
      const described = describeJwk(jwk as JWK, `jwks.keys[${i}]`, false);
      if (typeof described !== 'string') descriptors.push(described);
    }
    if (descriptors.length === 0) throw new TypeError(`${where}: jwks holds no usable public signature key`);
  }
  // Two keys under one kid are ambiguous (a remote key set uses neither; createKeySet refuses them).
  const kids = descriptors.flatMap((d) => (d.kid === undefined ? [] : [d.kid]));
  if (new Set(kids).size !== kids.length) throw new TypeError(`${where}: two keys share one kid`);
  return descriptors;
}

/** The algorithms static keys may verify: `requested` when every one is served, else what the keys imply. */
function staticAlgorithms(where: string, descriptors: readonly KeyDescriptor[], requested: Algorithm[] | undefined): Set<Algorithm> {
  const hmac = descriptors[0]?.family === 'hmac';
  if (requested === undefined) return new Set(descriptors.flatMap((d) => d.defaultAlgorithms));
  if (requested.some((alg) => (ALGORITHMS[alg].family === 'hmac') !== hmac)) {
    throw new TypeError(`${where}: algorithms ${requested.join(', ')} do not fit ${hmac ? 'an HMAC secret' : 'public keys'}`);
  }
  const possible = new Set(descriptors.flatMap((d) => d.algorithms));
  const unserved = requested.filter((alg) => !possible.has(alg));
  if (unserved.length > 0) throw new TypeError(`${where}: no configured key can verify ${unserved.join(', ')}${hmac ? ' (HS384 needs a 48-byte secret, HS512 64)' : ''}`);
  return new Set(requested);
}

/** A remote source (a JWKS URL, a shared remote set, or discovery) and its key store. */
function remoteSource(entry: TrustedIssuer, source: 'jwksUri' | 'discovery', allowed: ReadonlySet<Algorithm>, shared: SharedSettings): { remote: RemoteJwks | Discovery; keys: KeyStore } {
  const { cache, remote: options, backend } = shared;
  if (source === 'jwksUri') {
    const uri = entry.jwksUri as string | URL | RemoteJwks;
    const snapshot = cache?.jwks === undefined ? undefined : own(cache.jwks, String(uri));
    const set = isRemoteJwks(uri) ? uri : createRemoteJwks(uri, { ...options, ...(snapshot === undefined ? {} : { cache: snapshot }) });
    return { remote: set, keys: createRemoteStore({ now: () => set, resolve: async () => set }, allowed, backend) };
  }
  const metadata = cache?.metadata === undefined ? undefined : (own(cache.metadata, entry.issuer) as IssuerMetadata | undefined);
  const discovery = createDiscovery(entry.issuer, {
    ...options,
    ...(typeof entry.discovery === 'string' ? { url: entry.discovery } : {}),
    ...(metadata === undefined ? {} : { metadata }),
    ...(cache?.jwks === undefined ? {} : { jwksCache: cache.jwks }),
  });
  return { remote: discovery, keys: createRemoteStore({ now: () => discovery.current, resolve: () => discovery.jwks() }, allowed, backend) };
}

/** Checks one trusted issuer and prepares its keys. */
function planIssuer(where: string, entry: TrustedIssuer, tokenTypes: ReadonlySet<string> | undefined, shared: SharedSettings): IssuerPlan {
  if (typeof entry.issuer !== 'string' || entry.issuer.length === 0) throw new TypeError(`${where}: issuer is required, exactly as it appears in the tokens' iss claim`);
  const source = keySourceOf(where, entry);
  const audiences = checkAudience(where, entry.audience);
  const requested = checkAlgorithms(where, entry.algorithms);
  const rules: ClaimRules = Object.freeze({ ...shared.rules, audiences });
  if (source === 'jwksUri' || source === 'discovery') {
    if (requested?.some((alg) => ALGORITHMS[alg].family === 'hmac')) {
      throw new TypeError(`${where}: HMAC algorithms cannot be used with a JWKS; give the secret as \`secret\``);
    }
    const allowed = new Set(requested ?? ASYMMETRIC_ALGORITHMS);
    return { issuer: entry.issuer, tokenTypes, allowed, rules, ...remoteSource(entry, source, allowed, shared) };
  }
  const descriptors = describeStatic(where, entry, source);
  const allowed = staticAlgorithms(where, descriptors, requested);
  return { issuer: entry.issuer, tokenTypes, allowed, rules, remote: undefined, keys: createStaticStore(descriptors, allowed, shared.backend) };
}

/**
 * The trusted issuers of a verifier's options, by exact `iss`: the single-issuer fields, or
 * each entry of `issuers` (which inherits the top-level `algorithms` and `audience`).
 */
export function planIssuers(options: VerifierOptions, shared: SharedSettings): Map<string, IssuerPlan> {
  const { where } = shared;
  if (options.issuers !== undefined && !Array.isArray(options.issuers)) throw new TypeError(`${where}: issuers must be an array of trusted issuers`);
  if (options.issuers !== undefined && (options.issuer !== undefined || KEY_SOURCES.some((s) => options[s] !== undefined))) {
    throw new TypeError(`${where}: use either \`issuers: [...]\` or the single-issuer options (issuer, keys), not both`);
  }
  const plans = new Map<string, IssuerPlan>();
  if (options.issuers === undefined) {
    const plan = planIssuer(where, options as TrustedIssuer, shared.tokenTypes, shared);
    return plans.set(plan.issuer, plan);
  }
  if (options.issuers.length === 0) throw new TypeError(`${where}: issuers must list at least one issuer`);
  for (const [index, given] of options.issuers.entries()) {
    const entryWhere = `${where}: issuers[${index}]`;
    // A prototype-less copy: what an entry leaves out is never read from elsewhere.
    const own = ownOptions(given, entryWhere, ISSUER_OPTIONS);
    const entry = Object.assign(Object.create(null) as object, {
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      ...own,
      audience: own.audience === undefined ? options.audience : own.audience,
    }) as TrustedIssuer;
    if (typeof entry.issuer === 'string' && plans.has(entry.issuer)) throw new TypeError(`${entryWhere}: issuer listed twice`);
    const tokenTypes = own.tokenType === undefined ? shared.tokenTypes : tokenTypesOf(entryWhere, own.tokenType);
    const plan = planIssuer(entryWhere, entry, tokenTypes, shared);
    plans.set(plan.issuer, plan);
  }
  return plans;
}
