/**
 * Answering requests for the RFC 9728 metadata document, for adapters: which requests it
 * answers and with what, so every framework serves it the same way.
 *
 * @module
 */

import { createProtectedResourceMetadata, type ProtectedResourceMetadata, type ProtectedResourceMetadataOptions } from './protected-resource.js';

/** The response to a request for the metadata document, for an adapter to send as it is. */
export interface MetadataResponse {
  /** 200, 204 (a CORS preflight) or 405. */
  readonly status: number;
  /** The headers to set. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or `null` for none (HEAD, OPTIONS). */
  readonly body: string | null;
}

const CORS = { 'access-control-allow-origin': '*' };
const ALLOW = 'GET, HEAD, OPTIONS';

/**
 * A metadata document from options, or the ready one from `createProtectedResourceMetadata`;
 * checked once. `where` names the caller in configuration errors.
 */
export function readMetadata(input: ProtectedResourceMetadataOptions | ProtectedResourceMetadata, where: string): ProtectedResourceMetadata {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${where} needs createProtectedResourceMetadata's options ({ resource, authorizationServers, ... }) or its result`);
  if (isMetadata(input)) return input;
  return createProtectedResourceMetadata(input as ProtectedResourceMetadataOptions);
}

function isMetadata(value: object): value is ProtectedResourceMetadata {
  return Object.hasOwn(value, 'document') && Object.hasOwn(value, 'json') && Object.hasOwn(value, 'path') && Object.hasOwn(value, 'url') && Object.isFrozen(value);
}

/**
 * What to answer a request with `method` for `path` (without its query): the document for GET
 * and HEAD at `metadata.path` (JSON, readable from any origin: it is public), a CORS preflight
 * answer for OPTIONS, 405 for other methods; `undefined` for other paths, which the adapter
 * passes on.
 *
 * @example
 * ```ts
 * const answer = answerMetadataRequest(metadata, req.method, req.path);
 * if (answer === undefined) return next();
 * res.status(answer.status).set(answer.headers).end(answer.body ?? undefined);
 * ```
 */
export function answerMetadataRequest(metadata: ProtectedResourceMetadata, method: string, path: string): MetadataResponse | undefined {
  if (path !== metadata.path) return undefined;
  switch (method.toUpperCase()) {
    case 'GET':
      return { status: 200, headers: { 'content-type': 'application/json', ...CORS }, body: metadata.json };
    case 'HEAD':
      return { status: 200, headers: { 'content-type': 'application/json', ...CORS }, body: null };
    case 'OPTIONS':
      return { status: 204, headers: { ...CORS, 'access-control-allow-methods': ALLOW, 'access-control-allow-headers': '*', allow: ALLOW }, body: null };
    default:
      return { status: 405, headers: { allow: ALLOW, 'content-type': 'application/json' }, body: JSON.stringify({ error: 'method_not_allowed' }) };
  }
}
