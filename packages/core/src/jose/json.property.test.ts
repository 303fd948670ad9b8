import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze, parseJsonObject } from './json.js';

// Keys and strings rich in what the member count must see through: colons, quotes and
// backslashes inside strings.
const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '"', '\\', ' ', '{', '}', ',', 'é', '\u0000'), maxLength: 6 });
const key = text.filter((k) => k !== '__proto__');
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const object = fc.dictionary(key, value, { maxKeys: 4 });

describe('parseJsonObject on generated JSON', () => {
  // The oracle is the generated object itself, not JSON.parse: V8's JSON.parse can misread an
  // escaped member name after earlier objects (see json.ts), which is what the parser guards against.
  it('reads back every object without duplicate members, however it is spaced', () => {
    fc.assert(
      fc.property(object, fc.constantFrom(undefined, 1, '\t'), (input, space) => {
        const text = JSON.stringify(input, null, space);
        expect(parseJsonObject(text), text).toEqual(input);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a member name given twice, at any depth', () => {
    fc.assert(
      fc.property(object, key, value, value, fc.nat({ max: 3 }), (input, name, first, second, depth) => {
        let inner = `{${JSON.stringify(name)}:${JSON.stringify(first)},${JSON.stringify(name)}:${JSON.stringify(second)}}`;
        for (let i = 0; i < depth; i++) inner = i % 2 === 0 ? `{"x":${inner}}` : `[1,${inner}]`;
        const body = JSON.stringify(input);
        const textWithTwin = `{"twin":${inner}${body === '{}' ? '' : `,${body.slice(1, -1)}`}}`;
        expect(parseJsonObject(textWithTwin)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a __proto__ member anywhere', () => {
    fc.assert(
      fc.property(object, value, fc.nat({ max: 3 }), (input, inner, depth) => {
        let member = `{"__proto__":${JSON.stringify(inner)}}`;
        for (let i = 0; i < depth; i++) member = `{"x":[${member}]}`;
        expect(parseJsonObject(`{"a":${member},"b":${JSON.stringify(input)}}`)).toBeNull();
      }),
    );
  });

  it('refuses anything but one object', () => {
    fc.assert(
      fc.property(value, (input) => {
        fc.pre(typeof input !== 'object' || input === null || Array.isArray(input));
        expect(parseJsonObject(JSON.stringify(input))).toBeNull();
      }),
    );
    for (const bad of ['', '{', '{"a":1}x', "{'a':1}", '{"a":1,}', 'NaN', '{"a":01}']) expect(parseJsonObject(bad), bad).toBeNull();
  });

  it('freezes a result all the way down', () => {
    fc.assert(
      fc.property(object, (input) => {
        const frozen = deepFreeze(parseJsonObject(JSON.stringify(input)));
        const walk = (v: unknown): void => {
          if (typeof v !== 'object' || v === null) return;
          expect(Object.isFrozen(v)).toBe(true);
          for (const child of Object.values(v)) walk(child);
        };
        walk(frozen);
      }),
    );
  });
});

describe('parseJsonObject beyond the nesting limit', () => {
  it('refuses an object past the depth limit even when it is the only member so deep', () => {
    const deep = `{"a":${'['.repeat(300)}{"b":1}${']'.repeat(300)}}`;
    expect(parseJsonObject(deep)).toBeNull();
    const empty = `{"a":${'['.repeat(300)}{}${']'.repeat(300)}}`;
    expect(parseJsonObject(empty)).toBeNull();
  });
});
