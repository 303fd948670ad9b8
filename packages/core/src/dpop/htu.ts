/**
 * The `htu` comparison of RFC 9449 §4.3: the proof's URI and the request's, both without query
 * and fragment, normalised as RFC 3986 §6.2.2 and §6.2.3 say (scheme and host case, default
 * ports, dot segments, percent-encoding case and unreserved characters).
 *
 * @module
 */

const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e;
}

/** `path` with `%xx` triplets in upper case and those of unreserved characters decoded; linear. */
export function normalizePercentEncoding(path: string): string {
  // Stryker disable next-line StringLiteral: every path includes the empty string, and the loop below returns a path without '%' unchanged
  if (!path.includes('%')) return path;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i] as string;
    // Stryker disable next-line ArithmeticOperator: past the end charCodeAt reads NaN, no hex digit, so the '%' is kept all the same
    if (char !== '%' || i + 2 >= path.length) {
      out += char;
      continue;
    }
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

/** An absolute http(s) URL without query, fragment or user info, normalised; null when `value` is not one. */
export function normalizeHttpUri(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return null;
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
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.pathname;
}

/**
 * The base URLs clients reach the server at (`https://api.example.com`, or with the path a proxy
 * strips, `https://example.com/api`), each as origin and path prefix without a trailing slash.
 * Throws a TypeError for anything else.
 */
export function readExternalUrls(where: string, value: unknown): readonly string[] {
  const list = typeof value === 'string' || value instanceof URL ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
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
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
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
