// The strict gate every token passes before any key is touched (RFC 7515 §7.1, RFC 7519 §7.2,
// draft-ietf-oauth-rfc8725bis §3.13): a size cap first, then exactly three non-empty segments of
// [A-Za-z0-9_-], canonical base64url, strict UTF-8, strict JSON objects.

import { AuthError } from '../errors/auth-error.js';
import { isCanonicalBase64url } from './base64url.js';
import type { SignatureBackend } from '../crypto/backend.js';
import { deepFreeze, parseJsonObject, type JsonObject } from './json.js';

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

/** Parses a compact JWS, or throws ERR_TOKEN_TOO_LARGE, ERR_TOKEN_MALFORMED or ERR_JWE_NOT_ACCEPTED. */
export type CompactParser = (token: unknown) => ParsedJws;

// Tokens of one issuer share a handful of headers ({"alg","typ","kid"}): each parser keeps the
// decoded header of a segment seen before (the segment string determines it entirely). Bounded,
// and the shared objects are frozen so no caller can alter what another receives.
const HEADER_CACHE_SIZE = 64;
const MAX_CACHED_SEGMENT = 512;

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
 * A parser for one verifier: size cap, three canonical base64url segments, strict JSON. A JWE
 * gets ERR_JWE_NOT_ACCEPTED (the verifier unwraps JWEs before this when decryption is on).
 */
export function createCompactParser(settings: { readonly maxSize: number; readonly backend: SignatureBackend; readonly realm: string }): CompactParser {
  const { maxSize, backend, realm } = settings;
  const headers = new Map<string, JsonObject>();

  function header(segment: string): JsonObject {
    return headers.get(segment) ?? decodeHeader(segment);
  }

  function decodeHeader(segment: string): JsonObject {
    const decoded = decodeJsonSegment(segment, backend, realm, 'header');
    if (segment.length > MAX_CACHED_SEGMENT) return decoded;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound only limits the memory the header cache holds; every header decodes the same
    if (headers.size >= HEADER_CACHE_SIZE) headers.delete(headers.keys().next().value as string);
    headers.set(segment, deepFreeze(decoded));
    return decoded;
  }

  return (token) => {
    // An empty string fails the JWS pattern below, refused as malformed all the same.
    if (typeof token !== 'string') throw malformed(realm, 'format');
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
    return { header: header(h), payload: decodeJsonSegment(p, backend, realm, 'payload'), signingInput: token.slice(0, second), signature: s };
  };
}
