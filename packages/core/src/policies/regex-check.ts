// Regular expressions for claimMatches, checked once at creation so that no claim value can make
// a match expensive (fast-jwt CVE-2026-35041, ReDoS; CVE-2026-35040, stateful `g`/`y`).
//
// JavaScript regexes backtrack. Two shapes cost exponential time, and both are refused: a
// repeated group that itself contains a quantifier or an alternation (`(a+)+`, `(a|a)*`,
// `(\.\w+)*`), and back-references. What remains costs at most polynomial time whose degree is
// the number of repetitions (`*`, `+`, `{n,}`, `{n,m}`), plus one when the match may start
// anywhere. The degree is capped by the input length allowed: cubic up to 256 characters,
// quadratic up to 1024, so the worst accepted pattern's work is bounded by the input cap; only a
// pattern written to be pathological (dozens of optional groups) costs more. regex-check.test.ts
// holds the check to an independent analyser's verdicts.

/** Default and largest input lengths for a match. */
export const DEFAULT_INPUT = 256;
export const MAX_INPUT = 1024;

/** Highest polynomial degree accepted for inputs of up to `maxLength` characters. */
export function maxDegree(maxLength: number): number {
  return maxLength <= DEFAULT_INPUT ? 3 : 2;
}

interface Group {
  /** Holds a quantifier (any, `?` included) somewhere inside. */
  quantified: boolean;
  /** Holds an alternation somewhere inside. */
  alternation: boolean;
}

const BRACES = /^\{(\d+)(,(\d*))?\}/;

/** Returns a private copy of `pattern`, or throws a TypeError saying why it is refused. */
export function compilePattern(pattern: unknown, where: string, degree: number): RegExp {
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  if (!(pattern instanceof RegExp)) throw new TypeError(`${where}: pattern must be a RegExp`);
  const { source, flags } = pattern;
  if (flags.includes('g') || flags.includes('y')) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: the g and y flags make a RegExp stateful (lastIndex), so the same claim would pass and then fail; drop them`);
  }
  const unicodeSets = flags.includes('v');
  // Only with `u` or `v` are `\p{...}`, `\P{...}` and `\u{...}` escapes; without them the braces
  // are a quantifier of the letter before (`/\p{1,}/` is `/p+/`).
  const unicode = unicodeSets || flags.includes('u');
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: the outermost group's flags are never read (a top-level | is topAlternation)
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let last: 'atom' | Group | undefined; // what a quantifier here would repeat
  let repeats = 0;
  let topAlternation = false;

  const refuse = (why: string): never => {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where}: ${why}; rewrite the pattern or use claimCheck`);
  };

  // Stryker disable next-line EqualityOperator: one more pass reads undefined, an atom, which changes no verdict
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    const current = stack[stack.length - 1] as Group;
    if (c === '\\') {
      // Stryker disable next-line StringLiteral: a RegExp source never ends in a lone backslash
      const next = source[i + 1] ?? '';
      // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) refuse('back-references can take exponential time');
      i++;
      // \u{...}, \p{...}, \P{...} under `u`/`v`: skip the braces, which are not a quantifier.
      // Stryker disable next-line StringLiteral: the braces of \p{...} and \P{...} never hold digits, so are no quantifier either way
      if (unicode && (next === 'u' || next === 'p' || next === 'P') && source[i + 1] === '{') {
        // Stryker disable next-line ArithmeticOperator,StringLiteral,ConditionalExpression,UnaryOperator: under u the closing brace exists, and skipping only the opening one leaves atoms
        const end = source.indexOf('}', i + 1);
        // Stryker disable next-line ConditionalExpression,UnaryOperator: under u the closing brace exists
        i = end === -1 ? source.length : end;
      }
      // Stryker disable next-line StringLiteral: only a group (an object) in last is ever checked
      last = 'atom';
    } else if (c === '[') {
      i = skipClass(source, i, unicodeSets);
      // Stryker disable next-line StringLiteral: only a group (an object) in last is ever checked
      last = 'atom';
    } else if (c === '(') {
      // Stryker disable next-line ObjectLiteral: missing flags read as false
      stack.push({ quantified: false, alternation: false });
      last = undefined;
      if (source[i + 1] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>  (?ims-ims:  -- skip the group's prefix.
        // Stryker disable next-line all: a prefix past its '?' holds letters and < > = ! : only, atoms to this check, so where it is skipped to changes no verdict
        const close = source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!' ? source.indexOf('>', i) : -1;
        // Stryker disable next-line all: a prefix past its '?' holds letters and < > = ! : only, atoms to this check, so where it is skipped to changes no verdict
        if (close !== -1) i = close;
        else {
          i += 2;
          // Stryker disable next-line all: a prefix past its '?' holds letters and < > = ! : only, atoms to this check, so where it is skipped to changes no verdict
          while (i < source.length && /[a-zA-Z-]/.test(source[i] as string)) i++;
          // Stryker disable next-line all: a prefix past its '?' holds letters and < > = ! : only, atoms to this check, so where it is skipped to changes no verdict
          if (source[i] === '<') i++;
        }
      }
    } else if (c === ')') {
      const group = stack.pop() as Group;
      // Stryker disable next-line ConditionalExpression,StringLiteral: a RegExp's parentheses balance; kept as a guard
      if (stack.length === 0) refuse('unbalanced parentheses');
      const parent = stack[stack.length - 1] as Group;
      parent.quantified ||= group.quantified;
      parent.alternation ||= group.alternation;
      last = group;
    } else if (c === '|') {
      current.alternation = true;
      if (stack.length === 1) topAlternation = true;
      last = undefined;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && BRACES.test(source.slice(i)))) {
      let repeating: boolean;
      if (c === '{') {
        const match = BRACES.exec(source.slice(i)) as RegExpExecArray;
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
        repeating = max > 1;
        i += match[0].length - 1;
      } else {
        repeating = c !== '?';
      }
      // Stryker disable next-line ConditionalExpression,StringLiteral: read as one more ?, the lazy mark changes no verdict either
      if (source[i + 1] === '?') i++; // lazy
      if (repeating) {
        repeats++;
        // Stryker disable next-line ConditionalExpression: a repeating quantifier follows an atom or a group in any valid RegExp
        if (typeof last === 'object' && (last.quantified || last.alternation)) {
          // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
          refuse('a repeated group containing a quantifier or an alternation ((a+)+, (a|b)*) can take exponential time');
        }
      }
      current.quantified = true;
      last = undefined;
    } else {
      // Stryker disable next-line StringLiteral: only a group (an object) in last is ever checked
      last = 'atom';
    }
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: a RegExp's parentheses balance; kept as a guard
  if (stack.length !== 1) refuse('unbalanced parentheses');

  const anchored = source.startsWith('^') && !topAlternation && !flags.includes('m');
  if (repeats + (anchored ? 0 : 1) > degree) {
    refuse(
      // Stryker disable next-line StringLiteral,ArithmeticOperator: message text, not part of the contract: callers get the TypeError
      `at most ${degree} repetitions (*, +, {n,}) are allowed, ${degree - 1} when the pattern is not anchored with ^ (fewer when maxLength is above ${DEFAULT_INPUT}), so a match stays cheap; split it into several claimMatches under allOf`,
    );
  }
  return new RegExp(source, flags);
}

/** Index of the `]` closing the class that opens at `start` (in JavaScript `[]` is a class, so the first `]` closes). With the v flag classes nest. */
function skipClass(source: string, start: number, nested: boolean): number {
  let depth = 0;
  // Stryker disable next-line EqualityOperator: a RegExp's class always closes before the end
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[' && (i === start || nested)) depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return source.length;
}
