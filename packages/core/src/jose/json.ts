// Strict JSON for JOSE headers and claim sets (RFC 7515 §10.12, RFC 7519 §4): one top-level
// object, no duplicate member names at any depth (JSON.parse would silently keep the last one,
// so two parsers could disagree on a claim), no `__proto__` member (a prototype-pollution
// carrier; no legitimate token has one), and no nesting deeper than MAX_DEPTH.

// JSON.parse itself handles any depth, but every recursive walk after it (the duplicate count
// below, freezing a result, an application's JSON.stringify of the claims) would overflow the
// stack on a raised maxTokenSize: refused as malformed instead. No token nests this deep.
const MAX_DEPTH = 256;

export type JsonObject = { [key: string]: unknown };

/** Parses a JOSE JSON object, or returns null when it is not one we accept. */
export function parseJsonObject(text: string): JsonObject | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // Each member contributes exactly one ':' outside strings. Fewer parsed members than colons
  // means a name appeared twice somewhere.
  const members = countMembers(value, 0);
  if (members < 0 || members !== countColons(text)) return null;
  return value as JsonObject;
}

function countMembers(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth >= MAX_DEPTH) return -1;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      const n = countMembers(item, depth + 1);
      // Stryker disable next-line ConditionalExpression: a refused part adds -1 where its colons add at least 0, so the count falls short and the object is refused all the same
      if (n < 0) return -1;
      total += n;
    }
    return total;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return -1;
    const n = countMembers((value as JsonObject)[key], depth + 1);
    // Stryker disable next-line ConditionalExpression: a refused part adds -1 where its colons add at least 0, so the count falls short and the object is refused all the same
    if (n < 0) return -1;
    total += n + 1;
  }
  return total;
}

function countColons(text: string): number {
  let count = 0;
  let inString = false;
  // Stryker disable next-line EqualityOperator: one more pass reads NaN, which is no colon
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // the escaped character is part of the string
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x3a) {
      count++;
    }
  }
  return count;
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: primitives and null count as frozen, and parsed JSON holds no cycles, so any part of the guard alone decides the same
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
