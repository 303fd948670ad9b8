// Reading options safely: only own properties count (a polluted Object.prototype must never
// turn a default off), copied once at creation into an object without a prototype, and a
// misspelt name is refused, because a silently ignored option weakens verification.

/**
 * A copy of `input`'s own enumerable properties on a null-prototype object, after checking
 * that it is a plain options object and that every name is one of `known`.
 */
export function ownOptions<T extends object>(input: T | undefined, where: string, known: readonly string[]): Partial<T> {
  if (input === undefined) return Object.create(null) as Partial<T>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError(`${where}: options must be an object`);
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option ${JSON.stringify(key.slice(0, 40))}${suggestion(key, known)}`);
    copy[key] = (input as Record<string, unknown>)[key];
  }
  return copy as Partial<T>;
}

/** The value of an own property of `object`, or undefined (never an inherited one). */
export function own<T extends object, K extends keyof T>(object: T, key: K): T[K] | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** `; did you mean "x"?` for the closest known name, when one is close enough. */
export function suggestion(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? `; did you mean ${JSON.stringify(best)}?` : '';
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** A positive integer option, or its default. */
export function positiveInteger(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${where}: ${name} must be a positive integer`);
  return value;
}

/** A positive, finite number of seconds, or its default. */
export function positiveSeconds(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${where}: ${name} must be a positive number of seconds`);
  return value;
}

/** One value or a list of them, as a new array (`undefined` is an empty list). */
export function toList<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}
