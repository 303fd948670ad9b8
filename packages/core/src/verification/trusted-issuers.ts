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
import type { IssuerResolver, IssuerRules, TrustedIssuer, VerifierCacheSnapshot, VerifierOptions } from './types.js';
import type { RequestView } from '../adapter/request-view.js';
import { AuthError } from '../errors/auth-error.js';
import type { JsonObject } from '../jose/json.js';

/** One trusted issuer, ready for per-token work. */
export interface IssuerPlan {
  /** The exact `iss` it matches; null for `issuer: null`, which matches any (or none). */
  readonly issuer: string | null;
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
  readonly rules: Omit<ClaimRules, 'audiences' | 'issuer'>;
  readonly clock: () => number;
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
  const sources = KEY_SOURCES.filter((s) => entry[s] !== undefined && (entry[s] as unknown) !== false);
  // `secret: process.env.JWT_SECRET` with the variable unset: say so, rather than "no key source".
  const unset = KEY_SOURCES.find((s) => Object.hasOwn(entry, s) && entry[s] === undefined);
  if (sources.length === 0 && unset !== undefined) throw new TypeError(`${where}: ${unset} is undefined; is the environment variable (or setting) it comes from set?`);
  if (sources.length !== 1) throw new TypeError(`${where}: give exactly one key source: secret, publicKey, jwks, jwksUri or discovery${sources.length > 1 ? ` (got ${sources.join(' and ')})` : ''}`);
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

/** Checks one trusted issuer (`issuer: null` for any) and prepares its keys. */
function planIssuer(where: string, entry: TrustedIssuer | (Omit<TrustedIssuer, 'issuer'> & { issuer: null }), tokenTypes: ReadonlySet<string> | undefined, shared: SharedSettings): IssuerPlan {
  if (entry.issuer !== null && (typeof entry.issuer !== 'string' || entry.issuer.length === 0)) {
    const hint = Array.isArray(entry.issuer) ? '; for several issuers use `issuers: [{ issuer, ... }, ...]`' : '; pass null only to deliberately accept tokens of any issuer, or none';
    throw new TypeError(`${where}: issuer is required, exactly as it appears in the tokens' iss claim${hint}`);
  }
  const source = keySourceOf(where, entry as TrustedIssuer);
  if (entry.issuer === null && source === 'discovery') throw new TypeError(`${where}: discovery needs the issuer's URL; with issuer: null give jwksUri, jwks, publicKey or secret`);
  const audiences = checkAudience(where, entry.audience);
  const requested = checkAlgorithms(where, entry.algorithms);
  const rules: ClaimRules = Object.freeze({ ...shared.rules, audiences, issuer: entry.issuer ?? undefined });
  if (source === 'jwksUri' || source === 'discovery') {
    if (requested?.some((alg) => ALGORITHMS[alg].family === 'hmac')) {
      throw new TypeError(`${where}: HMAC algorithms cannot be used with a JWKS; give the secret as \`secret\``);
    }
    const allowed = new Set(requested ?? ASYMMETRIC_ALGORITHMS);
    return { issuer: entry.issuer, tokenTypes, allowed, rules, ...remoteSource(entry as TrustedIssuer, source, allowed, shared) };
  }
  const descriptors = describeStatic(where, entry as TrustedIssuer, source);
  const allowed = staticAlgorithms(where, descriptors, requested);
  return { issuer: entry.issuer, tokenTypes, allowed, rules, remote: undefined, keys: createStaticStore(descriptors, allowed, shared.backend) };
}

/** The trusted issuers of a verifier: finds the one a token names, before any key is touched. */
export interface IssuerDirectory {
  /** The issuer plan for a token's claims, or throws (rejects) `ERR_ISSUER_INVALID`. */
  find(payload: JsonObject, request: RequestView | undefined): IssuerPlan | Promise<IssuerPlan>;
  /** The plan a verified token's `issuer` came from, while it is still held. */
  get(issuer: string): IssuerPlan | undefined;
  /** The plans held now. */
  plans(): Iterable<IssuerPlan>;
  /** The issuers fixed in the configuration. */
  readonly fixed: readonly string[];
}

function untrusted(shared: SharedSettings, reason: 'missing' | 'type' | 'mismatch', presented?: string): AuthError {
  return new AuthError('ERR_ISSUER_INVALID', {
    realm: shared.rules.realm,
    claim: 'iss',
    reason,
    // For logs: what the token named, which often differs from the trusted issuer by a slash.
    ...(presented === undefined ? {} : { details: { presented: presented.slice(0, 256) } }),
  });
}

function issClaim(payload: JsonObject, shared: SharedSettings): string {
  const iss = Object.hasOwn(payload, 'iss') ? payload['iss'] : undefined;
  if (typeof iss !== 'string') throw untrusted(shared, iss === undefined ? 'missing' : 'type');
  return iss;
}

/** A fixed list of trusted issuers, by exact `iss`. */
function fixedDirectory(plans: Map<string, IssuerPlan>, shared: SharedSettings): IssuerDirectory {
  return {
    find(payload) {
      const iss = issClaim(payload, shared);
      const plan = plans.get(iss);
      if (plan === undefined) throw untrusted(shared, 'mismatch', iss);
      return plan;
    },
    get: (issuer) => plans.get(issuer),
    plans: () => plans.values(),
    fixed: Object.freeze([...plans.keys()]),
  };
}

/** `issuer: null`: one set of keys for tokens naming any issuer, or none. */
function anyIssuerDirectory(plan: IssuerPlan, shared: SharedSettings): IssuerDirectory {
  return {
    find(payload) {
      if (Object.hasOwn(payload, 'iss') && typeof payload['iss'] !== 'string') throw untrusted(shared, 'type');
      return plan;
    },
    get: () => plan,
    plans: () => [plan],
    fixed: Object.freeze([]),
  };
}

const RESOLVED_MAX = 1000;
const RESOLVED_TTL = 600_000;
const UNKNOWN_TTL = 60_000;

/**
 * Issuers looked up per token: each answer cached (a trusted issuer for 10 minutes, an unknown
 * one for a minute, at most 1000 in all), one lookup at a time per issuer, no key fetched for
 * an unknown one. A failing resolver is a 503, never an accept; an answer that is no valid
 * configuration, a 500.
 */
function resolvedDirectory(resolve: IssuerResolver, defaults: IssuerRules, tokenTypes: ReadonlySet<string> | undefined, shared: SharedSettings): IssuerDirectory {
  const answers = new Map<string, { plan: IssuerPlan | undefined; until: number }>();
  const pending = new Map<string, Promise<IssuerPlan>>();

  function remember(iss: string, plan: IssuerPlan | undefined): void {
    answers.delete(iss);
    if (answers.size >= RESOLVED_MAX) answers.delete(answers.keys().next().value as string);
    answers.set(iss, { plan, until: shared.clock() + (plan === undefined ? UNKNOWN_TTL : RESOLVED_TTL) });
  }

  async function lookUp(iss: string, request: RequestView | undefined): Promise<IssuerPlan> {
    let answer: Awaited<ReturnType<IssuerResolver>>;
    try {
      answer = await resolve(iss, request);
    } catch (error) {
      throw new AuthError('ERR_KEYS_UNAVAILABLE', { realm: shared.rules.realm, cause: error, details: { resolveIssuer: 'threw' } });
    }
    if (answer === null || answer === undefined) {
      remember(iss, undefined);
      throw untrusted(shared, 'mismatch', iss);
    }
    let plan: IssuerPlan;
    try {
      const settings = ownOptions(answer, `${shared.where}: resolveIssuer answer`, ISSUER_OPTIONS);
      if (settings.issuer !== undefined && settings.issuer !== iss) throw new TypeError(`${shared.where}: resolveIssuer answered for another issuer`);
      const entry = Object.assign(Object.create(null) as object, defaults, settings, { issuer: iss, audience: settings.audience === undefined ? defaults.audience : settings.audience }) as TrustedIssuer;
      const types = settings.tokenType === undefined ? tokenTypes : tokenTypesOf(shared.where, settings.tokenType);
      plan = planIssuer(`${shared.where}: resolveIssuer answer`, entry, types, shared);
    } catch (error) {
      throw new AuthError('ERR_CONFIG_INVALID', { realm: shared.rules.realm, cause: error, message: 'resolveIssuer answered with settings that are no valid issuer configuration' });
    }
    remember(iss, plan);
    return plan;
  }

  return {
    find(payload, request) {
      const iss = issClaim(payload, shared);
      const held = answers.get(iss);
      if (held !== undefined && held.until > shared.clock()) {
        if (held.plan === undefined) throw untrusted(shared, 'mismatch', iss);
        return held.plan;
      }
      let running = pending.get(iss);
      if (running === undefined) {
        running = lookUp(iss, request).finally(() => pending.delete(iss));
        pending.set(iss, running);
      }
      return running;
    },
    get(issuer) {
      const held = answers.get(issuer);
      return held !== undefined && held.until > shared.clock() ? held.plan : undefined;
    },
    *plans() {
      for (const { plan } of answers.values()) if (plan !== undefined) yield plan;
    },
    fixed: Object.freeze([]),
  };
}

/**
 * The trusted issuers of a verifier's options: the single-issuer fields (`issuer: null` for any),
 * each entry of `issuers` (which inherits the top-level `algorithms` and `audience`), or
 * `resolveIssuer`.
 */
export function planIssuers(options: VerifierOptions, shared: SharedSettings): IssuerDirectory {
  const { where } = shared;
  const forms = (['issuers', 'resolveIssuer'] as const).filter((name) => options[name] !== undefined);
  if (forms.length > 1) throw new TypeError(`${where}: use either \`issuers: [...]\` or \`resolveIssuer\`, not both`);
  const form = forms[0];
  if (form !== undefined && (options.issuer !== undefined || KEY_SOURCES.some((s) => options[s] !== undefined))) {
    throw new TypeError(`${where}: use either \`${form}\` or the single-issuer options (issuer, keys), not both`);
  }
  const defaults: IssuerRules = {
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  if (form === 'resolveIssuer') {
    if (typeof options.resolveIssuer !== 'function') throw new TypeError(`${where}: resolveIssuer must be a function (iss, request) => issuer settings or null`);
    return resolvedDirectory(options.resolveIssuer, defaults, shared.tokenTypes, shared);
  }
  if (form === undefined) {
    const single = options as TrustedIssuer | (Omit<TrustedIssuer, 'issuer'> & { issuer: null });
    const plan = planIssuer(where, single, shared.tokenTypes, shared);
    return plan.issuer === null ? anyIssuerDirectory(plan, shared) : fixedDirectory(new Map([[plan.issuer, plan]]), shared);
  }
  const list = options.issuers as readonly TrustedIssuer[];
  if (!Array.isArray(list)) throw new TypeError(`${where}: issuers must be an array of trusted issuers`);
  if (list.length === 0) throw new TypeError(`${where}: issuers must list at least one issuer`);
  const plans = new Map<string, IssuerPlan>();
  for (const [index, given] of list.entries()) {
    const entryWhere = `${where}: issuers[${index}]`;
    // A prototype-less copy: what an entry leaves out is never read from elsewhere.
    const own = ownOptions(given, entryWhere, ISSUER_OPTIONS);
    const entry = Object.assign(Object.create(null) as object, defaults, own, { audience: own.audience === undefined ? defaults.audience : own.audience }) as TrustedIssuer;
    if (typeof entry.issuer === 'string' && plans.has(entry.issuer)) throw new TypeError(`${entryWhere}: issuer listed twice`);
    if (entry.issuer === null) throw new TypeError(`${entryWhere}: every entry of issuers names its issuer; issuer: null is for a single issuer`);
    const tokenTypes = own.tokenType === undefined ? shared.tokenTypes : tokenTypesOf(entryWhere, own.tokenType);
    const plan = planIssuer(entryWhere, entry, tokenTypes, shared);
    plans.set(entry.issuer, plan);
  }
  return fixedDirectory(plans, shared);
}
