// Claim reads for policies. Own properties only: an inherited name (`toString`, `constructor`)
// is simply absent. Typed: a value of the wrong type is never coerced. Bounded: lists longer
// than MAX_VALUES, and strings longer than MAX_STRING, are refused before they are walked.

/**
 * Where a policy reads a claim. A string is one exact top-level claim name, dots, colons and
 * slashes included, never split: `'roles'`, `'cognito:groups'`, `'https://example.com/roles'`.
 * An array is a nested path, one claim name per step (1 to 16 steps), each an own property of
 * a JSON object: `['realm_access', 'roles']`, `['resource_access', 'orders-api', 'roles']`.
 */
export type ClaimPath = string | readonly string[];

/** Most entries examined in one list claim (`roles`, `scp`, a split `scope`). */
export const MAX_VALUES = 1000;
/** Longest claim string examined (a space-separated `scope`, or one value). */
export const MAX_STRING = 32_768;
/** Deepest nested path. */
export const MAX_DEPTH = 16;

export type ReadResult = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly reason: 'missing' | 'type' };

export type ListResult = { readonly ok: true; readonly values: readonly string[] } | { readonly ok: false; readonly reason: 'type' | 'too_large' };

const MISSING: ReadResult = Object.freeze({ found: false, reason: 'missing' });
const NOT_AN_OBJECT: ReadResult = Object.freeze({ found: false, reason: 'type' });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a claim path given in configuration and returns a frozen copy: a one-segment array
 * becomes its string, so the same claim always has the same description.
 */
export function checkPath(path: unknown, where: string): ClaimPath {
  const segments = typeof path === 'string' ? [path] : Array.isArray(path) ? [...(path as unknown[])] : undefined;
  if (segments === undefined || segments.length === 0 || segments.length > MAX_DEPTH) {
    throw new TypeError(`${where}: a claim is a claim name ('roles', 'https://example.com/roles') or a nested path of 1 to ${MAX_DEPTH} names (['realm_access', 'roles'])`);
  }
  for (const segment of segments) {
    if (typeof segment !== 'string' || segment.length === 0) throw new TypeError(`${where}: every claim name in a path must be a non-empty string`);
    // The token parser refuses `__proto__` members, so a rule on one could never pass.
    if (segment === '__proto__') throw new TypeError(`${where}: no token can carry a claim named __proto__`);
  }
  return segments.length === 1 ? (segments[0] as string) : Object.freeze(segments as string[]);
}

/** Reads a claim by path. Every step is an own property of a plain JSON object, never of an array. */
export function readClaim(claims: object, path: ClaimPath): ReadResult {
  if (typeof path === 'string') {
    return Object.hasOwn(claims, path) ? { found: true, value: (claims as Record<string, unknown>)[path] } : MISSING;
  }
  let current: unknown = claims;
  for (const segment of path) {
    if (!isRecord(current)) return NOT_AN_OBJECT;
    if (!Object.hasOwn(current, segment)) return MISSING;
    current = current[segment];
  }
  return { found: true, value: current };
}

/**
 * A claim as a list of strings: an array of strings, or one string, which is split on spaces
 * when `split` is set (`scope`, RFC 8693 §4.2) and otherwise is one value (a role named
 * "Domain Admins" keeps its space).
 */
export function stringList(value: unknown, split: boolean): ListResult {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) return { ok: false, reason: 'too_large' };
    if (!split) return { ok: true, values: [value] };
    const values = value.split(' ').filter((part) => part !== '');
    return values.length > MAX_VALUES ? { ok: false, reason: 'too_large' } : { ok: true, values };
  }
  if (!Array.isArray(value)) return { ok: false, reason: 'type' };
  if (value.length > MAX_VALUES) return { ok: false, reason: 'too_large' };
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') return { ok: false, reason: 'type' };
    if (item.length > MAX_STRING) return { ok: false, reason: 'too_large' };
  }
  return { ok: true, values: value as string[] };
}

/** A path for messages and `AuthError.claim`: nested names joined with dots. */
export function pathLabel(path: ClaimPath): string {
  return typeof path === 'string' ? path : path.join('.');
}
