/**
 * A JSON Web Key Set fetched from a URL: fetched once and shared, cached, refetched on an
 * unknown `kid` at most once per cooldown, fetched with a timeout and a size cap, and serving
 * the last good keys while the endpoint fails.
 *
 * @module
 */

import type { JWK } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { ownOptions } from '../internal/options.js';
import { publishKeys } from '../observability/channels.js';

/** Options of {@link createRemoteJwks}. */
export interface RemoteJwksOptions {
  /** The fetch to use (a proxy-aware one, a test double). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Abort a fetch after this many milliseconds. Default 5000. */
  timeout?: number;
  /** Refresh keys older than this many milliseconds, in the background. Default 600000 (10 min). */
  cacheMaxAge?: number;
  /** Minimum milliseconds between two fetches (unknown `kid`s, failures). Default 30000. */
  cooldown?: number;
  /** Stop serving the last good keys this many milliseconds after they were fetched, while the endpoint fails. Default 86400000 (1 day). */
  maxStale?: number;
  /** Largest response body accepted, in bytes. Default 262144 (256 KiB). */
  maxBodySize?: number;
  /** Most keys kept from one response. Default 100. */
  maxKeys?: number;
  /**
   * Extra request headers, sent to this URL's origin only: redirects are followed within that
   * origin and a redirect to another one fails the fetch.
   */
  headers?: Record<string, string>;
  /** A cache exported earlier with {@link RemoteJwks.exportCache}, to start warm (serverless cold starts). */
  cache?: JwksCacheSnapshot;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** A JSON-serialisable copy of a remote key set's cache. */
export interface JwksCacheSnapshot {
  /** The keys as last fetched. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** When they were fetched, in milliseconds since the epoch. */
  readonly fetchedAt: number;
}

/** The current keys of a remote set. */
export interface JwksState {
  readonly keys: readonly JWK[];
  /** Increases every time the set changes. */
  readonly version: number;
}

/** A remote key set; pass one to several verifiers (`jwksUri: remote`) to share its cache. */
export interface RemoteJwks {
  /** The JWKS URL. */
  readonly url: string;
  /**
   * The current keys, fetching them first when there are none. Rejects with `AuthError`
   * `ERR_KEYS_UNAVAILABLE` when no keys can be had.
   */
  keys(): Promise<JwksState>;
  /**
   * The keys held now, without waiting: undefined before the first fetch, or when the last good
   * keys are older than `maxStale` while the endpoint fails. Starts a background refresh when
   * they are older than `cacheMaxAge`.
   */
  peek(): JwksState | undefined;
  /**
   * Fetches again unless a fetch happened within the cooldown (or one is running, which is
   * awaited). Resolves to true when the key set changed. Rejects with `AuthError`
   * `ERR_KEYS_UNAVAILABLE` while the endpoint fails (this fetch, or the last one within the
   * cooldown): a `kid` it cannot look up is then an outage, not a bad token.
   */
  refresh(): Promise<boolean>;
  /** True while a new fetch would be refused by the cooldown. */
  readonly coolingDown: boolean;
  /** A snapshot of the cache to persist (a KV store, a file), or undefined before the first fetch. */
  exportCache(): JwksCacheSnapshot | undefined;
  /** Loads a snapshot exported earlier; ignored if older than the keys already held. */
  importCache(snapshot: JwksCacheSnapshot): void;
}

/** @internal Every option of {@link createRemoteJwks}. */
export const REMOTE_JWKS_OPTIONS = ['fetch', 'timeout', 'cacheMaxAge', 'cooldown', 'maxStale', 'maxBodySize', 'maxKeys', 'headers', 'cache', 'clock'];

const DEFAULTS = {
  timeout: 5_000,
  cacheMaxAge: 600_000,
  cooldown: 30_000,
  maxStale: 86_400_000,
  maxBodySize: 262_144,
  maxKeys: 100,
};

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${name} must be a finite, non-negative number of milliseconds`);
  }
  return value;
}

/** A copy of configured request headers: own string values only. */
export function checkHeaders(headers: unknown): Record<string, string> {
  if (
    typeof headers !== 'object' ||
    // Stryker disable next-line ConditionalExpression: without it, Object.entries(null) below throws a TypeError all the same
    headers === null ||
    Array.isArray(headers)
  ) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('headers must be an object of header names and string values');
  }
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
      throw new TypeError('headers must be an object of header names and string values');
    }
    copy[name] = value;
  }
  return copy;
}

/** Parses and bounds a JWKS document; throws on anything that is not one. */
function parseJwks(value: unknown, maxKeys: number): JWK[] {
  // null and undefined throw a TypeError on this read; any other value without a keys array below.
  const all: unknown = (value as { keys?: unknown }).keys;
  if (!Array.isArray(all)) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
    throw new TypeError('not a JWKS: expected {"keys":[...]}');
  }
  const keys = all.filter(
    (key): key is JWK => typeof key === 'object' && key !== null && !Array.isArray(key) && typeof (key as JWK).kty === 'string',
  );
  return keys.slice(0, maxKeys);
}

async function readBody(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
    throw new RangeError('JWKS response too large');
  }
  // Stryker disable next-line StringLiteral: an empty body and any other text that is no key set are refused alike
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      void reader.cancel().catch(() => undefined);
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new RangeError('JWKS response too large');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}

/** Redirects followed within one origin; a JWKS or metadata URL that needs more is misconfigured. */
const MAX_REDIRECTS = 3;

/** Cancels a body we will not read, without waiting on it: a stream that never settles must not hold a request. */
function discard(response: Response): void {
  try {
    // Stryker disable next-line OptionalChaining: a null body throws here, which the catch below drops just the same
    void response.body?.cancel().catch(() => undefined);
  } catch {
    // A body that cannot even be cancelled is dropped as is.
  }
}

async function fetchFollowing(url: string, options: FetchJsonOptions, signal: AbortSignal): Promise<{ status: number; json: unknown }> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await options.fetch(current, {
      method: 'GET',
      headers: { accept: 'application/json', ...options.headers },
      signal,
      // Followed here, so that every request, headers and all, stays on the configured origin.
      redirect: 'manual',
      credentials: 'omit',
    } as RequestInit);
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    if (location === null) {
      if (!response.ok) {
        discard(response);
        return { status: response.status, json: undefined };
      }
      const text = await readBody(response, options.maxBodySize);
      return { status: response.status, json: JSON.parse(text) as unknown };
    }
    discard(response);
    const next = new URL(location, current);
    if (next.origin !== origin) {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new Error(`redirected from ${origin} to another origin; configure the final URL`);
    }
    if (hop >= MAX_REDIRECTS) {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    }
    current = next.href;
  }
}

/** @internal How {@link fetchJson} fetches. */
export interface FetchJsonOptions {
  readonly fetch: typeof fetch;
  readonly timeout: number;
  readonly maxBodySize: number;
  readonly headers?: Record<string, string> | undefined;
}

/**
 * Fetches a URL as JSON, shared by remote key sets and discovery: redirects are followed only
 * within the URL's origin (a redirect elsewhere is a failure, so configured headers never leave
 * it), the body is capped, and `timeout` bounds the whole exchange, body included, whatever the
 * fetch implementation does with the abort signal.
 * @internal
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<{ status: number; json: unknown }> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      reject(new Error(`no complete answer within ${options.timeout} ms`));
    }, options.timeout);
  });
  try {
    return await Promise.race([fetchFollowing(url, options, controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates a remote key set. Nothing is fetched until keys are first needed (or `refresh()` is
 * called); give it a `cache` snapshot to start warm.
 *
 * @example Sharing one key set between two verifiers
 * ```ts
 * const keys = createRemoteJwks('https://id.example.com/.well-known/jwks.json');
 * const api = createVerifier({ issuer: 'https://id.example.com/', audience: 'api', jwksUri: keys });
 * const admin = createVerifier({ issuer: 'https://id.example.com/', audience: 'admin', jwksUri: keys });
 * ```
 */
export function createRemoteJwks(url: string | URL, input: RemoteJwksOptions = {}): RemoteJwks {
  // Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the option reader's messages
  const options = ownOptions(input, 'createRemoteJwks', REMOTE_JWKS_OPTIONS);
  let parsed: URL;
  try {
    // Stryker disable BlockStatement: emptied, the catch block leaves parsed undefined, and reading its protocol below throws a TypeError all the same
    parsed = new URL(String(url));
  } catch {
    // Stryker restore BlockStatement
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('jwksUri must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('jwksUri must be an absolute http(s) URL');
  }
  const href = parsed.href;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('no fetch available: pass options.fetch');
  }
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const timeout = positive('timeout', options.timeout, DEFAULTS.timeout);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const cacheMaxAge = positive('cacheMaxAge', options.cacheMaxAge, DEFAULTS.cacheMaxAge);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const cooldown = positive('cooldown', options.cooldown, DEFAULTS.cooldown);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const maxStale = positive('maxStale', options.maxStale, DEFAULTS.maxStale);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const maxBodySize = positive('maxBodySize', options.maxBodySize, DEFAULTS.maxBodySize);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const maxKeys = positive('maxKeys', options.maxKeys, DEFAULTS.maxKeys);
  const headers = options.headers === undefined ? undefined : checkHeaders(options.headers);
  const clock = options.clock ?? Date.now;

  let keys: JWK[] | undefined;
  let fetchedAt = 0;
  let version = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;
  let running: Promise<boolean> | undefined;

  let state: JwksState | undefined;

  function store(next: JWK[], at: number): boolean {
    // No keys stringify to undefined, so the first set counts as a change.
    const changed = JSON.stringify(next) !== JSON.stringify(keys);
    keys = next;
    fetchedAt = at;
    if (changed) version++;
    state = { keys, version };
    return changed;
  }

  function load(): Promise<boolean> {
    running ??= (async () => {
      lastAttempt = clock();
      try {
        const { status, json } = await fetchJson(href, { fetch: fetchImpl, timeout, maxBodySize, headers });
        if (json === undefined) throw new Error(`JWKS endpoint answered ${status}`);
        const changed = store(parseJwks(json, maxKeys), clock());
        if (lastError !== undefined) publishKeys({ kind: 'recovery', source: 'jwks', url: href });
        lastError = undefined;
        return changed;
      } catch (error) {
        lastError = error;
        publishKeys({ kind: 'failure', source: 'jwks', url: href, error });
        // Stryker disable next-line BooleanLiteral: after a failure refresh() rejects, so this result is never read
        return false;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function unavailable(): AuthError {
    return new AuthError('ERR_KEYS_UNAVAILABLE', { cause: lastError, details: { jwksUri: href } });
  }

  const remote: RemoteJwks = {
    url: href,
    get coolingDown() {
      return clock() - lastAttempt < cooldown;
    },
    async keys(): Promise<JwksState> {
      if (keys === undefined) {
        if (running !== undefined) await running;
        else if (!remote.coolingDown) await load();
      }
      const state = remote.peek();
      if (state === undefined) throw unavailable();
      return state;
    },
    peek(): JwksState | undefined {
      if (keys === undefined) return undefined;
      const age = clock() - fetchedAt;
      if (age > cacheMaxAge && !remote.coolingDown) {
        // Stale: refresh in the background (or join the refresh under way) and keep serving what we have meanwhile.
        void load();
      }
      if (age > maxStale && lastError !== undefined) return undefined;
      return state;
    },
    async refresh(): Promise<boolean> {
      const changed = running !== undefined ? await running : remote.coolingDown ? false : await load();
      // While the endpoint fails, a new key cannot be told from a forged kid: 503, never a 401
      // that would make clients throw away tokens that may well be valid.
      if (lastError !== undefined) throw unavailable();
      return changed;
    },
    exportCache() {
      return keys === undefined ? undefined : { jwks: { keys: keys.map((key) => ({ ...key })) }, fetchedAt };
    },
    importCache(snapshot: JwksCacheSnapshot) {
      // A snapshot read back from an empty store is often null: refused with the TypeError below.
      // Stryker disable next-line OptionalChaining: without it null throws a TypeError on the read all the same, one that names no snapshot
      if (!Number.isFinite(snapshot?.fetchedAt)) {
        // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
        throw new TypeError('not a JWKS cache snapshot');
      }
      if (keys !== undefined && snapshot.fetchedAt <= fetchedAt) return;
      store(parseJwks(snapshot.jwks, maxKeys), snapshot.fetchedAt);
    },
  };
  if (options.cache !== undefined) remote.importCache(options.cache);
  return remote;
}
