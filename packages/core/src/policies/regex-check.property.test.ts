// The claimMatches pattern checker against its stated rule, on generated patterns whose verdict
// is known from how they were built: refused for a back-reference or a repeated group holding a
// quantifier or an alternation, else accepted when the repetitions (plus one unless anchored
// with ^, without a top-level | and without m) stay within the degree. regex-check.test.ts holds
// what it accepts to recheck's verdicts; this holds it to accepting what the rule allows.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, DEFAULT_INPUT, MAX_INPUT, maxDegree } from './regex-check.js';

interface Built {
  readonly source: string;
  /** Repetitions: quantifiers whose maximum is above one. */
  readonly repeats: number;
  /** Holds any quantifier (`?` and `{1}` included). */
  readonly quantified: boolean;
  readonly alternation: boolean;
  /** Holds a back-reference or a repeated group with a quantifier or alternation inside. */
  readonly exponential: boolean;
}

// Atoms whose characters are no syntax: escapes, classes holding ( * | + ] {, a literal brace.
const PLAIN_ATOMS = ['a', '\\d', '.', '\\*', '\\(', '\\)', '\\|', '\\[', '[(*|+]', '[\\]*]', '[^)]', '[]a]', '\\\\', '\\b'];
const NON_UNICODE_ATOMS = ['x{', 'x{y}', '\\p', '\\u'];
const UNICODE_ATOMS = ['\\p{L}', '\\P{Lu}', '\\u{61}', '\\u{1F600}'];
const SETS_ATOMS = ['[[a-z]--[aeiou]]', '[\\q{abc}]', '[[a]]'];
const QUANTIFIERS: readonly (readonly [string, boolean])[] = [
  ['*', true],
  ['+', true],
  ['?', false],
  ['{2}', true],
  ['{1}', false],
  ['{0,1}', false],
  ['{1,}', true],
  ['{0,3}', true],
  ['{12,}', true],
  ['+?', true],
  ['??', false],
  ['{2,5}?', true],
];
const OPENERS = ['(', '(?:', '(?=', '(?!', '(?<=', '(?<!', '(?<name>'];

function atomsFor(flags: string): string[] {
  if (flags.includes('v')) return [...PLAIN_ATOMS.filter((a) => !a.startsWith('[') || a === '[^)]'), ...UNICODE_ATOMS, ...SETS_ATOMS];
  if (flags.includes('u')) return [...PLAIN_ATOMS.filter((a) => a !== '[]a]'), ...UNICODE_ATOMS];
  return [...PLAIN_ATOMS, ...NON_UNICODE_ATOMS];
}

const atom = (flags: string): fc.Arbitrary<Built> =>
  fc.constantFrom(...atomsFor(flags)).map((source) => ({ source, repeats: 0, quantified: false, alternation: false, exponential: false }));

function quantify(body: Built, isGroup: boolean, quantifier: readonly [string, boolean] | undefined): Built {
  if (quantifier === undefined) return body;
  const [text, repeating] = quantifier;
  return {
    source: body.source + text,
    repeats: body.repeats + (repeating ? 1 : 0),
    quantified: true,
    alternation: body.alternation,
    exponential: body.exponential || (repeating && isGroup && (body.quantified || body.alternation)),
  };
}

function sequenceOf(items: readonly Built[], joiner = ''): Built {
  return {
    source: items.map((i) => i.source).join(joiner),
    repeats: items.reduce((n, i) => n + i.repeats, 0),
    quantified: items.some((i) => i.quantified),
    alternation: (joiner === '|' && items.length > 1) || items.some((i) => i.alternation),
    exponential: items.some((i) => i.exponential),
  };
}

const sequence = (flags: string, depth: number): fc.Arbitrary<Built> => {
  const group = (): fc.Arbitrary<[Built, boolean]> =>
    fc
    .tuple(fc.constantFrom(...OPENERS), fc.array(sequence(flags, depth - 1), { minLength: 1, maxLength: 2 }))
    .map(([open, alternatives]) => {
      const inner = sequenceOf(alternatives, '|');
      return [{ ...inner, source: `${open}${inner.source})` }, true];
    });
  const core: fc.Arbitrary<[Built, boolean]> = depth <= 0 ? atom(flags).map((a) => [a, false]) : fc.oneof({ weight: 2, arbitrary: atom(flags).map((a): [Built, boolean] => [a, false]) }, { weight: 1, arbitrary: group() });
  const item = fc.tuple(core, fc.option(fc.constantFrom(...QUANTIFIERS), { nil: undefined, freq: 2 })).map(([[body, isGroup], q]) => quantify(body, isGroup, q));
  return fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => sequenceOf(items));
};

const generated = fc.constantFrom('', 'i', 's', 'm', 'u', 'v', 'iu', 'mv').chain((flags) =>
  fc
    .record({
      start: fc.boolean(),
      alternatives: fc.array(sequence(flags, 2), { minLength: 1, maxLength: 2 }),
      backReference: fc.constantFrom(undefined, undefined, undefined, undefined, '\\1', '\\k<name>', '\\9'),
      maxLength: fc.constantFrom(DEFAULT_INPUT, MAX_INPUT),
    })
    .map(({ start, alternatives, backReference, maxLength }) => {
      const body = sequenceOf(alternatives, '|');
      const topAlternation = alternatives.length > 1;
      const source = `${start ? '^' : ''}${body.source}${backReference ?? ''}`;
      const anchored = start && !topAlternation && !flags.includes('m');
      const degree = maxDegree(maxLength);
      const accept = !body.exponential && backReference === undefined && body.repeats + (anchored ? 0 : 1) <= degree;
      return { source, flags, degree, accept };
    }),
);

function valid(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags);
    return source.split('(?<name>').length <= 2;
  } catch {
    return false;
  }
}

function verdict(source: string, flags: string, degree: number): boolean {
  try {
    const compiled = compilePattern(new RegExp(source, flags), 'claimMatches', degree);
    expect(compiled.source).toBe(source);
    expect(compiled.flags).toBe(flags);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return false;
  }
}

describe('compilePattern on generated patterns', () => {
  it('accepts exactly what the rule allows', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(generated, ({ source, flags, degree, accept }) => {
        fc.pre(valid(source, flags));
        expect(verdict(source, flags, degree), `/${source}/${flags} at degree ${degree}`).toBe(accept);
        if (accept) accepted++;
        else refused++;
      }),
      { seed: 20261207, numRuns: 3000 },
    );
    // Both verdicts are exercised, not one of them only.
    expect(accepted).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });

  it('allows three repetitions up to the default input length and two above it', () => {
    expect(maxDegree(1)).toBe(3);
    expect(maxDegree(DEFAULT_INPUT)).toBe(3);
    expect(maxDegree(DEFAULT_INPUT + 1)).toBe(2);
    expect(maxDegree(MAX_INPUT)).toBe(2);
    expect(verdict('^a+b+c+$', '', maxDegree(DEFAULT_INPUT))).toBe(true);
    expect(verdict('^a+b+c+$', '', maxDegree(MAX_INPUT))).toBe(false);
    expect(verdict('a+b+$', '', maxDegree(DEFAULT_INPUT))).toBe(true);
    expect(verdict('a+b+c+', '', maxDegree(DEFAULT_INPUT))).toBe(false);
  });

  it('refuses what is not a RegExp, and the stateful g and y flags', () => {
    for (const value of ['^a$', { source: '^a$', flags: '' }, null, undefined, 1]) expect(() => compilePattern(value, 'claimMatches', 3)).toThrow(TypeError);
    for (const flags of ['g', 'y', 'gi', 'iy']) expect(verdict('^a$', flags, 3)).toBe(false);
    expect(verdict('^a$', 'dis', 3)).toBe(true);
  });

  it('returns a private copy: the caller changing its RegExp changes nothing', () => {
    const original = /^a+$/i;
    const compiled = compilePattern(original, 'claimMatches', 3);
    expect(compiled).not.toBe(original);
    original.lastIndex = 5;
    expect(compiled.lastIndex).toBe(0);
  });
});
