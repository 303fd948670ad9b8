/**
 * The `htu` comparison of RFC 9449 §4.3: the proof's URI and the request's, both without query
 * and fragment, normalised as RFC 3986 §6.2.2 and §6.2.3 say (scheme and host case, default
 * ports, dot segments, percent-encoding case and unreserved characters).
 *
 * @module
 */

const HEX = '0123456789ABCDEF';

/** The value of the hex digit `code`, or a negative number for any other code (NaN included). */
function hexValue(code: number): number {
  // Below '0' the difference is negative too.
  if (code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e;
}

/** `path` with `%xx` triplets in upper case and those of unreserved characters decoded; linear. */
export function normalizePercentEncoding(path: string): string {
  // Stryker disable next-line StringLiteral: the empty string is found at 0, and the loop below copies everything up to the first '%' unchanged
  const first = path.indexOf('%');
  if (first === -1) return path;
  let out = path.slice(0, first);
  for (let i = first; i < path.length; i++) {
    const char = path[i] as string;
    if (char !== '%') {
      out += char;
      continue;
    }
    // Past the end charCodeAt reads NaN, no hex digit: a '%' without two after it is kept.
    const high = hexValue(path.charCodeAt(i + 1));
    const low = hexValue(path.charCodeAt(i + 2));
    if (high < 0 || low < 0) {
      out += char;
      continue;
    }
    const code = high * 16 + low;
    out += isUnreserved(code) ? String.fromCharCode(code) : `%${HEX[high]}${HEX[low]}`;
    i += 2;
  }
  return out;
}

/** True for an http: or https: URL, the only schemes of an htu, a request target or an external URL. */
function isHttp(url: URL | undefined): url is URL {
  // Stryker disable next-line OptionalChaining: only readExternalUrls passes undefined (a value that is no URL), and reading its protocol throws a TypeError all the same
  return url?.protocol === 'https:' || url?.protocol === 'http:';
}

/** An absolute http(s) URL without query, fragment or user info, normalised; null when `value` is not one. */
export function normalizeHttpUri(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } /* Stryker disable next-line BlockStatement: emptied, url stays undefined, which is no http(s) URL either: null all the same */ catch {
    return null;
  }
  if (!isHttp(url) || url.username !== '' || url.password !== '') return null;
  return `${url.protocol}//${url.host}${normalizePercentEncoding(url.pathname)}`;
}

/**
 * The path of a request target: an absolute URL (Fetch's `request.url`, a proxy's absolute-form
 * target) or the origin-form path and query a Node server received. Null when it is neither.
 */
export function targetPath(target: string): string | null {
  let url: URL;
  try {
    // An origin-form target is read below a placeholder authority, so `//host/x` stays a path.
    url = target.startsWith('/') ? new URL(`http://placeholder${target}`) : new URL(target);
  } /* Stryker disable next-line BlockStatement: emptied, url stays undefined, which is no http(s) URL either: null all the same */ catch {
    return null;
  }
  if (!isHttp(url)) return null;
  return url.pathname;
}

/** A URL or a list of them as a list; anything else as an empty list, refused as missing. */
function listOf(value: unknown): readonly unknown[] {
  if (typeof value === 'string' || value instanceof URL) return [value];
  if (Array.isArray(value)) return value as unknown[];
  // Stryker disable next-line ArrayDeclaration: a list of a value that is no URL is refused below with a TypeError as well; only the message differs
  return [];
}

/**
 * The base URLs clients reach the server at (`https://api.example.com`, or with the path a proxy
 * strips, `https://example.com/api`), each as origin and path prefix without a trailing slash.
 * Throws a TypeError for anything else.
 */
export function readExternalUrls(where: string, value: unknown): readonly string[] {
  const list = listOf(value);
  if (list.length === 0) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: dpop.externalUrl is required: the URL clients call this server at (https://api.example.com), so proofs are checked against it and never against a Host header`);
  }
  return Object.freeze(
    list.map((item) => {
      const text = item instanceof URL ? item.href : item;
      let url: URL | undefined;
      try {
        url = typeof text === 'string' ? new URL(text) : undefined;
      } catch {
        // Not a URL: url stays undefined.
      }
      if (!isHttp(url) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
        // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
        throw new TypeError(`${where}: dpop.externalUrl must be http(s) URLs without query, fragment or credentials`);
      }
      return `${url.protocol}//${url.host}${normalizePercentEncoding(url.pathname).replace(/\/$/, '')}`;
    }),
  );
}

/** True when the normalised `htu` is one of the external URLs followed by the request's path. */
export function htuMatches(htu: string, externalUrls: readonly string[], path: string): boolean {
  const normalizedPath = normalizePercentEncoding(path);
  for (const base of externalUrls) if (htu === base + normalizedPath) return true;
  return false;
}
