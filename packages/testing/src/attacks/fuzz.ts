// Property-based inputs for jwt-gate (fast-check): random and mutated tokens, Authorization
// headers, claim sets and JOSE headers, and a suite that throws them at an adapter. Every run
// is seeded, so a failure names the seed and the shrunk input that reproduces it.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceTarget } from '../conformance/harness.js';
import { b64url } from '../keys.js';
import { ATTACK_AUDIENCE, ATTACK_ISSUERS, ATTACK_REALM, createAttackFixture, fromB64url, type AttackFixture } from './fixture.js';
import type { AttackDriver } from './suite.js';

/** The seed of every property run: change it to explore, keep it fixed to reproduce. */
export const FUZZ_SEED = 0x6a777467;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// The token alphabet, its separator, and the characters lenient parsers let through.
const TOKEN_CHARS = `${BASE64URL}.=+/~ `;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '\t';

/** Strings over the token alphabet and its near misses. */
export const tokenLike: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 400 });

/** Any text at all: every code point, lone surrogates included. */
export const anyText: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 400 });

/** Compact tokens of random JSON header and payload and random signature bytes. */
export const randomCompact: fc.Arbitrary<string> = fc
  .tuple(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 96 }))
  .map(([header, payload, signature]) => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url(signature)}`);

/** One change to a token: a character replaced, inserted or removed, or one bit of one decoded byte flipped. */
export type Mutation =
  | { readonly kind: 'replace' | 'insert'; readonly at: number; readonly char: string }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'bit'; readonly segment: 0 | 1 | 2; readonly at: number; readonly bit: number };

/** Random mutations; apply one with {@link mutate}. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('replace' as const, 'insert' as const), at: fc.nat(), char: fc.constantFrom(...TOKEN_CHARS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('bit' as const), segment: fc.constantFrom(0 as const, 1 as const, 2 as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
);

/**
 * Applies a mutation. A bit flip decodes the segment, flips one bit of one byte and encodes it
 * again canonically, so the change reaches the signature check instead of the format gate.
 */
export function mutate(token: string, change: Mutation): string {
  if (change.kind === 'bit') {
    const parts = token.split('.');
    const bytes = fromB64url(parts[change.segment] as string);
    if (bytes.length === 0) return token;
    const at = change.at % bytes.length;
    bytes[at] = (bytes[at] as number) ^ (1 << change.bit);
    parts[change.segment] = b64url(bytes);
    return parts.join('.');
  }
  const at = change.at % (token.length + (change.kind === 'insert' ? 1 : 0));
  if (change.kind === 'insert') return token.slice(0, at) + change.char + token.slice(at);
  if (change.kind === 'delete') return token.slice(0, at) + token.slice(at + 1);
  return token.slice(0, at) + change.char + token.slice(at + 1);
}

/** `Authorization` values: bearer-shaped, near-bearer and arbitrary printable text. */
export const authorizationValue: fc.Arbitrary<string> = fc.oneof(
  tokenLike.map((token) => `Bearer ${token}`),
  fc
    .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', 'Token', '', 'Bearer,'), fc.constantFrom(' ', '  ', '\t', '', ', '), tokenLike)
    .map(([scheme, gap, token]) => `${scheme}${gap}${token}`),
  fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: 300 }),
);

/** Request header lists: up to three of `Authorization`, `Cookie` and an unrelated header. */
export const requestHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.oneof(
    authorizationValue.map((value): [string, string] => ['authorization', value]),
    tokenLike.map((value): [string, string] => ['cookie', `access_token=${value}`]),
    tokenLike.map((value): [string, string] => ['x-token', value]),
  ),
  { maxLength: 3 },
);

/** Mostly `valid`, sometimes anything else `other` gives: random inputs that still pass often enough to test the accept side. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });

/** A JSON value that may or may not be a valid NumericDate. */
const dateLike = (now: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer({ min: now - 7200, max: now + 7200 }),
    fc.double({ noNaN: false }),
    fc.constantFrom(0, -1, now, now + 0.5, 1e308, Number.MAX_SAFE_INTEGER),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(null, true, false, [], {}),
  );

/** Claim sets of the `hs` attack issuer, each registered claim mostly valid, else malformed or absent, plus random members. */
export const claimSet = (now: number): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      iss: mostly(fc.constant(ATTACK_ISSUERS.hs), fc.oneof(fc.constant([ATTACK_ISSUERS.hs]), fc.string({ maxLength: 30 }), fc.constant(undefined))),
      aud: mostly(fc.constantFrom(ATTACK_AUDIENCE, [ATTACK_AUDIENCE, 'x']), fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined))),
      exp: mostly(fc.integer({ min: now + 1, max: now + 3600 }), fc.oneof(dateLike(now), fc.constant(undefined))),
      nbf: mostly(fc.constant(undefined), dateLike(now)),
      iat: mostly(fc.oneof(fc.constant(undefined), fc.integer({ min: now - 3600, max: now })), dateLike(now)),
      sub: mostly(fc.oneof(fc.string({ maxLength: 20 }), fc.constant(undefined)), fc.jsonValue({ maxDepth: 1 })),
      jti: mostly(fc.oneof(fc.string({ maxLength: 20 }), fc.constant(undefined)), fc.jsonValue({ maxDepth: 1 })),
      extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    })
    .map(({ extra, ...claims }) => ({ ...extra, ...claims }));

/** JOSE headers: `alg`, `kid`, `typ`, `crit` and `b64` mostly valid, else wrong or absent, plus random members. */
export const joseHeader: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    alg: mostly(fc.constant('HS256'), fc.oneof(fc.constantFrom('HS384', 'hs256', 'none', 'RS256', 'ES256', ''), fc.jsonValue({ maxDepth: 1 }))),
    kid: mostly(fc.constantFrom('hs-1', undefined), fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))),
    typ: mostly(fc.constantFrom('at+jwt', 'AT+JWT', 'application/at+jwt'), fc.oneof(fc.constantFrom('JWT', 'at+jwt ', undefined), fc.jsonValue({ maxDepth: 1 }))),
    crit: mostly(fc.constant(undefined), fc.jsonValue({ maxDepth: 1 })),
    b64: mostly(fc.constantFrom(undefined, true), fc.jsonValue({ maxDepth: 1 })),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  })
  .map(({ extra, ...header }) => ({ ...extra, ...header }));

/** Runs a property with the suite's seed and a moderate number of runs. */
export function checkProperty<T>(property: fc.IAsyncPropertyWithHooks<T> | fc.IAsyncProperty<T>, numRuns = 150): Promise<void> {
  return fc.assert(property, { seed: FUZZ_SEED, numRuns });
}

/**
 * Registers property-based tests for one adapter: random `Authorization` headers, random
 * tokens and mutations of valid tokens of every issuer never get a 5xx and never reach the
 * handler; every refusal is a 400 or 401 with a Bearer challenge of the app's realm.
 *
 * @example
 * ```ts
 * fuzz('Hono', { errorBody: 'json', start: async (setup) => fetchTarget((request) => createApp(setup).request(request)) });
 * ```
 */
export function fuzz(name: string, driver: AttackDriver, numRuns = 100): void {
  describe(`fuzz: ${name}`, () => {
    let fx: AttackFixture;
    let target: ConformanceTarget;
    beforeAll(async () => {
      fx = await createAttackFixture();
      target = await driver.start(fx.setup);
    });
    afterAll(async () => {
      await target?.close();
      await fx?.close();
    });

    async function refused(headers: readonly (readonly [string, string])[]): Promise<void> {
      fx.handled.length = 0;
      const response = await target.request({ method: 'GET', path: '/me', headers });
      expect([400, 401]).toContain(response.status);
      expect(String(response.headers['www-authenticate'])).toMatch(new RegExp(`^Bearer realm="${ATTACK_REALM}"`));
      expect(fx.handled).toEqual([]);
      if (driver.errorBody === 'json') expect(JSON.parse(response.text)).toMatchObject({ error: expect.stringMatching(/^(invalid_request|invalid_token|unauthorized)$/) });
    }

    it('refuses random Authorization, Cookie and other headers with 400 or 401', () =>
      checkProperty(fc.asyncProperty(requestHeaders, (headers) => refused(headers)), numRuns));

    it('refuses random tokens with 400 or 401', () =>
      checkProperty(fc.asyncProperty(fc.oneof(tokenLike, randomCompact), (token) => refused([['authorization', `Bearer ${token}`]])), numRuns));

    it('never accepts a mutated signed token', async () => {
      const tokens = await Promise.all((['hs', 'rsa', 'ec', 'ed', 'remote'] as const).map((issuer) => fx.sign(issuer)));
      await checkProperty(
        fc.asyncProperty(fc.constantFrom(...tokens), mutation, async (token, change) => {
          const mutated = mutate(token, change);
          // HTTP trims whitespace around a header value: a space added at either end never arrives.
          fc.pre(mutated !== token && mutated.trim() === mutated);
          await refused([['authorization', `Bearer ${mutated}`]]);
        }),
        numRuns,
      );
    });
  });
}
