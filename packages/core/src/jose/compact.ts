// The strict gate every token passes before any key is touched (RFC 7515 §7.1, RFC 7519 §7.2,
// draft-ietf-oauth-rfc8725bis §3.13): a size cap first, then exactly three non-empty segments of
// [A-Za-z0-9_-], canonical base64url, strict UTF-8, strict JSON objects.

import { AuthError } from '../errors/auth-error.js';
import { isCanonicalBase64url } from './base64url.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { parseJsonObject, type JsonObject } from './json.js';

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// JWE compact: five segments; the encrypted key is empty for `dir` and ECDH-ES.
const JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface ParsedJws {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** `base64url(header).base64url(payload)`, what the signature covers. */
  readonly signingInput: string;
  /** The signature segment (canonical base64url). */
  readonly signature: string;
}

export function isCompactJwe(token: string): boolean {
  return JWE.test(token);
}

function malformed(realm: string, reason: string): AuthError {
  return new AuthError('ERR_TOKEN_MALFORMED', { realm, reason });
}

// Tokens of one issuer share a handful of headers ({"alg","typ","kid"}): the decoded header of a
// segment seen before is reused (the segment string determines it entirely). Bounded, and the
// shared objects are frozen so no caller can alter what another receives.
const HEADER_CACHE_SIZE = 64;
const headers = new Map<string, JsonObject>();

function rememberHeader(segment: string, header: JsonObject): JsonObject {
  if (segment.length > 512) return header;
  if (headers.size >= HEADER_CACHE_SIZE) headers.delete(headers.keys().next().value as string);
  headers.set(segment, deepFreeze(header));
  return header;
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Decodes one segment to a JSON object, or throws ERR_TOKEN_MALFORMED. */
function decodeJsonSegment(segment: string, backend: SignatureBackend, realm: string, what: string): JsonObject {
  let text: string;
  try {
    text = backend.decodeText(segment);
  } catch {
    throw malformed(realm, `${what}_utf8`);
  }
  const value = parseJsonObject(text);
  if (value === null) throw malformed(realm, `${what}_json`);
  return value;
}

/**
 * Splits and decodes a compact JWS. Throws ERR_TOKEN_TOO_LARGE or ERR_TOKEN_MALFORMED; a
 * JWE gets ERR_JWE_NOT_ACCEPTED (the caller handles JWE before this when it is configured).
 */
export function parseCompactJws(token: unknown, maxSize: number, backend: SignatureBackend, realm: string): ParsedJws {
  if (typeof token !== 'string' || token.length === 0) throw malformed(realm, 'format');
  if (token.length > maxSize) throw new AuthError('ERR_TOKEN_TOO_LARGE', { realm });
  if (!JWS.test(token)) {
    if (isCompactJwe(token)) throw new AuthError('ERR_JWE_NOT_ACCEPTED', { realm });
    throw malformed(realm, 'format');
  }
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (!isCanonicalBase64url(h) || !isCanonicalBase64url(p) || !isCanonicalBase64url(s)) throw malformed(realm, 'base64url');
  const header = headers.get(h) ?? rememberHeader(h, decodeJsonSegment(h, backend, realm, 'header'));
  const payload = decodeJsonSegment(p, backend, realm, 'payload');
  return { header, payload, signingInput: token.slice(0, second), signature: s };
}
