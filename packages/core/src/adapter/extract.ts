/**
 * Finding the bearer token in a request, per RFC 6750 §2, without any framework types.
 *
 * @module
 */

import { AuthError } from '../errors/auth-error.js';
import type { RequestView } from './request-view.js';

export type { RequestView } from './request-view.js';

/** Where tokens may travel. */
export interface ExtractOptions {
  /**
   * Read the `Authorization` header. Default true. `false` leaves it alone entirely (a token,
   * another scheme or a malformed value there is neither read nor refused), for services where
   * that header belongs to someone else (a gateway's own credentials) and the token travels in
   * `header`, `cookie` or `supplied`.
   */
  authorization?: boolean;
  /**
   * Also accept the token from this cookie. Off by default: cookies travel with every
   * cross-site request, so a cookie-borne token needs CSRF protection of its own.
   */
  cookie?: string | false;
  /**
   * Also accept the token from this request header (lower case, e.g. `x-access-token`): the
   * token alone, or `Bearer <token>`. Off by default.
   */
  header?: string | false;
  /**
   * A token found elsewhere by the application (an adapter's `getToken`), or null: one more
   * transport, under the same rule that only one may carry a token.
   */
  supplied?: string | null;
  /** The realm for challenges of extraction errors. Default `"api"`. */
  realm?: string;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; we allow exactly one SP (the
// OAuth 2.1 tightening) and a case-insensitive scheme (RFC 9110 §11.1).
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: |$)/;
const CREDENTIAL = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ +\S/;

const NO_OPTIONS: ExtractOptions = {};

function fail(code: 'ERR_INVALID_REQUEST' | 'ERR_MULTIPLE_TOKENS', realm: string | undefined): AuthError {
  return new AuthError(code, realm === undefined ? {} : { realm });
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c;
}

/**
 * `value` without leading and trailing ASCII whitespace; linear. Each scan stops at the string's
 * end, where charCodeAt reads NaN, no whitespace; for a value of whitespace only, end falls below
 * start and the slice is empty.
 */
function trimWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (isWhitespace(value.charCodeAt(start))) start++;
  while (isWhitespace(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

/**
 * True when a trimmed comma-separated part starts with the scheme `bearer` and whitespace (a
 * shorter part reads NaN at 6, no whitespace).
 */
function namesBearer(part: string): boolean {
  return isWhitespace(part.charCodeAt(6)) && part.slice(0, 6).toLowerCase() === 'bearer';
}

/** True when `value` starts with "bearer " in any letter case. */
export function hasBearerScheme(value: string): boolean {
  return value.length > 7 && value.charCodeAt(6) === 0x20 && value.slice(0, 6).toLowerCase() === 'bearer';
}

/**
 * Returns the bearer token of a request, or `null` when the request carries none. The
 * `Authorization` header is read (unless `options.authorization` is false), plus a cookie when
 * `options.cookie` names one, a header when `options.header` names one, and a token the
 * application found (`options.supplied`); a token in the query string is never read here
 * (OAuth 2.1 §5.1: it leaks into logs and history).
 *
 * Throws {@link AuthError} `ERR_MULTIPLE_TOKENS` (400) for two `Authorization` headers or a
 * token in more than one place, and `ERR_INVALID_REQUEST` (400) for a Bearer header that breaks
 * the RFC 6750 syntax. Another scheme (`Basic ...`) counts as no bearer token.
 *
 * @example
 * ```ts
 * const token = extractToken({ header: (name) => request.headers.get(name) });
 * ```
 */
export function extractToken(request: RequestView, options: ExtractOptions = NO_OPTIONS): string | null {
  const realm = options.realm;
  const found: string[] = [];
  const fromAuthorization = options.authorization === false ? null : authorizationToken(request, realm);
  if (fromAuthorization !== null) found.push(fromAuthorization);
  if (options.header) {
    const token = namedHeaderToken(request, options.header, realm);
    if (token !== null) found.push(token);
  }
  if (options.cookie) {
    const values = request.cookie === undefined ? readCookie(request.header('cookie'), options.cookie) : [request.cookie(options.cookie)];
    for (const value of values) if (typeof value === 'string' && value !== '') found.push(value);
  }
  if (typeof options.supplied === 'string' && options.supplied !== '') found.push(options.supplied);
  // One transport only: two tokens (or one token twice) is a malformed request, whichever they are.
  if (found.length > 1) throw fail('ERR_MULTIPLE_TOKENS', realm);
  return found[0] ?? null;
}

/** A token in a named header: the token alone, or `Bearer <token>`. */
function namedHeaderToken(request: RequestView, name: string, realm: string | undefined): string | null {
  let raw = request.header(name);
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw fail('ERR_MULTIPLE_TOKENS', realm);
    raw = raw[0];
  }
  if (typeof raw !== 'string' || raw === '') return null;
  const token = hasBearerScheme(raw) ? raw.slice(7) : raw;
  if (!B64TOKEN.test(token)) throw fail('ERR_INVALID_REQUEST', realm);
  return token;
}

/** The token of an `Authorization: Bearer` header (RFC 6750 §2.1), null for none or another scheme. */
function authorizationToken(request: RequestView, realm: string | undefined): string | null {
  let raw = request.header('authorization');
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw fail('ERR_MULTIPLE_TOKENS', realm);
    raw = raw[0];
  }
  let fromHeader: string | null = null;
  if (typeof raw === 'string' && raw !== '') {
    // The common case without a regex match object: "Bearer " in any case, then a b64token.
    if (hasBearerScheme(raw) && B64TOKEN.test(raw.slice(7))) {
      fromHeader = raw.slice(7);
    } else {
      const scheme = SCHEME.exec(raw);
      // Fetch joins repeated headers with ", ". A bearer token never holds a comma, so a value
      // whose comma-separated parts each look like `<scheme> <credentials>` is two headers, the
      // same refusal a Node adapter gives when it sees them apart. Split by hand: a regex
      // around the comma backtracks over long whitespace runs, quadratic in the header length.
      const parts = raw.split(',').map(trimWhitespace);
      const schemeName = scheme?.[1];
      const mentionsBearer = schemeName?.toLowerCase() === 'bearer' || parts.some(namesBearer);
      if (mentionsBearer && parts.filter((part) => CREDENTIAL.test(part)).length > 1) throw fail('ERR_MULTIPLE_TOKENS', realm);
      // A Bearer header that breaks the syntax is a malformed request; another scheme means no
      // usable bearer credentials.
      if (scheme === null || mentionsBearer) throw fail('ERR_INVALID_REQUEST', realm);
    }
  }
  return fromHeader;
}

/** Every value of one cookie in `Cookie` header value(s) (RFC 6265 §5.4). */
function readCookie(header: string | readonly string[] | null | undefined, name: string): string[] {
  if (header === null || header === undefined) return [];
  const lines = typeof header === 'string' ? [header] : header;
  const found: string[] = [];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      found.push(value);
    }
  }
  return found;
}
