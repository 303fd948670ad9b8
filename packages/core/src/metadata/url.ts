/**
 * URL checks for RFC 9728 values, made at start-up.
 *
 * @module
 */

import { isChallengeText } from '../errors/challenge.js';

/** True for hosts that never leave the machine, where plain `http:` is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (hostname === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Parses `value` as an absolute `https:` URL (`http:` for loopback hosts) without a fragment,
 * or throws a TypeError naming `where` and `name`. Returns the serialised URL.
 */
export function readHttpsUrl(where: string, name: string, value: unknown): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError(`${where}: ${name} must be a URL (a string or a URL object)`);
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : value);
  } catch {
    throw new TypeError(`${where}: ${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new TypeError(`${where}: ${name} must be an https URL (http only for localhost and loopback addresses)`);
  }
  if (url.hash !== '' || url.href.includes('#')) throw new TypeError(`${where}: ${name} must not have a fragment`);
  if (url.username !== '' || url.password !== '') throw new TypeError(`${where}: ${name} must not carry credentials`);
  return url;
}

/** The URL for a `resource_metadata="..."` challenge parameter, checked once; throws a TypeError. */
export function readResourceMetadataUrl(where: string, value: unknown): string {
  const { href } = readHttpsUrl(where, 'resourceMetadata', value);
  // A quoted-string cannot hold `"` or `\` unescaped; WHATWG URLs can still carry `\` in a query.
  if (!isChallengeText(href)) throw new TypeError(`${where}: resourceMetadata must not contain a backslash or a control character`);
  return href;
}
