// Strict JSON for JOSE headers and claim sets (RFC 7515 §10.12, RFC 7519 §4): one top-level
// object, no duplicate member names at any depth (JSON.parse would silently keep the last one,
// so two parsers could disagree on a claim), no `__proto__` member (a prototype-pollution
// carrier; no legitimate token has one), and no nesting deeper than MAX_DEPTH.

// Member names written with escapes are read by our own reader: V8's JSON.parse can read an
// escaped name as one it has seen in an earlier object, `"\""` as `"\\"` (nodejs/node#63785; on
// Deno after one earlier parse, on Node 20 rarely), which would hide a duplicate or rename a
// member. Names without escapes, nearly every token, stay on JSON.parse.

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
  } /* Stryker disable next-line BlockStatement: without the return the value stays undefined, refused as no object below */ catch {
    return null;
  }
  if (
    typeof value !== 'object' ||
    // Stryker disable next-line ConditionalExpression: a null let through counts no members and no colons, and is returned as the null it is
    value === null ||
    Array.isArray(value)
  ) {
    return null;
  }
  const { colons, escapedName } = scanColons(text);
  // Which reader runs shows only where JSON.parse misreads a name: Deno's run of json.test.ts
  // fails with the switch always off, and with it always on both readers agree.
  // Stryker disable next-line ConditionalExpression: equivalent on Node 20, see above
  if (escapedName) return readObject(text);
  // Each member contributes exactly one ':' outside strings. Fewer parsed members than colons
  // means a name appeared twice somewhere.
  const members = countMembers(value, 0);
  if (
    // Stryker disable next-line ConditionalExpression: a refused part's -1 never equals a count of colons
    members < 0 ||
    members !== colons
  ) {
    return null;
  }
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

/** Counts the colons outside strings, and says whether a member name holds an escape. */
function scanColons(text: string): { colons: number; escapedName: boolean } {
  let colons = 0;
  let inString = false;
  // The escape flags only choose the reader: their mutants are equivalent on Node 20 (see parseJsonObject).
  // Stryker disable next-line BooleanLiteral: equivalent on Node 20
  let escaped = false; // the last string read holds a backslash
  // Stryker disable next-line BooleanLiteral: equivalent on Node 20
  let escapedName = false;
  // Stryker disable next-line EqualityOperator: one more pass reads NaN, which is no colon
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        // Stryker disable next-line BooleanLiteral: equivalent on Node 20
        escaped = true;
        i++; // the escaped character is part of the string
      } else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
      // Stryker disable next-line BooleanLiteral: equivalent on Node 20
      escaped = false;
    } else if (c === 0x3a) {
      colons++;
      // In valid JSON the string before a colon is a member name.
      // Stryker disable next-line BooleanLiteral,ConditionalExpression: equivalent on Node 20
      if (escaped) escapedName = true;
    }
  }
  return { colons, escapedName };
}

// A reader for text JSON.parse has already accepted, so the grammar holds: it only builds the
// value, refusing what parseJsonObject refuses. Strings and numbers are read by JSON.parse one
// token at a time, where no object shape is involved.
function readObject(text: string): JsonObject | null {
  let at = 0;
  // The bounds below are never reached: valid JSON has a bracket after every space and number.
  const skipSpace = (): void => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: never reached, see above
    while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')) at++;
  };
  const readString = (): string => {
    const start = at++;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  // Returns `refused` for a duplicate name, a __proto__ member or nesting past MAX_DEPTH.
  const refused = Symbol('refused');
  const readValue = (depth: number): unknown => {
    skipSpace();
    const c = text[at];
    if (c === '"') return readString();
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) return refused;
      at++;
      skipSpace();
      if (c === '[') {
        const items: unknown[] = [];
        if (text[at] === ']') {
          at++;
          return items;
        }
        for (;;) {
          const item = readValue(depth + 1);
          if (item === refused) return refused;
          items.push(item);
          skipSpace();
          if (text[at++] === ']') return items;
        }
      }
      const object: JsonObject = {};
      if (text[at] === '}') {
        at++;
        return object;
      }
      const names = new Set<string>();
      for (;;) {
        skipSpace();
        const name = readString();
        if (name === '__proto__' || names.has(name)) return refused;
        names.add(name);
        skipSpace();
        at++; // the colon
        const member = readValue(depth + 1);
        if (member === refused) return refused;
        object[name] = member;
        skipSpace();
        if (text[at++] === '}') return object;
      }
    }
    const start = at;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: never reached, see above
    while (at < text.length && !',]} \t\n\r'.includes(text[at] as string)) at++;
    return JSON.parse(text.slice(start, at));
  };
  const value = readValue(0);
  return value === refused ? null : (value as JsonObject);
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
