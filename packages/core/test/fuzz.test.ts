// Property-based tests (fast-check, seeded): whatever arrives, the core answers with an
// AuthError of a 4xx status or a result that every rule allows; it never throws anything else,
// never answers 5xx for bad input, and never accepts a changed signed token.

import {
  ATTACK_AUDIENCE,
  ATTACK_ISSUERS,
  anyText,
  checkProperty,
  claimSet,
  createAttackFixture,
  joseHeader,
  mutate,
  mutation,
  randomCompact,
  requestHeaders,
  tokenLike,
  type AttackFixture,
} from '@jwt-gate/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, type Authenticator } from '../src/adapter/authenticate.js';
import { isAuthError } from '../src/errors/auth-error.js';
import type { RequestView } from '../src/adapter/extract.js';
import { allOf, anyOf, claimMatches, not, requireRoles, requireScopes } from '../src/index.js';
import { createVerifier, type VerifiedToken, type Verifier, type VerifierOptions } from '../src/verification/verifier.js';

const TOLERANCE = 5;

/** Settles a promise into what it did: the result, or the error, which must be a 4xx AuthError. */
async function settle<T>(promise: Promise<T>, statuses: readonly number[] = [401]): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    expect(isAuthError(error), `an AuthError, not ${String(error)}`).toBe(true);
    expect(statuses).toContain((error as { status: number }).status);
    return undefined;
  }
}

function view(headers: readonly (readonly [string, string])[]): RequestView {
  return {
    method: 'GET',
    header(name) {
      const values = headers.filter(([key]) => key === name).map(([, value]) => value);
      return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
    },
  };
}

describe('fuzz: the core', () => {
  let fx: AttackFixture;
  let verifier: Verifier;
  let authenticator: Authenticator;
  let tokens: string[];

  beforeAll(async () => {
    fx = await createAttackFixture();
    verifier = createVerifier(fx.auth as VerifierOptions);
    authenticator = createAuthenticator({ verifier });
    tokens = await Promise.all((['hs', 'rsa', 'ec', 'ed', 'remote'] as const).map((issuer) => fx.sign(issuer)));
    for (const token of tokens) await verifier.verify(token);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('refuses any text with a 401 AuthError', () =>
    checkProperty(fc.asyncProperty(fc.oneof(anyText, tokenLike, randomCompact), async (input) => {
      expect(await settle(verifier.verify(input))).toBeUndefined();
    }), 300));

  it('refuses values that are not strings with a 401 AuthError', () =>
    checkProperty(fc.asyncProperty(fc.anything(), async (input) => {
      fc.pre(typeof input !== 'string');
      expect(await settle(verifier.verify(input as string))).toBeUndefined();
    }), 100));

  it('never accepts a signed token with one character or one bit changed', () =>
    checkProperty(
      fc.asyncProperty(fc.constantFrom(0, 1, 2, 3, 4), mutation, async (which, change) => {
        const token = tokens[which] as string;
        const mutated = mutate(token, change);
        fc.pre(mutated !== token);
        expect(await settle(verifier.verify(mutated))).toBeUndefined();
      }),
      500,
    ));

  it('answers random request headers with 400 or 401, or an anonymous null in optional mode', async () => {
    const optional = createAuthenticator({ verifier, optional: true });
    await checkProperty(
      fc.asyncProperty(requestHeaders, async (headers) => {
        expect(await settle(authenticator.authenticate(view(headers)), [400, 401])).toBeUndefined();
        expect([null, undefined]).toContain(await settle(optional.authenticate(view(headers)), [400, 401]));
      }),
      300,
    );
  });

  it('accepts a validly signed claim set only when every claim rule holds', async () => {
    await checkProperty(
      fc.asyncProperty(claimSet(fx.now), async (claims) => {
        const result = await settle(verifier.verify(await fx.signRaw('hs', JSON.stringify({ alg: 'HS256', kid: 'hs-1', typ: 'at+jwt' }), JSON.stringify(claims))));
        if (result === undefined) return;
        const now = Date.now() / 1000;
        const { iss, aud, exp, nbf, iat, sub, jti } = result.claims as Record<string, unknown>;
        expect(iss).toBe(ATTACK_ISSUERS.hs);
        expect(typeof aud === 'string' ? [aud] : aud).toEqual(expect.arrayContaining([ATTACK_AUDIENCE]));
        expect((Array.isArray(aud) ? aud : [aud]).every((value) => typeof value === 'string')).toBe(true);
        expect(typeof exp === 'number' && Number.isFinite(exp) && exp > now - TOLERANCE - 1).toBe(true);
        for (const date of [nbf, iat]) if (date !== undefined) expect(typeof date === 'number' && Number.isFinite(date) && date <= now + TOLERANCE + 1).toBe(true);
        for (const text of [sub, jti]) if (text !== undefined) expect(typeof text).toBe('string');
        expect(Object.hasOwn(result.claims, '__proto__')).toBe(false);
      }),
      300,
    );
  });

  it('accepts a validly signed token only under a header every rule allows', async () => {
    await checkProperty(
      fc.asyncProperty(joseHeader, async (header) => {
        const result: VerifiedToken | undefined = await settle(verifier.verify(await fx.signRaw('hs', JSON.stringify(header), JSON.stringify(fx.claims('hs')))));
        if (result === undefined) return;
        expect(header.alg).toBe('HS256');
        expect(typeof header.typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(header.typ.toLowerCase())).toBe(true);
        expect(header.crit).toBeUndefined();
        expect(header.b64 === undefined || header.b64 === true).toBe(true);
        expect(header.kid === undefined || header.kid === 'hs-1').toBe(true);
      }),
      300,
    );
  });

  it('evaluates a global policy on random verified claims without a crash: allowed, or 403', async () => {
    const policy = anyOf(allOf(requireScopes('read'), claimMatches('email', /^[a-z0-9.]+@example\.com$/)), allOf(requireRoles('admin'), not(claimMatches('sub', /^guest-/))));
    const guarded = createAuthenticator({ verifier, policy });
    const claims = fc.record({
      scope: fc.oneof(fc.constantFrom('read', 'read write', 'write'), fc.jsonValue({ maxDepth: 1 })),
      roles: fc.oneof(fc.constant(['admin']), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
      email: fc.oneof(fc.constant('alice@example.com'), fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 1 })),
      sub: fc.oneof(fc.constantFrom('alice', 'guest-1'), fc.string({ maxLength: 10 })),
    });
    await checkProperty(
      fc.asyncProperty(claims, async (extra) => {
        const token = await fx.sign('hs', extra);
        await settle(guarded.authenticate(view([['authorization', `Bearer ${token}`]])), [403]);
      }),
      200,
    );
  });
});
