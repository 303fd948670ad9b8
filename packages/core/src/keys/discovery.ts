/**
 * Finding an issuer's keys from its metadata: OpenID Connect Discovery
 * (`/.well-known/openid-configuration`), falling back to RFC 8414
 * (`/.well-known/oauth-authorization-server`).
 *
 * @module
 */

import { AuthError } from '../errors/auth-error.js';
import { own, ownOptions } from '../internal/options.js';
import { publishKeys } from '../observability/channels.js';
import { checkHeaders, createRemoteJwks, fetchJson, REMOTE_JWKS_OPTIONS, type JwksCacheSnapshot, type RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';

/** What discovery resolved. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly [member: string]: unknown;
}

/** An issuer's metadata and key set, resolved on first use. */
export interface Discovery {
  /** The configured issuer. */
  readonly issuer: string;
  /** Resolves the metadata (once) and returns the issuer's remote key set. */
  jwks(): Promise<RemoteJwks>;
  /** The metadata, once resolved. */
  readonly metadata: IssuerMetadata | undefined;
  /** The key set, once the metadata named it. */
  readonly current: RemoteJwks | undefined;
}

/** Options of {@link createDiscovery}. */
export interface DiscoveryOptions extends RemoteJwksOptions {
  /** One explicit metadata URL instead of the two well-known locations. */
  url?: string;
  /** Metadata resolved earlier (a cache snapshot): used without fetching if it names this issuer. */
  metadata?: IssuerMetadata;
  /** Key set snapshots by JWKS URL, applied to the key set the metadata names. */
  jwksCache?: Readonly<Record<string, JwksCacheSnapshot>>;
}

/**
 * `path` without its trailing slashes; a loop, since `/\/+$/` is quadratic on a run of slashes.
 * It stops at the start too, where `charCodeAt(-1)` is NaN, no slash.
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

/** The metadata URLs to try for an issuer, in order. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = withoutTrailingSlashes(url.pathname);
  // OIDC Discovery §4: append to the issuer. RFC 8414 §3.1: insert between host and path.
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * Creates discovery for an issuer. The metadata's `issuer` must equal the configured one
 * exactly (OIDC Discovery §4.3, RFC 8414 §3.3), or no keys are ever taken from it.
 *
 * @param issuer - the issuer identifier, exactly as it appears in tokens' `iss`.
 * @param input - how to fetch; also used for the key set it names. `url` replaces the
 *   well-known locations with one explicit metadata URL.
 */
export function createDiscovery(issuer: string, input: DiscoveryOptions = {}): Discovery {
  const options = ownOptions(
    input,
    // Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the option reader's messages
    'createDiscovery',
    [...REMOTE_JWKS_OPTIONS, 'url', 'metadata', 'jwksCache'],
  );
  let urls: string[];
  try {
    urls = options.url === undefined ? metadataUrls(issuer) : [new URL(options.url).href];
  } catch {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('discovery needs an issuer (or a metadata URL) that is an absolute http(s) URL');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError('no fetch available: pass options.fetch');
  }
  const timeout = options.timeout ?? 5_000;
  const cooldown = options.cooldown ?? 30_000;
  const clock = options.clock ?? Date.now;
  const { url: _url, metadata: cachedMetadata, jwksCache, headers: given, ...jwksOptions } = options;
  const headers = given === undefined ? {} : checkHeaders(given);

  let metadata: IssuerMetadata | undefined;
  let remote: RemoteJwks | undefined;
  let running: Promise<void> | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;

  /** Takes metadata served from `from` (a metadata URL), or refuses it. */
  function accept(doc: Partial<IssuerMetadata> | null | undefined, from: string): void {
    if (typeof doc?.jwks_uri !== 'string') {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new Error('metadata without jwks_uri');
    }
    // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
    if (doc.issuer !== issuer) throw new Error('metadata names another issuer');
    let jwksUrl: URL;
    try {
      jwksUrl = new URL(doc.jwks_uri);
    } catch {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new Error('metadata with a jwks_uri that is not an absolute URL');
    }
    const source = new URL(from);
    // OpenID Connect Discovery §3: metadata over https names its keys over https too.
    if (source.protocol === 'https:' && jwksUrl.protocol !== 'https:') {
      // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
      throw new Error('metadata over https names a jwks_uri over http');
    }
    metadata = Object.freeze({ ...doc }) as IssuerMetadata;
    const snapshot = jwksCache === undefined ? undefined : own(jwksCache, doc.jwks_uri);
    // Configured headers go to the configured origin only, never to a host the metadata names.
    const keyOptions: RemoteJwksOptions = { ...jwksOptions, ...(jwksUrl.origin === source.origin ? { headers } : {}) };
    const keySet = createRemoteJwks(doc.jwks_uri, keyOptions);
    if (snapshot !== undefined) keySet.importCache(snapshot);
    remote = keySet;
  }
  // Cached metadata is taken when it names this issuer; otherwise discovery fetches it.
  // Stryker disable next-line ConditionalExpression: accept() refuses no metadata like metadata without jwks_uri, and the catch drops it the same way
  if (cachedMetadata !== undefined) {
    try {
      accept(cachedMetadata, urls[0] as string);
    } catch {
      metadata = undefined;
    }
  }

  async function resolve(): Promise<void> {
    lastAttempt = clock();
    for (const url of urls) {
      const { status, json } = await fetchJson(url, { fetch: fetchImpl, timeout, maxBodySize: 262_144, headers });
      if (json === undefined) {
        // Not found here: try the next location. Anything else is an outage.
        if (status === 404 || status === 410) continue;
        // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
        throw new Error(`metadata endpoint answered ${status}`);
      }
      accept(json as Partial<IssuerMetadata> | null, url);
      return;
    }
    // Stryker disable next-line StringLiteral: message text, not part of the contract: the error is the refusal's cause
    throw new Error('no issuer metadata found');
  }

  return {
    issuer,
    get metadata() {
      return metadata;
    },
    get current() {
      return remote;
    },
    async jwks(): Promise<RemoteJwks> {
      if (remote !== undefined) return remote;
      if (running === undefined && clock() - lastAttempt >= cooldown) {
        running = resolve()
          .then(() => {
            if (lastError !== undefined) publishKeys({ kind: 'recovery', source: 'discovery', url: urls[0] as string });
            lastError = undefined;
          })
          .catch((error: unknown) => {
            lastError = error;
            publishKeys({ kind: 'failure', source: 'discovery', url: urls[0] as string, error });
          })
          .finally(() => {
            running = undefined;
          });
      }
      // With no discovery under way this awaits undefined, which only yields a tick.
      await running;
      if (remote !== undefined) return remote;
      throw new AuthError('ERR_KEYS_UNAVAILABLE', { cause: lastError, details: { discovery: urls } });
    },
  };
}
