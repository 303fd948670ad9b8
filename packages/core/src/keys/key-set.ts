/**
 * `createKeySet`: the signing keys of an issuer, for rotation without breaking tokens in flight.
 * One key signs (the active one); the others stay published in the JWKS, so tokens they signed
 * keep verifying until you remove them.
 *
 * @module
 */

import type { JSONWebKeySet, JWK } from 'jose';
import type { Algorithm, AsymmetricAlgorithm, HmacAlgorithm } from '../jose/algorithms.js';
import type { SecretInput } from './public-key.js';
import { ownOptions } from '../internal/options.js';
import { isCryptoKey } from './key-forms.js';
import type { PrivateKeyInput } from './private-key.js';
import { planSecret, planSigningKey, prepareSigningKey, type PreparedSigningKey, type SecretPlan, type SigningKey, type SigningKeyPlan } from './signing-key.js';

/**
 * One key of a key set: a {@link SigningKey}, a private key with its algorithm, or an HMAC
 * secret. Keys of one set are all asymmetric or all HMAC, never both.
 */
export type KeySetEntry =
  | SigningKey
  | { readonly privateKey: PrivateKeyInput; readonly algorithm?: AsymmetricAlgorithm; readonly kid?: string }
  | { readonly secret: SecretInput; readonly algorithm?: HmacAlgorithm; readonly kid?: string };

/** What a key set holds, without key material. */
export interface KeyInfo {
  readonly kid: string;
  readonly algorithm: Algorithm;
  /** True for the one key that signs. */
  readonly active: boolean;
}

/**
 * Signing keys with one active key. Changes apply in order; a `sign()` running meanwhile uses
 * the key that was active when it started.
 */
export interface KeySet {
  /** The public JWKS: every asymmetric key of the set, never a private member; empty for HMAC secrets. */
  jwks(): Promise<JSONWebKeySet>;
  /** The keys, the active one first. */
  list(): Promise<readonly KeyInfo[]>;
  /** Publishes a key without signing with it yet (so caches learn it before its first token). */
  add(entry: KeySetEntry): Promise<KeyInfo>;
  /** Signs with this key from now on; the previous active key stays published. */
  activate(kid: string): Promise<void>;
  /** Adds a key and activates it at once: `add` then `activate`. */
  rotate(entry: KeySetEntry): Promise<KeyInfo>;
  /** Stops publishing a key. Tokens it signed stop verifying; the active key cannot be removed. */
  remove(kid: string): Promise<void>;
  /** Resolves once every key is imported; rejects with the configuration error otherwise. */
  ready(): Promise<void>;
}

interface State {
  readonly keys: readonly PreparedSigningKey[];
  readonly active: PreparedSigningKey;
  /** Increases with every change, so verifiers built from the set know when to rebuild. */
  readonly version: number;
  readonly hmac: boolean;
}

const STATES = new WeakMap<KeySet, () => Promise<State>>();

/** @internal The current keys of a set created by {@link createKeySet}. */
export function keySetState(set: KeySet): Promise<State> {
  const state = STATES.get(set);
  if (state === undefined) throw new TypeError('not a key set made by createKeySet');
  return state();
}

/** @internal True for a key set made by {@link createKeySet}. */
export function isKeySet(value: unknown): value is KeySet {
  return typeof value === 'object' && value !== null && STATES.has(value as KeySet);
}

/** @internal Validates one entry now; throws a TypeError that says what to fix. */
// A SigningKey carries these too; they are read, never required.
const ENTRY_FIELDS = ['privateKey', 'publicKey', 'publicJwk', 'secret', 'algorithm', 'kid'];

function planEntry(entry: KeySetEntry, where: string): SigningKeyPlan | SecretPlan {
  if (typeof entry !== 'object' || entry === null) throw new TypeError(`${where} must be a signing key, { privateKey, algorithm } or { secret, algorithm }`);
  const e = ownOptions(entry as { privateKey?: unknown; publicKey?: unknown; secret?: unknown; algorithm?: unknown; kid?: unknown }, where, ENTRY_FIELDS);
  const hasSecret = e.secret !== undefined;
  if (hasSecret === (e.privateKey !== undefined)) throw new TypeError(`${where}: give exactly one of privateKey or secret`);
  if (hasSecret) return planSecret(e.secret as SecretInput, e.algorithm, e.kid, where);
  // A SigningKey or CryptoKeyPair brings its public key along (needed when the private one is not extractable).
  const input = isCryptoKey(e.privateKey) && isCryptoKey(e.publicKey) ? { privateKey: e.privateKey, publicKey: e.publicKey } : e.privateKey;
  return planSigningKey(input as PrivateKeyInput, e.algorithm, e.kid, where);
}

function info(key: PreparedSigningKey, active: PreparedSigningKey): KeyInfo {
  return Object.freeze({ kid: key.kid, algorithm: key.algorithm, active: key === active });
}

/**
 * Creates a key set. The first key signs; the others are published so the tokens they signed
 * keep verifying. Keys are validated now (weak keys and algorithms that do not fit throw a
 * TypeError) and imported once, in the background (`ready()` reports the outcome).
 *
 * Rotation without breaking tokens in flight: `add` the next key a while before it signs (at
 * least the verifiers' JWKS cache age), `activate` it, and `remove` the old key once every token
 * it signed has expired (refresh tokens included).
 *
 * @example
 * ```ts
 * const keys = createKeySet([await generateSigningKey('ES256')]);
 * const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'orders-api', keys });
 * // later: a new key signs, the old one stays published
 * const previous = (await keys.list())[0];
 * await keys.rotate(await generateSigningKey('ES256'));
 * // once the old key's last token expired
 * await keys.remove(previous.kid);
 * ```
 */
export function createKeySet(entries: readonly KeySetEntry[]): KeySet {
  if (!Array.isArray(entries) || entries.length === 0) throw new TypeError('createKeySet needs an array of at least one key; the first one signs');
  const plans = entries.map((entry, i) => planEntry(entry, `keys[${i}]`));
  const hmac = (plans[0] as SigningKeyPlan | SecretPlan).hmac;
  const mixed = () => new TypeError('HMAC secrets and private keys cannot share one key set (algorithm confusion, RFC 8725 §2.1)');
  if (plans.some((plan) => plan.hmac !== hmac)) throw mixed();
  const kids = plans.map((plan) => plan.kid).filter((kid) => kid !== undefined);
  if (new Set(kids).size !== kids.length) throw new TypeError('createKeySet: two keys share one kid');

  const unique = (keys: readonly PreparedSigningKey[]) => {
    if (new Set(keys.map((key) => key.kid)).size !== keys.length) throw new TypeError('createKeySet: two keys share one kid (the same key given twice?)');
  };
  let state: Promise<State> = Promise.all(plans.map((plan, i) => prepareSigningKey(plan, `keys[${i}]`))).then((keys) => {
    unique(keys);
    return { keys, active: keys[0] as PreparedSigningKey, version: 1, hmac };
  });
  state.catch(() => undefined);

  // Changes run one after another; a failed change leaves the set as it was.
  function change<T>(apply: (current: State) => Promise<[State, T]>): Promise<T> {
    const before = state;
    const run = before.then(apply);
    state = run.then(
      ([next]) => next,
      () => before,
    );
    state.catch(() => undefined);
    return run.then(([, result]) => result);
  }

  function find(current: State, kid: string): PreparedSigningKey {
    const key = typeof kid === 'string' ? current.keys.find((k) => k.kid === kid) : undefined;
    if (key === undefined) throw new TypeError('no key with this kid in the set');
    return key;
  }

  async function added(current: State, entry: KeySetEntry): Promise<PreparedSigningKey> {
    const plan = planEntry(entry, 'key');
    if (plan.hmac !== current.hmac) throw mixed();
    const key = await prepareSigningKey(plan, 'key');
    if (current.keys.some((k) => k.kid === key.kid)) throw new TypeError('the set already holds a key with this kid');
    return key;
  }

  const set: KeySet = {
    async jwks() {
      const current = await state;
      const ordered = [current.active, ...current.keys.filter((k) => k !== current.active)];
      return { keys: ordered.flatMap((k) => (k.publicJwk === undefined ? [] : [{ ...k.publicJwk } as JWK])) };
    },
    async list() {
      const current = await state;
      return [current.active, ...current.keys.filter((k) => k !== current.active)].map((k) => info(k, current.active));
    },
    add(entry) {
      return change(async (current) => {
        const key = await added(current, entry);
        return [{ ...current, keys: [...current.keys, key], version: current.version + 1 }, info(key, current.active)];
      });
    },
    activate(kid) {
      return change(async (current) => {
        const key = find(current, kid);
        return [{ ...current, active: key, version: current.version + 1 }, undefined];
      });
    },
    rotate(entry) {
      return change(async (current) => {
        const key = await added(current, entry);
        return [{ ...current, keys: [...current.keys, key], active: key, version: current.version + 1 }, info(key, key)];
      });
    },
    remove(kid) {
      return change(async (current) => {
        const key = find(current, kid);
        if (key === current.active) throw new TypeError('the active key cannot be removed; activate another key first');
        return [{ ...current, keys: current.keys.filter((k) => k !== key), version: current.version + 1 }, undefined];
      });
    },
    async ready() {
      await state;
    },
  };
  Object.freeze(set);
  STATES.set(set, () => state);
  return set;
}
