// Per-issuer key stores: which prepared keys may verify a token with a given `alg` and `kid`.
// Keys are prepared (imported for each algorithm they may serve) once, when configured or
// when a key set changes, never per request.

import type { JWK } from 'jose';
import type { Algorithm } from '../jose/algorithms.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { describeJwk, type KeyDescriptor } from '../keys/public-key.js';
import type { JwksState, RemoteJwks } from '../keys/remote-jwks.js';

export interface PreparedKey {
  readonly kid: string | undefined;
  /** Prepared handles, one per algorithm this key may verify for this issuer. */
  readonly handles: ReadonlyMap<Algorithm, unknown>;
  /** False once the key left its key set; results it verified are no longer served from cache. */
  active: boolean;
}

export interface KeyStore {
  /** Keys that may verify `alg` (and `kid`). May fetch; may reject with ERR_KEYS_UNAVAILABLE. */
  select(alg: Algorithm, kid: string | undefined): PreparedKey[] | Promise<PreparedKey[]>;
  /** After an unknown `kid`: refetch if the source allows it now. True when keys changed. */
  refresh(): Promise<boolean>;
  /** Resolves once the keys are prepared (static) or first fetched (remote). */
  ready(): Promise<void>;
  /**
   * Asked on cache hits, which skip `select`: true while the prepared keys match the key set
   * held. False once the set changed (a refresh landed): the hit is then verified afresh, so a
   * key that left the set never vouches for a cached token again. Also lets a stale set start
   * its background refresh.
   */
  current(): boolean;
}

// Without a `kid`, a token is tried against at most this many keys: enough for secret
// rotation, too few to turn a large key set into a work amplifier.
const MAX_CANDIDATES = 4;

async function prepare(descriptor: KeyDescriptor, allowed: ReadonlySet<Algorithm>, backend: SignatureBackend, strict: boolean): Promise<PreparedKey | undefined> {
  const handles = new Map<Algorithm, unknown>();
  for (const alg of descriptor.algorithms) {
    if (!allowed.has(alg)) continue;
    try {
      handles.set(alg, await backend.prepare(descriptor.material, alg));
    } catch (error) {
      if (strict) throw error;
    }
  }
  return handles.size === 0 ? undefined : { kid: descriptor.kid, handles, active: true };
}

function pick(keys: readonly PreparedKey[], alg: Algorithm, kid: string | undefined, exactKid: boolean): PreparedKey[] {
  const usable = keys.filter((key) => key.handles.has(alg));
  if (kid !== undefined) {
    const matching = usable.filter((key) => key.kid === kid);
    if (matching.length > 0 || exactKid) return matching;
    return usable.filter((key) => key.kid === undefined).slice(0, MAX_CANDIDATES);
  }
  return usable.slice(0, MAX_CANDIDATES);
}

function prepareNow(descriptors: readonly KeyDescriptor[], allowed: ReadonlySet<Algorithm>, backend: SignatureBackend): PreparedKey[] | undefined {
  const out: PreparedKey[] = [];
  for (const descriptor of descriptors) {
    const handles = new Map<Algorithm, unknown>();
    for (const alg of descriptor.algorithms) {
      if (!allowed.has(alg)) continue;
      let handle: unknown;
      try {
        handle = backend.prepare(descriptor.material, alg);
      } catch (error) {
        throw new TypeError(`${descriptor.kid === undefined ? 'a configured key' : `key ${JSON.stringify(descriptor.kid)}`} cannot be used with ${alg}: ${(error as Error).message}`, { cause: error });
      }
      if (handle instanceof Promise) {
        handle.catch(() => undefined);
        return undefined;
      }
      handles.set(alg, handle);
    }
    if (handles.size > 0) out.push({ kid: descriptor.kid, handles, active: true });
  }
  return out;
}

/** Keys fixed at configuration: secrets, public keys, a local JWKS. */
export function createStaticStore(descriptors: readonly KeyDescriptor[], allowed: ReadonlySet<Algorithm>, backend: SignatureBackend): KeyStore {
  let keys: PreparedKey[] | undefined;
  // Every answer `pick` can give, computed once: per algorithm for a token without `kid` (or an
  // unknown one), per configured `kid` and algorithm otherwise.
  const byAlg = new Map<Algorithm, PreparedKey[]>();
  const withoutKid = new Map<Algorithm, PreparedKey[]>();
  const byKid = new Map<string, Map<Algorithm, PreparedKey[]>>();
  const index = (prepared: readonly (PreparedKey | undefined)[]): void => {
    keys = prepared.filter((key): key is PreparedKey => key !== undefined);
    for (const alg of allowed) {
      byAlg.set(alg, pick(keys, alg, undefined, false));
      withoutKid.set(alg, keys.filter((key) => key.kid === undefined && key.handles.has(alg)).slice(0, MAX_CANDIDATES));
      for (const key of keys) {
        if (key.kid === undefined) continue;
        const perAlg = byKid.get(key.kid) ?? new Map<Algorithm, PreparedKey[]>();
        perAlg.set(alg, pick(keys, alg, key.kid, false));
        byKid.set(key.kid, perAlg);
      }
    }
  };
  // Where the backend prepares synchronously (node:crypto), do it now: a key it cannot use (an
  // EC point off its curve, say) is then a TypeError at creation rather than a failing request.
  const now = prepareNow(descriptors, allowed, backend);
  const preparing =
    now !== undefined
      ? Promise.resolve(index(now))
      : Promise.all(descriptors.map((descriptor) => prepare(descriptor, allowed, backend, true))).then(index);
  const lookup = (alg: Algorithm, kid: string | undefined): PreparedKey[] => {
    if (kid === undefined) return byAlg.get(alg) ?? [];
    const known = byKid.get(kid);
    return known === undefined ? (withoutKid.get(alg) ?? []) : (known.get(alg) ?? []);
  };
  // Surfaced through ready() and select(); never as an unhandled rejection.
  preparing.catch(() => undefined);
  return {
    select(alg, kid) {
      if (keys !== undefined) return lookup(alg, kid);
      return preparing.then(() => lookup(alg, kid));
    },
    refresh: async () => false,
    ready: () => preparing,
    current: () => true,
  };
}

/** Keys from a remote key set (a JWKS URL, or the one discovery found). */
export function createRemoteStore(
  source: { now(): RemoteJwks | undefined; resolve(): Promise<RemoteJwks> },
  allowed: ReadonlySet<Algorithm>,
  backend: SignatureBackend,
): KeyStore {
  let version = -1;
  let keys: PreparedKey[] = [];
  let rebuilding: Promise<void> | undefined;
  const byIdentity = new Map<string, PreparedKey>();

  async function rebuild(jwks: readonly JWK[], next: number): Promise<void> {
    const descriptors: KeyDescriptor[] = [];
    for (const jwk of jwks) {
      const described = describeJwk(jwk, 'jwks', false);
      if (typeof described !== 'string') descriptors.push(described);
    }
    // Two usable keys under one kid are ambiguous: use neither.
    const counts = new Map<string | undefined, number>();
    for (const d of descriptors) counts.set(d.kid, (counts.get(d.kid) ?? 0) + 1);
    const unique = descriptors.filter((d) => d.kid === undefined || counts.get(d.kid) === 1);

    const fresh = new Map<string, PreparedKey>();
    for (const descriptor of unique) {
      const identity = JSON.stringify([descriptor.kid, descriptor.material.kind === 'jwk' ? descriptor.material.jwk : null]);
      const known = byIdentity.get(identity) ?? fresh.get(identity);
      const key = known ?? (await prepare(descriptor, allowed, backend, false));
      if (key !== undefined) fresh.set(identity, key);
    }
    for (const [identity, key] of byIdentity) {
      if (!fresh.has(identity)) key.active = false;
    }
    byIdentity.clear();
    for (const [identity, key] of fresh) byIdentity.set(identity, key);
    keys = [...fresh.values()];
    version = next;
  }

  function sync(state: JwksState): Promise<void> | undefined {
    if (state.version === version) return undefined;
    rebuilding ??= rebuild(state.keys, state.version).finally(() => {
      rebuilding = undefined;
    });
    return rebuilding;
  }

  async function current(): Promise<PreparedKey[]> {
    const remote = await source.resolve();
    const pending = sync(await remote.keys());
    if (pending !== undefined) await pending;
    return keys;
  }

  return {
    select(alg, kid) {
      // The common case answers synchronously: keys held, prepared, and not past maxStale.
      const state = source.now()?.peek();
      if (state !== undefined && state.version === version) return pick(keys, alg, kid, true);
      return current().then((held) => pick(held, alg, kid, true));
    },
    async refresh() {
      const remote = await source.resolve();
      return remote.refresh();
    },
    async ready() {
      await current();
    },
    current() {
      const state = source.now()?.peek();
      return state !== undefined && state.version === version;
    },
  };
}
