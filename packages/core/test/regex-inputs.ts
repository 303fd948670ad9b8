// Long adversarial inputs for a regex, and a timed run of it that a watchdog cuts off: a
// super-linear regex on 100,000 characters would otherwise hold the test for minutes.

import { createContext, Script } from 'node:vm';

export interface Attack {
  readonly pumps: readonly { readonly prefix: string; readonly pump: string }[];
  readonly suffix: string;
}

export interface AdversarialInput {
  /** What the input is made of, for a failure message. */
  readonly name: string;
  readonly value: string;
}

// One character for each common class and escape: \w, \d, \s, [A-Z], punctuation, line breaks,
// non-ASCII (é for \p{L}, an astral emoji for u-mode surrogate handling).
const REPRESENTATIVES = [' ', '\t', '\n', '\r', ',', ';', '=', '"', "'", ':', '.', '/', '\\', '-', '_', '+', '~', '!', '*', '(', 'a', 'z', 'A', 'Z', '0', '9', 'é', '😀'];

// Regex syntax, not characters the pattern matches.
const SYNTAX = new Set('^$()|*+?{}[]');
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' };

/** The characters a pattern names literally, in order: `\.` is `.`, `\x41` is `A`; classes' own escapes (`\d`) are left to the representatives. */
export function literalChars(source: string): string[] {
  const chars: string[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c !== '\\') {
      if (!SYNTAX.has(c)) chars.push(c);
      continue;
    }
    const next = source[++i] ?? '';
    const hex = /^x([0-9a-fA-F]{2})|^u([0-9a-fA-F]{4})|^u\{([0-9a-fA-F]+)\}/.exec(source.slice(i));
    if (hex !== null) {
      chars.push(String.fromCodePoint(parseInt((hex[1] ?? hex[2] ?? hex[3]) as string, 16)));
      i += hex[0].length - 1;
    } else if (next in CONTROL_ESCAPES) {
      chars.push(CONTROL_ESCAPES[next] as string);
    } else if (!/[A-Za-z1-9]/.test(next)) {
      chars.push(next); // an identity escape: \. \/ \- \\
    }
  }
  return chars;
}

/** `unit` repeated to `length - 1` characters, then `end`. */
function pumped(unit: string, length: number, end: string): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length - 1) + end;
}

/** recheck's attack (prefix + pump repeated, for each pump, then its suffix) grown to about `length`. */
function grownAttack(attack: Attack, length: number): string {
  const fixed = attack.pumps.reduce((n, p) => n + p.prefix.length, attack.suffix.length);
  const perRound = attack.pumps.reduce((n, p) => n + p.pump.length, 0);
  const rounds = Math.max(1, Math.floor((length - fixed) / Math.max(1, perRound)));
  return attack.pumps.map((p) => p.prefix + p.pump.repeat(rounds)).join('') + attack.suffix;
}

/**
 * Inputs of `length` characters for the regex `source`: each character of its alphabet (its
 * literal characters and the class representatives) repeated, the alphabet cycled, its literal
 * text cycled, each ending in a character outside the alphabet so that no match is found
 * early; and recheck's attack string, when it gave one, pumped to the same length.
 */
export function adversarialInputs(source: string, length: number, attack?: Attack): AdversarialInput[] {
  const literal = literalChars(source);
  const alphabet = [...new Set([...literal, ...REPRESENTATIVES])];
  const end = ['\0', '\u{FFFF}', '#'].find((c) => !alphabet.includes(c)) ?? '\0';
  const inputs = alphabet.map((c) => ({ name: `${JSON.stringify(c)} repeated`, value: pumped(c, length, end) }));
  inputs.push({ name: 'the alphabet cycled', value: pumped(alphabet.join(''), length, end) });
  if (literal.length > 1) inputs.push({ name: `${JSON.stringify(literal.join(''))} cycled`, value: pumped(literal.join(''), length, end) });
  if (attack !== undefined) inputs.push({ name: "recheck's attack, pumped", value: grownAttack(attack, length) });
  return inputs;
}

const context = createContext({ regex: /(?:)/, input: '' });
const run = new Script('regex.test(input)');

/**
 * The fastest of up to `runs` runs of `regex.test(input)` in milliseconds, or `Infinity` when
 * every run passed `budgetMs` (each is cut off there). The fastest, so that a loaded machine does
 * not fail a linear regex; it stops at the first run within the budget, which decides the same.
 */
export function fastestRun(regex: RegExp, input: string, budgetMs: number, runs = 3): number {
  // A fresh copy without g and y, whose lastIndex would carry state from one run to the next.
  context['regex'] = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''));
  context['input'] = input;
  let fastest = Infinity;
  for (let i = 0; i < runs && fastest > budgetMs; i++) {
    const start = performance.now();
    try {
      run.runInContext(context, { timeout: budgetMs });
      fastest = Math.min(fastest, performance.now() - start);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
    }
  }
  return fastest;
}
