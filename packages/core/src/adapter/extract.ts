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

/**
 * True when `value` starts with "bearer " in any letter case. Compared code by code: `| 0x20`
 * lower-cases an ASCII letter, and only `B` and `b` give `b` (and so on for each letter).
 */
export function hasBearerScheme(value: string): boolean {
  return (
    value.length > 7 &&
    value.charCodeAt(6) === 0x20 &&
    (value.charCodeAt(0) | 0x20) === 0x62 &&
    (value.charCodeAt(1) | 0x20) === 0x65 &&
    (value.charCodeAt(2) | 0x20) === 0x61 &&
    (value.charCodeAt(3) | 0x20) === 0x72 &&
    (value.charCodeAt(4) | 0x20) === 0x65 &&
    (value.charCodeAt(5) | 0x20) === 0x72
  );
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
  let token = options.authorization === false ? null : authorizationToken(request, realm);
  if (options.header) {
    const fromHeader = namedHeaderToken(request, options.header, realm);
    if (fromHeader !== null) token = onlyToken(token, fromHeader, realm);
  }
  if (options.cookie) {
    const values = request.cookie === undefined ? readCookie(request.header('cookie'), options.cookie) : [request.cookie(options.cookie)];
    for (const value of values) if (typeof value === 'string' && value !== '') token = onlyToken(token, value, realm);
  }
  if (typeof options.supplied === 'string' && options.supplied !== '') token = onlyToken(token, options.supplied, realm);
  return token;
}

/** `found`, unless a token was found before: one transport only, so two tokens (or one twice) is a malformed request. */
function onlyToken(before: string | null, found: string, realm: string | undefined): string {
  if (before !== null) throw fail('ERR_MULTIPLE_TOKENS', realm);
  return found;
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
  const token = bearerToken(request, realm);
  // Stryker disable next-line ConditionalExpression: B64TOKEN.test(null) reads "null", a b64token, so null passes the check too; the test only spares the call
  if (token !== null) checkBearerToken(token, realm);
  return token;
}

/**
 * @internal The token of an `Authorization: Bearer` header with its syntax not yet checked (see
 * {@link checkBearerToken}), null for none or another scheme; refuses repeated and malformed
 * headers of any other shape.
 */
export function bearerToken(request: RequestView, realm: string | undefined): string | null {
  let raw = request.header('authorization');
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw fail('ERR_MULTIPLE_TOKENS', realm);
    raw = raw[0];
  }
  if (typeof raw !== 'string' || raw === '') return null;
  if (hasBearerScheme(raw)) return raw.slice(7);
  refuseMalformed(raw, realm);
  return null;
}

/**
 * @internal Refuses the token of a `Bearer <token>` header unless it is a b64token (RFC 6750
 * §2.1): with `ERR_MULTIPLE_TOKENS` when the value is two headers joined, else
 * `ERR_INVALID_REQUEST`. A token that verified is always one (JWS and JWE are base64url and dots).
 */
export function checkBearerToken(token: string, realm: string | undefined): void {
  if (!B64TOKEN.test(token)) refuseMalformed(`Bearer ${token}`, realm);
}

/**
 * Refuses a header value that does not start with a well-formed `Bearer <token>` but names the
 * Bearer scheme or no scheme at all; another scheme (`Basic ...`) passes, as no bearer token.
 */
function refuseMalformed(raw: string, realm: string | undefined): void {
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
