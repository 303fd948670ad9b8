/**
 * Finding an issuer's keys from its metadata: OpenID Connect Discovery
 * (`/.well-known/openid-configuration`), falling back to RFC 8414
 * (`/.well-known/oauth-authorization-server`).
 *
 * @module
 */

import { AuthError } from '../errors.js';
import { createRemoteJwks, fetchJson, type JwksCacheSnapshot, type RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';

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

/** The metadata URLs to try for an issuer, in order. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
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
 * @param options - how to fetch; also used for the key set it names. `url` replaces the
 *   well-known locations with one explicit metadata URL.
 */
export function createDiscovery(issuer: string, options: DiscoveryOptions = {}): Discovery {
  let urls: string[];
  try {
    urls = options.url === undefined ? metadataUrls(issuer) : [new URL(options.url).href];
  } catch {
    throw new TypeError('discovery needs an issuer (or a metadata URL) that is an absolute http(s) URL');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('no fetch available: pass options.fetch');
  const timeout = options.timeout ?? 5_000;
  const cooldown = options.cooldown ?? 30_000;
  const clock = options.clock ?? Date.now;
  const { url: _url, metadata: cachedMetadata, jwksCache, ...jwksOptions } = options;

  let metadata: IssuerMetadata | undefined;
  let remote: RemoteJwks | undefined;
  let running: Promise<void> | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;

  function accept(doc: Partial<IssuerMetadata> | null): void {
    if (typeof doc !== 'object' || doc === null || typeof doc.jwks_uri !== 'string') throw new Error('metadata without jwks_uri');
    if (doc.issuer !== issuer) throw new Error('metadata names another issuer');
    metadata = Object.freeze({ ...doc }) as IssuerMetadata;
    const snapshot = jwksCache?.[doc.jwks_uri];
    remote = createRemoteJwks(doc.jwks_uri, snapshot === undefined ? jwksOptions : { ...jwksOptions, cache: snapshot });
  }
  if (cachedMetadata !== undefined) {
    try {
      accept(cachedMetadata);
    } catch {
      metadata = undefined;
    }
  }

  async function resolve(): Promise<void> {
    lastAttempt = clock();
    for (const url of urls) {
      const { status, json } = await fetchJson(url, { fetch: fetchImpl, timeout, maxBodySize: 262_144, headers: options.headers });
      if (json === undefined) {
        // Not found here: try the next location. Anything else is an outage.
        if (status === 404 || status === 410) continue;
        throw new Error(`metadata endpoint answered ${status}`);
      }
      accept(json as Partial<IssuerMetadata> | null);
      return;
    }
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
            lastError = undefined;
          })
          .catch((error: unknown) => {
            lastError = error;
          })
          .finally(() => {
            running = undefined;
          });
      }
      if (running !== undefined) await running;
      if (remote !== undefined) return remote;
      throw new AuthError('ERR_KEYS_UNAVAILABLE', { cause: lastError, details: { discovery: urls } });
    },
  };
}
