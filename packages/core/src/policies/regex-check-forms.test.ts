// The claimMatches pattern checker on the syntax forms whose reading changes a verdict: escapes
// that look like back-references, braces that are or are not a quantifier, classes that do or do
// not nest, and alternations deep inside a repeated group.

import { describe, expect, it } from 'vitest';
import { compilePattern } from './regex-check.js';

function accepted(source: string, flags = '', degree = 3): boolean {
  try {
    compilePattern(new RegExp(source, flags), 'claimMatches', degree);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return false;
  }
}

describe('compilePattern on syntax forms', () => {
  it('refuses back-references and only them', () => {
    expect(accepted('^(a)\\1$')).toBe(false);
    expect(accepted('^(?<x>a)\\k<x>$')).toBe(false);
    // Without u, \k is the letter k, and an escape followed by < is no back-reference.
    expect(accepted('^\\k$')).toBe(true);
    expect(accepted('^a\\d<$')).toBe(true);
    expect(accepted('^\\w<b$')).toBe(true);
  });

  it('reads \\u{...} under u as one character, not a quantifier', () => {
    expect(accepted('^\\u{61}+b+c+$', 'u')).toBe(true);
    expect(accepted('^(\\u{61})+$', 'u')).toBe(true);
    // Without u the braces repeat the letter u: /\u{2}/ is /uu/.
    expect(accepted('^(\\u{2})+$')).toBe(false);
    // Braces after any other escape are a quantifier, with u or without.
    expect(accepted('^\\d{2}b+c+$', 'u')).toBe(true);
    expect(accepted('^\\d{2}b+c+d+$', 'u')).toBe(false);
    expect(accepted('^(\\d{2})+$', 'u')).toBe(false);
    // A \u escape without braces is four hex digits: what follows it is still checked.
    expect(accepted('^\\u0061(a+)+$', 'u')).toBe(false);
    expect(accepted('^\\u0061(a+)+b{1,2}$', 'u')).toBe(false);
  });

  it('sees alternations nested at any depth inside a repeated group', () => {
    expect(accepted('^(?:(?:a|b)c)*$')).toBe(false);
    expect(accepted('^((a|b))+$')).toBe(false);
    expect(accepted('^(?:x(?:y(?:a|b)))+$')).toBe(false);
    expect(accepted('^(?:(?:ab)c)*$')).toBe(true);
  });

  it('ends a class at its first ], and nests classes only under v', () => {
    expect(accepted('^[[](a+)+$')).toBe(false);
    expect(accepted('^[[]+b+c+$')).toBe(true);
    expect(accepted('^[[a]*]+b+c+$', 'v')).toBe(true);
    expect(accepted('^[[a]*](a+)+$', 'v')).toBe(false);
  });
});
