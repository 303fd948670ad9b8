/**
 * How the core sees a request: a header getter (and, optionally, a cookie getter), built by an
 * adapter from its framework's public request API. A header an earlier middleware set or
 * replaced is the one read.
 *
 * @module
 */

import { AuthError } from '../errors/auth-error.js';

/**
 * A framework-neutral view of an incoming request: what authentication needs and nothing more.
 * Adapters build one per request.
 */
export interface RequestView {
  /**
   * Returns a header by its lower-case name. Return every value (an array) when the request
   * carried the header more than once, so duplicates can be refused.
   */
  header(name: string): string | readonly string[] | null | undefined;
  /**
   * Returns a cookie's value. Optional: without it, cookies are read from the `cookie` header.
   */
  cookie?(name: string): string | null | undefined;
  /** The HTTP method, upper case. */
  readonly method?: string;
  /**
   * The request target: an absolute URL (Fetch's `request.url`) or the path and query the
   * server received (Express's `req.originalUrl`, Koa's `ctx.originalUrl`, Fastify's
   * `request.url`). Read only to check a DPoP proof's `htu`, and only its path.
   */
  readonly url?: string | undefined;
}

/**
 * The parts of a Node.js request that {@link nodeRequestView} reads: `headers` (lower-case
 * names, as Node, Express and Koa keep them; any letter case in objects Node did not parse), and
 * `rawHeaders` where present.
 */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  /** The target as the client sent it, where the framework keeps it apart from a rewritten `url` (Express, Koa). */
  readonly originalUrl?: string | undefined;
  /** The target Node received (path and query). */
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Node's raw header lines, only to tell whether `Authorization` was sent more than once. */
  readonly rawHeaders?: readonly string[] | undefined;
}

// The methods servers parse, already in upper case: toUpperCase, which allocates a new string
// even for `GET`, runs on every request only for others (a request double's `get`).
const UPPER_CASE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

function upperCase(method: string): string {
  return UPPER_CASE_METHODS.has(method) ? method : method.toUpperCase();
}

/** Every `Authorization` value among raw header lines when there are two or more, else undefined. */
function repeatedAuthorization(raw: readonly string[] | undefined): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  let values: string[] | undefined;
  let first: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (
      typeof name !== 'string' ||
      // Stryker disable next-line ConditionalExpression: no name of another length lower-cases to 'authorization'; the length only spares toLowerCase
      name.length !== 13 ||
      name.toLowerCase() !== 'authorization'
    ) {
      continue;
    }
    const value = String(raw[i + 1]);
    if (first === undefined) first = value;
    else (values ??= [first]).push(value);
  }
  return values;
}

/** The request has no headers to read: the adapter was given something that is not a request. */
function notARequest(where: string): AuthError {
  return new AuthError('ERR_CONFIG_INVALID', {
    message: `${where}: the request has no headers object; pass the framework's request (Express req, Koa ctx, a Node IncomingMessage)`,
  });
}

/**
 * A {@link RequestView} over a Node.js request (Express's `req`, Koa's `ctx.request`, a
 * serverless or test double): headers from `headers`, so one set by an earlier middleware is
 * the one read. Node keeps only the first of two `Authorization` lines in `headers`, so
 * `rawHeaders`, when present, is read only to see a repeated one, which is refused.
 *
 * Throws an {@link AuthError} `ERR_CONFIG_INVALID` (500) when `request.headers` is missing.
 *
 * @example
 * ```ts
 * const result = await authenticator.authenticate(nodeRequestView(req));
 * ```
 */
// Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the error's message
export function nodeRequestView(request: NodeRequestLike, where = 'jwtAuth'): RequestView {
  const headers = (request as Partial<NodeRequestLike> | null | undefined)?.headers;
  if (typeof headers !== 'object' || headers === null) throw notARequest(where);
  // Node lower-cases the names of the headers it parsed (and keeps their raw lines). An object
  // without raw lines was built by someone else (a Lambda event, a request double), whose names
  // may be `Authorization`: read those in any letter case.
  const parsedByNode = Array.isArray(request.rawHeaders) && request.rawHeaders.length > 0;
  const url = typeof request.originalUrl === 'string' ? request.originalUrl : typeof request.url === 'string' ? request.url : undefined;
  return {
    method: typeof request.method === 'string' ? upperCase(request.method) : 'GET',
    url,
    header(name: string) {
      if (name === 'authorization') {
        const repeated = repeatedAuthorization(request.rawHeaders);
        if (repeated !== undefined) return repeated;
      }
      return parsedByNode ? (Object.hasOwn(headers, name) ? headers[name] : undefined) : anyCase(headers, name);
    },
  };
}

/**
 * The own header `name` (lower case) of a plain headers object in any letter case; every value
 * when several names differ only in case (`authorization` and `Authorization`), so that a
 * repeated Authorization is refused as it is from raw lines.
 */
function anyCase(headers: NodeRequestLike['headers'], name: string): string | readonly string[] | undefined {
  let found: (string | readonly string[] | undefined)[] | undefined;
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key.toLowerCase() === name) (found ??= []).push(headers[key]);
  }
  if (found === undefined) return undefined;
  if (found.length === 1) return found[0];
  return found.flatMap((value) => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]));
}

/**
 * A {@link RequestView} over Fetch `Headers` (Hono's `c.req.raw.headers`, a `Request` in Bun,
 * Deno or Workers). Fetch joins repeated headers with a comma; the core refuses that for
 * `Authorization`.
 *
 * @example
 * ```ts
 * const result = await authenticator.authenticate(headersRequestView(request.headers, request.method, 'jwtAuth', request.url));
 * ```
 */
export function headersRequestView(
  headers: Headers,
  method = 'GET',
  // Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the error's message
  where = 'jwtAuth',
  url?: string,
): RequestView {
  if (typeof headers !== 'object' || headers === null || typeof headers.get !== 'function') throw notARequest(where);
  return { method: upperCase(method), url, header: (name) => headers.get(name) };
}
