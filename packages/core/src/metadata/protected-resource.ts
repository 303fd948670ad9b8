/**
 * RFC 9728 OAuth 2.0 Protected Resource Metadata: the document that tells a client which
 * authorization servers issue tokens for this resource, and how to present them. Built and
 * checked once, at start-up; served by each adapter's `protectedResourceMetadata()`.
 *
 * @module
 */

import { ownOptions } from '../internal/options.js';
import { readHttpsUrl } from './url.js';

/** The RFC 9728 well-known path segment (§3). */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** Options of {@link createProtectedResourceMetadata}: the RFC 9728 §2 fields, in camelCase. */
export interface ProtectedResourceMetadataOptions {
  /**
   * The resource identifier (`resource`): the URL clients use for this API, e.g.
   * `https://api.example.com` or `https://example.com/mcp`. An https URL (http only for
   * loopback hosts) without a fragment. Tokens for it should carry it as their audience.
   */
  resource: string | URL;
  /** Issuer identifiers of the authorization servers that issue tokens for it (`authorization_servers`). */
  authorizationServers?: readonly (string | URL)[];
  /** The OAuth scopes the resource understands (`scopes_supported`). */
  scopesSupported?: readonly string[];
  /**
   * How a bearer token may be sent (`bearer_methods_supported`): `header`, `body`, `query`. jwt-gate
   * reads the `Authorization` header (and, when configured, a cookie or a header of your own);
   * `[]` says bearer tokens are not accepted at all.
   */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[];
  /** The DPoP proof algorithms the resource accepts (`dpop_signing_alg_values_supported`). */
  dpopSigningAlgValuesSupported?: readonly string[];
  /** Whether every token must be DPoP-bound (`dpop_bound_access_tokens_required`). */
  dpopBoundAccessTokensRequired?: boolean;
  /** Whether tokens must be bound to a TLS client certificate (`tls_client_certificate_bound_access_tokens`). */
  tlsClientCertificateBoundAccessTokens?: boolean;
  /** A human-readable name for end users (`resource_name`). */
  resourceName?: string;
  /** A page of developer documentation (`resource_documentation`). */
  resourceDocumentation?: string | URL;
  /** The resource's data-use policy (`resource_policy_uri`). */
  resourcePolicyUri?: string | URL;
  /** The resource's terms of service (`resource_tos_uri`). */
  resourceTosUri?: string | URL;
  /** The resource's own public keys, for signed responses (`jwks_uri`). */
  jwksUri?: string | URL;
  /** Algorithms the resource signs responses with (`resource_signing_alg_values_supported`). */
  resourceSigningAlgValuesSupported?: readonly string[];
  /** RFC 9396 authorization details types it understands (`authorization_details_types_supported`). */
  authorizationDetailsTypesSupported?: readonly string[];
}

/** The RFC 9728 §2 metadata document, as served. Absent members were not configured. */
export interface ProtectedResourceMetadataDocument {
  readonly resource: string;
  readonly authorization_servers?: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported?: readonly string[];
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: boolean;
  readonly tls_client_certificate_bound_access_tokens?: boolean;
  readonly resource_name?: string;
  readonly resource_documentation?: string;
  readonly resource_policy_uri?: string;
  readonly resource_tos_uri?: string;
  readonly jwks_uri?: string;
  readonly resource_signing_alg_values_supported?: readonly string[];
  readonly authorization_details_types_supported?: readonly string[];
}

/** A checked metadata document and where it is served, from {@link createProtectedResourceMetadata}. */
export interface ProtectedResourceMetadata {
  /** The document (frozen). */
  readonly document: ProtectedResourceMetadataDocument;
  /** The document serialised as JSON: the response body. */
  readonly json: string;
  /**
   * The path it is served at (RFC 9728 §3.1): `/.well-known/oauth-protected-resource`, followed
   * by the resource's path when it has one (`/.well-known/oauth-protected-resource/mcp` for
   * `https://example.com/mcp`).
   */
  readonly path: string;
  /** The document's full URL, for `jwtAuth({ resourceMetadata })` and the `resource_metadata` challenge parameter. */
  readonly url: string;
}

const FIELDS: readonly (readonly [keyof ProtectedResourceMetadataOptions, string, 'urls' | 'strings' | 'url' | 'text' | 'boolean' | 'methods'])[] = [
  ['authorizationServers', 'authorization_servers', 'urls'],
  ['scopesSupported', 'scopes_supported', 'strings'],
  ['bearerMethodsSupported', 'bearer_methods_supported', 'methods'],
  ['dpopSigningAlgValuesSupported', 'dpop_signing_alg_values_supported', 'strings'],
  ['dpopBoundAccessTokensRequired', 'dpop_bound_access_tokens_required', 'boolean'],
  ['tlsClientCertificateBoundAccessTokens', 'tls_client_certificate_bound_access_tokens', 'boolean'],
  ['resourceName', 'resource_name', 'text'],
  ['resourceDocumentation', 'resource_documentation', 'url'],
  ['resourcePolicyUri', 'resource_policy_uri', 'url'],
  ['resourceTosUri', 'resource_tos_uri', 'url'],
  ['jwksUri', 'jwks_uri', 'url'],
  ['resourceSigningAlgValuesSupported', 'resource_signing_alg_values_supported', 'strings'],
  ['authorizationDetailsTypesSupported', 'authorization_details_types_supported', 'strings'],
];
const KNOWN = ['resource', ...FIELDS.map(([name]) => name)];
const BEARER_METHODS = ['header', 'body', 'query'];

/**
 * The URL of a resource's RFC 9728 metadata document (§3.1): the well-known path inserted between
 * the resource's origin and its path, any query kept after it.
 *
 * @example
 * ```ts
 * protectedResourceMetadataUrl('https://api.example.com');     // 'https://api.example.com/.well-known/oauth-protected-resource'
 * protectedResourceMetadataUrl('https://example.com/mcp');     // 'https://example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function protectedResourceMetadataUrl(resource: string | URL): string {
  const url = readHttpsUrl('protectedResourceMetadataUrl', 'resource', resource);
  return `${url.origin}${wellKnownPath(url)}${url.search}`;
}

function wellKnownPath(url: URL): string {
  return url.pathname === '/' ? PROTECTED_RESOURCE_WELL_KNOWN : `${PROTECTED_RESOURCE_WELL_KNOWN}${url.pathname.replace(/\/$/, '')}`;
}

/**
 * Builds and checks an RFC 9728 protected-resource metadata document, once, at start-up: the
 * URLs must be absolute (`resource` and `authorizationServers` https, or http on loopback hosts,
 * without a fragment), the lists arrays of non-empty strings; anything else, or an unknown
 * option, is a TypeError. Serve it with your adapter's `protectedResourceMetadata(metadata)` and
 * name it in challenges with `jwtAuth({ resourceMetadata: metadata.url })`.
 *
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata({
 *   resource: 'https://api.example.com',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['orders:read', 'orders:write'],
 *   bearerMethodsSupported: ['header'],
 * });
 * metadata.url; // 'https://api.example.com/.well-known/oauth-protected-resource'
 * ```
 */
export function createProtectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const where = 'createProtectedResourceMetadata';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs options: { resource, authorizationServers, ... }`);
  const given = ownOptions(options, where, KNOWN) as Record<string, unknown>;
  if (given['resource'] === undefined) throw new TypeError(`${where}: resource is required (the URL clients use for this API)`);
  const resourceUrl = readHttpsUrl(where, 'resource', given['resource']);
  // The identifier is compared as a string by clients (§3.3): keep it as configured.
  const resource = typeof given['resource'] === 'string' ? given['resource'] : resourceUrl.href;
  const document: Record<string, unknown> = { resource };
  for (const [name, member, kind] of FIELDS) {
    const value = given[name];
    if (value !== undefined) document[member] = readField(where, name, kind, value);
  }
  for (const value of Object.values(document)) if (Array.isArray(value)) Object.freeze(value);
  const path = wellKnownPath(resourceUrl);
  return Object.freeze({
    document: Object.freeze(document) as unknown as ProtectedResourceMetadataDocument,
    json: JSON.stringify(document),
    path,
    url: `${resourceUrl.origin}${path}${resourceUrl.search}`,
  });
}

function readField(where: string, name: string, kind: (typeof FIELDS)[number][2], value: unknown): unknown {
  switch (kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean`);
      return value;
    case 'text':
      if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${where}: ${name} must be a non-empty string`);
      return value;
    case 'url':
      return readAbsoluteUrl(where, name, value);
    case 'urls':
      return readList(where, name, value).map((entry, index) => {
        const url = readHttpsUrl(where, `${name}[${index}]`, entry);
        return typeof entry === 'string' ? entry : url.href;
      });
    case 'methods':
      return readList(where, name, value).map((entry) => {
        if (typeof entry !== 'string' || !BEARER_METHODS.includes(entry)) throw new TypeError(`${where}: ${name} takes "header", "body" and "query"`);
        return entry;
      });
    case 'strings':
      return readList(where, name, value).map((entry) => {
        if (typeof entry !== 'string' || entry.length === 0) throw new TypeError(`${where}: ${name} must be an array of non-empty strings`);
        return entry;
      });
  }
}

function readList(where: string, name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${name} must be an array`);
  const list = [...(value as unknown[])];
  if (new Set(list).size !== list.length) throw new TypeError(`${where}: ${name} lists a value twice`);
  return list;
}

function readAbsoluteUrl(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError(`${where}: ${name} must be a URL`);
  try {
    const url = new URL(value instanceof URL ? value.href : value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('scheme');
    return typeof value === 'string' ? value : url.href;
  } catch {
    throw new TypeError(`${where}: ${name} must be an absolute http(s) URL`);
  }
}
