import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { servingWindow, validateClaims, type ClaimRules } from './claims.js';

const rules = (overrides: Partial<ClaimRules> = {}): ClaimRules => ({
  audiences: ['orders-api'],
  clockTolerance: 0,
  maxTokenAge: undefined,
  requireExpiration: true,
  requiredClaims: [],
  realm: 'api',
  issuer: 'https://auth.example.com',
  ...overrides,
});

const NOW = 1_800_000_000;

/** The refusal's code and claim, or 'ok'. */
function outcome(claims: Record<string, unknown>, ruleSet: ClaimRules = rules(), now = NOW): string {
  try {
    validateClaims(claims, ruleSet, now);
    return 'ok';
  } catch (error) {
    if (!isAuthError(error)) throw error;
    expect(error.status).toBe(401);
    return `${error.code} ${String((error as { claim?: string }).claim)}`;
  }
}

const base = { aud: 'orders-api', exp: NOW + 60 };

describe('validateClaims', () => {
  it('expires at exp exactly, and tolerance seconds later with a tolerance', () => {
    expect(outcome({ ...base, exp: NOW + 1 })).toBe('ok');
    expect(outcome({ ...base, exp: NOW })).toBe('ERR_TOKEN_EXPIRED exp');
    expect(outcome({ ...base, exp: NOW - 9 }, rules({ clockTolerance: 10 }))).toBe('ok');
    expect(outcome({ ...base, exp: NOW - 10 }, rules({ clockTolerance: 10 }))).toBe('ERR_TOKEN_EXPIRED exp');
  });

  it('requires exp unless told not to, and takes only finite numbers as dates', () => {
    expect(outcome({ aud: 'orders-api' })).toBe('ERR_CLAIM_MISSING exp');
    expect(outcome({ aud: 'orders-api' }, rules({ requireExpiration: false }))).toBe('ok');
    for (const name of ['exp', 'nbf', 'iat']) {
      for (const value of ['1900000000', null, true, Infinity, Number.NaN, [NOW + 60], { n: 1 }]) {
        expect(outcome({ ...base, [name]: value }), `${name}: ${String(value)}`).toBe(`ERR_CLAIM_INVALID ${name}`);
      }
    }
  });

  it('is valid from nbf exactly, and tolerance seconds before with a tolerance', () => {
    expect(outcome({ ...base, nbf: NOW })).toBe('ok');
    expect(outcome({ ...base, nbf: NOW + 1 })).toBe('ERR_TOKEN_NOT_YET_VALID nbf');
    expect(outcome({ ...base, nbf: NOW + 10 }, rules({ clockTolerance: 10 }))).toBe('ok');
    expect(outcome({ ...base, nbf: NOW + 11 }, rules({ clockTolerance: 10 }))).toBe('ERR_TOKEN_NOT_YET_VALID nbf');
  });

  it('refuses an iat in the future beyond the tolerance', () => {
    expect(outcome({ ...base, iat: NOW })).toBe('ok');
    expect(outcome({ ...base, iat: NOW + 1 })).toBe('ERR_CLAIM_INVALID iat');
    expect(outcome({ ...base, iat: NOW + 5 }, rules({ clockTolerance: 5 }))).toBe('ok');
    expect(outcome({ ...base, iat: NOW + 6 }, rules({ clockTolerance: 5 }))).toBe('ERR_CLAIM_INVALID iat');
  });

  it('with maxTokenAge, needs iat and refuses a token older than the age plus the tolerance', () => {
    const aged = rules({ maxTokenAge: 100, clockTolerance: 5 });
    expect(outcome(base, aged)).toBe('ERR_CLAIM_MISSING iat');
    expect(outcome({ ...base, iat: NOW - 105 }, aged)).toBe('ok');
    expect(outcome({ ...base, iat: NOW - 106 }, aged)).toBe('ERR_TOKEN_TOO_OLD iat');
    expect(outcome({ ...base, iat: NOW - 100 }, rules({ maxTokenAge: 100 }))).toBe('ok');
    expect(outcome({ ...base, iat: NOW - 101 }, rules({ maxTokenAge: 100 }))).toBe('ERR_TOKEN_TOO_OLD iat');
  });

  it('takes an audience as a string or a non-empty list of strings holding one of ours', () => {
    const two = rules({ audiences: ['orders-api', 'billing'] });
    expect(outcome({ ...base, aud: 'billing' }, two)).toBe('ok');
    expect(outcome({ ...base, aud: ['x', 'orders-api'] })).toBe('ok');
    expect(outcome({ exp: NOW + 60 })).toBe('ERR_AUDIENCE_INVALID aud');
    for (const aud of [[], ['orders-api', 1], 42, null, { 0: 'orders-api' }, 'other', ['other']]) {
      expect(outcome({ ...base, aud }), JSON.stringify(aud)).toBe('ERR_AUDIENCE_INVALID aud');
    }
    expect(outcome({ exp: NOW + 60, aud: 7 }, rules({ audiences: null }))).toBe('ok');
  });

  it('needs sub and jti to be strings when present, and every required claim', () => {
    expect(outcome({ ...base, sub: 'alice', jti: 'j1' })).toBe('ok');
    expect(outcome({ ...base, sub: 1 })).toBe('ERR_CLAIM_INVALID sub');
    expect(outcome({ ...base, jti: ['j'] })).toBe('ERR_CLAIM_INVALID jti');
    const needs = rules({ requiredClaims: ['sub', 'tenant'] });
    expect(outcome({ ...base, sub: 'a' }, needs)).toBe('ERR_CLAIM_MISSING tenant');
    expect(outcome({ ...base, sub: 'a', tenant: 't' }, needs)).toBe('ok');
  });

  it('reads own properties only: inherited claims count as absent', () => {
    const inherited = Object.assign(Object.create({ exp: NOW + 60, tenant: 't' }) as Record<string, unknown>, { aud: 'orders-api' });
    expect(outcome(inherited)).toBe('ERR_CLAIM_MISSING exp');
    expect(outcome(Object.assign(Object.create({ tenant: 't' }) as Record<string, unknown>, base), rules({ requiredClaims: ['tenant'] }))).toBe('ERR_CLAIM_MISSING tenant');
  });

  it('gives each refusal its machine-readable reason', () => {
    const reason = (claims: Record<string, unknown>, ruleSet: ClaimRules = rules()) => {
      try {
        validateClaims(claims, ruleSet, NOW);
      } catch (error) {
        if (!isAuthError(error)) throw error;
        return `${error.code} ${String(error.reason)}`;
      }
      return 'ok';
    };
    expect(reason({ ...base, exp: 'soon' })).toBe('ERR_CLAIM_INVALID type');
    expect(reason({ aud: 'orders-api' })).toBe('ERR_CLAIM_MISSING missing');
    expect(reason({ ...base, exp: NOW })).toBe('ERR_TOKEN_EXPIRED expired');
    expect(reason({ ...base, nbf: NOW + 1 })).toBe('ERR_TOKEN_NOT_YET_VALID future');
    expect(reason({ ...base, iat: NOW + 1 })).toBe('ERR_CLAIM_INVALID future');
    expect(reason(base, rules({ maxTokenAge: 10 }))).toBe('ERR_CLAIM_MISSING missing');
    expect(reason({ ...base, iat: NOW - 11 }, rules({ maxTokenAge: 10 }))).toBe('ERR_TOKEN_TOO_OLD too_old');
    expect(reason({ exp: NOW + 60 })).toBe('ERR_AUDIENCE_INVALID missing');
    for (const aud of [[], ['orders-api', 1], 42]) expect(reason({ ...base, aud }), JSON.stringify(aud)).toBe('ERR_AUDIENCE_INVALID type');
    expect(reason({ ...base, aud: ['other'] })).toBe('ERR_AUDIENCE_INVALID mismatch');
    expect(reason({ ...base, jti: 7 })).toBe('ERR_CLAIM_INVALID type');
    expect(reason(base, rules({ requiredClaims: ['tenant'] }))).toBe('ERR_CLAIM_MISSING missing');
  });

  it('names the trusted issuer in a refusal, and none for issuer: null', () => {
    const refusal = (ruleSet: ClaimRules) => {
      try {
        validateClaims({ ...base, exp: NOW - 1 }, ruleSet, NOW);
      } catch (error) {
        return error as { issuer?: string; realm?: string };
      }
      throw new Error('accepted');
    };
    expect(refusal(rules()).issuer).toBe('https://auth.example.com');
    expect(refusal(rules({ issuer: undefined })).issuer).toBeUndefined();
  });
});

describe('servingWindow', () => {
  it('is the time during which the claims validate, short of the last instant maxTokenAge allows', () => {
    fc.assert(
      fc.property(
        fc.record({
          exp: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
          nbf: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
          iat: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
        }),
        fc.integer({ min: 0, max: 300 }),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        fc.integer({ min: -3000, max: 3000 }),
        (offsets, clockTolerance, maxTokenAge, at) => {
          const claims: Record<string, unknown> = { aud: 'orders-api' };
          for (const [name, offset] of Object.entries(offsets)) if (offset !== undefined) claims[name] = NOW + offset;
          const ruleSet = rules({ clockTolerance, maxTokenAge, requireExpiration: false });
          const now = NOW + at;
          const { from, until } = servingWindow(claims, ruleSet);
          const served = now * 1000 >= from && now * 1000 < until;
          // Missing iat under maxTokenAge is refused outright, never served: no window is asked for.
          fc.pre(maxTokenAge === undefined || offsets.iat !== undefined);
          const valid = outcome(claims, ruleSet, now) === 'ok';
          // Never served when invalid. The one valid instant left to a fresh check is the last one
          // maxTokenAge allows: validation includes it, the window's end is exclusive.
          const lastOfMaxAge = maxTokenAge !== undefined && offsets.iat !== undefined && at === offsets.iat + maxTokenAge + clockTolerance;
          if (served || !lastOfMaxAge) expect(served).toBe(valid);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is unbounded for claims without dates', () => {
    expect(servingWindow({ aud: 'x' }, rules())).toEqual({ from: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY });
  });
});
