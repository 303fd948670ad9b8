// The claimMatches pattern checker against an independent ReDoS analyser (recheck, which decides
// a pattern's worst-case complexity from its automaton): every pattern the checker accepts must
// be safe, or polynomial of at most the degree it allows.

import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { compilePattern, DEFAULT_INPUT, MAX_INPUT, maxDegree } from './regex-check.js';

const ATOMS = ['a', 'b', 'ab', '\\d', '\\w', '\\s', '.', '[ab]', '[^a]', '\\p', '\\P', '\\u', 'p', '\\.', '[a-z]', '\\p{L}', '\\u{61}'];
const QUANTIFIERS = ['', '', '', '', '*', '+', '?', '{2}', '{1,}', '{0,3}', '{2,}', '+?', '*?', '{1}'];

// Small patterns (the checker refuses most large ones outright): up to three items per sequence,
// groups nested at most twice, most items unquantified.
const sequence = fc.memo((depth: number): fc.Arbitrary<string> => {
  const atom = fc.constantFrom(...ATOMS);
  const group = (): fc.Arbitrary<string> =>
    fc
      .tuple(fc.constantFrom('(', '(?:', '(?<g>', '(?='), fc.array(sequence(depth - 1), { minLength: 1, maxLength: 2 }))
      .map(([open, alternatives]) => `${open}${alternatives.join('|')})`);
  const core = depth <= 1 ? atom : fc.oneof({ weight: 2, arbitrary: atom }, { weight: 1, arbitrary: group() });
  const item = fc.tuple(core, fc.constantFrom(...QUANTIFIERS)).map(([body, quantifier]) => body + quantifier);
  return fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(''));
});

const pattern = fc
  .tuple(fc.boolean(), sequence(3), fc.boolean())
  .map(([start, body, end]) => `${start ? '^' : ''}${body}${end ? '$' : ''}`);

const flags = fc.constantFrom('', 'i', 'u', 'v', 's', 'm', 'iu');

function compiles(source: string, flagSet: string): boolean {
  try {
    new RegExp(source, flagSet);
    return source.split('(?<g>').length <= 2;
  } catch {
    return false;
  }
}

function accepted(source: string, flagSet: string, degree: number): boolean {
  try {
    compilePattern(new RegExp(source, flagSet), 'test', degree);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return false;
  }
}

// recheck runs a native binary as a child process; the Deno run of this suite skips it.
const onNode = !('Deno' in globalThis);

describe.runIf(onNode)('compilePattern against recheck', () => {
  it('refuses what recheck finds exponential, including the \\p{n,} form without u', async () => {
    for (const [source, flagSet] of [['^(\\p{1,})+$', ''], ['^(a+)+$', ''], ['^(a|a)*$', 'i']] as const) {
      expect((await check(source, flagSet)).status).toBe('vulnerable');
      expect(accepted(source, flagSet, 3)).toBe(false);
    }
  });

  it('accepts only patterns that recheck proves safe or polynomial within the allowed degree', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(pattern, flags, fc.constantFrom(DEFAULT_INPUT, MAX_INPUT), async (source, flagSet, maxLength) => {
        const degree = maxDegree(maxLength);
        if (!compiles(source, flagSet) || !accepted(source, flagSet, degree)) return;
        const diagnostics = await check(source, flagSet, { timeout: 10_000 });
        checked++;
        if (diagnostics.status === 'unknown') return;
        const complexity = diagnostics.status === 'vulnerable' ? diagnostics.complexity : undefined;
        expect(complexity?.type, `/${source}/${flagSet} was accepted`).not.toBe('exponential');
        if (complexity?.type === 'polynomial') expect(complexity.degree, `/${source}/${flagSet}`).toBeLessThanOrEqual(degree);
      }),
      { seed: 20261207, numRuns: 1000 },
    );
    expect(checked).toBeGreaterThan(100);
  }, 120_000);
});
