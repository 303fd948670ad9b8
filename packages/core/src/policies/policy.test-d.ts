import type { JWTPayload } from 'jose';
import { describe, expectTypeOf, it } from 'vitest';
import { createAuthenticator, createGuard, sessionResult, type AuthResult, type AuthSession, type Authenticator, type Guard, type RequestView } from '../adapter.js';
import {
  allOf,
  anyOf,
  authorize,
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  evaluatePolicy,
  not,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
  type Policy,
  type PolicyDecision,
  type PolicyFailure,
} from '../index.js';

interface Claims extends JWTPayload {
  tenant: string;
  roles: string[];
}

interface OtherClaims extends JWTPayload {
  tenant: number;
}

declare const options: { issuer: string; audience: string; secret: string };

describe('Policy<TClaims>', () => {
  it('fits where a policy over more claims is expected, never the reverse', () => {
    expectTypeOf<Policy>().toExtend<Policy<Claims>>();
    expectTypeOf<Policy<Claims>>().not.toExtend<Policy>();
    expectTypeOf<Policy<OtherClaims>>().not.toExtend<Policy<Claims>>();
    expectTypeOf(requireScopes('a')).toExtend<Policy<Claims>>();
  });

  it('is read-only', () => {
    const policy = requireRoles('admin');
    // @ts-expect-error rule is readonly
    policy.rule = requireRoles('user').rule;
    expectTypeOf(policy.rule.kind).toEqualTypeOf<
      'requireScopes' | 'requireAnyScope' | 'requireRoles' | 'requirePermissions' | 'claimEquals' | 'claimIncludes' | 'claimMatches' | 'claimCheck' | 'allOf' | 'anyOf' | 'not'
    >();
  });
});

describe('helpers', () => {
  it('take values as arguments, or one array and options', () => {
    expectTypeOf(requireScopes('read', 'write')).toEqualTypeOf<Policy>();
    expectTypeOf(requireAnyScope(['read'], { claim: 'scp' })).toEqualTypeOf<Policy>();
    expectTypeOf(requireRoles(['admin'], { claim: ['realm_access', 'roles'] })).toEqualTypeOf<Policy>();
    expectTypeOf(requirePermissions(['read:invoices'])).toEqualTypeOf<Policy>();
    // @ts-expect-error at least one value
    requireScopes();
    // @ts-expect-error options only follow an array
    requireRoles('admin', { claim: 'groups' });
    // @ts-expect-error a claim path is a string or an array of strings
    requireRoles(['admin'], { claim: 3 });
  });

  it('compare claims with JSON primitives only', () => {
    claimEquals('email_verified', true);
    claimEquals(['org', 'id'], 'acme');
    claimEquals('deleted', null);
    claimIncludes('amr', 'mfa', 'pwd');
    // @ts-expect-error not a JSON primitive
    claimEquals('org', { id: 'acme' });
    // @ts-expect-error undefined is not a claim value
    claimEquals('org', undefined);
    // @ts-expect-error at least one value
    claimIncludes('amr');
    // @ts-expect-error a RegExp, not a string
    claimMatches('email', '@example.com$');
    claimMatches('email', /@example\.com$/, { maxLength: 512 });
  });

  it('give predicates the claims type and the request', () => {
    claimCheck<Claims>((claims, request) => {
      expectTypeOf(claims).toEqualTypeOf<Claims>();
      expectTypeOf(claims.tenant).toEqualTypeOf<string>();
      expectTypeOf(request).toEqualTypeOf<RequestView | undefined>();
      return true;
    });
    expectTypeOf(claimCheck((claims: Claims) => claims.tenant === 'acme')).toEqualTypeOf<Policy<Claims>>();
    expectTypeOf(claimCheck(async (claims: Claims) => claims.roles.includes('admin'))).toEqualTypeOf<Policy<Claims>>();
    // @ts-expect-error a predicate answers a boolean
    claimCheck(() => 'yes');
  });
});

describe('combinators', () => {
  it('infer the most specific claims type of their parts', () => {
    const policy = allOf(requireRoles('admin'), claimCheck((claims: Claims) => claims.tenant === 'acme'));
    expectTypeOf(policy).toEqualTypeOf<Policy<Claims>>();
    expectTypeOf(anyOf(requireScopes('a'), not(claimCheck((claims: Claims) => claims.roles.length > 0)))).toEqualTypeOf<Policy<Claims>>();
    // @ts-expect-error at least one policy
    allOf();
  });

  it('pass an expected claims type down to nested predicates', () => {
    const policy: Policy<Claims> = allOf(
      requireRoles('admin'),
      anyOf(
        not(claimEquals('suspended', true)),
        claimCheck((claims) => {
          expectTypeOf(claims).toEqualTypeOf<Claims>();
          return claims.tenant === 'acme';
        }),
      ),
    );
    expectTypeOf(policy).toEqualTypeOf<Policy<Claims>>();
  });

  it('refuse policies over claims that contradict each other', () => {
    // @ts-expect-error tenant is a string in one and a number in the other
    const mixed: Policy<Claims> = allOf(claimCheck((claims: Claims) => claims.tenant === ''), claimCheck((claims: OtherClaims) => claims.tenant === 0));
    expectTypeOf(mixed).toEqualTypeOf<Policy<Claims>>();
  });
});

describe('evaluation', () => {
  it('returns a decision that narrows on allowed', async () => {
    const decision = await evaluatePolicy(requireScopes('a'), { scope: 'a' });
    expectTypeOf(decision).toEqualTypeOf<PolicyDecision>();
    if (!decision.allowed) {
      expectTypeOf(decision.failure).toEqualTypeOf<PolicyFailure>();
      expectTypeOf(decision.scopes).toEqualTypeOf<readonly string[]>();
    } else {
      // @ts-expect-error an allowed decision has no failure
      void decision.failure;
    }
  });

  it('authorize takes a result of the policy claims type, or nothing', async () => {
    const policy = claimCheck((claims: Claims) => claims.tenant === 'acme');
    expectTypeOf(authorize(policy, {} as AuthResult<Claims> | undefined)).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error the claims do not carry tenant
    await authorize(policy, {} as AuthResult);
    // @ts-expect-error claims of the policy type
    await evaluatePolicy(policy, { sub: 'x' });
  });
});

describe('createAuthenticator({ policy })', () => {
  it('checks the policy against the declared claims type', () => {
    const auth = createAuthenticator<Claims>({
      ...options,
      policy: allOf(
        requireScopes('orders:read'),
        claimCheck((claims, request) => {
          expectTypeOf(claims).toEqualTypeOf<Claims>();
          return claims.tenant === request?.header('x-tenant');
        }),
      ),
    });
    expectTypeOf(auth).toEqualTypeOf<Authenticator<Claims>>();
    expectTypeOf(auth.authenticate).returns.toEqualTypeOf<Promise<AuthResult<Claims> | null>>();
    // @ts-expect-error a policy over contradicting claims
    createAuthenticator<Claims>({ ...options, policy: claimCheck((claims: OtherClaims) => claims.tenant === 1) });
  });

  it('infers the claims type from the policy', () => {
    const auth = createAuthenticator({ ...options, policy: claimCheck((claims: Claims) => claims.roles.includes('admin')) });
    expectTypeOf(auth).toEqualTypeOf<Authenticator<Claims>>();
    expectTypeOf(createAuthenticator({ ...options, policy: requireScopes('a') })).toEqualTypeOf<Authenticator>();
  });
});

describe('createGuard', () => {
  it('resolves with a result of the policy claims type, and marks handlers as policies', () => {
    const guard = createGuard(claimCheck((claims: Claims) => claims.tenant === 'acme'));
    expectTypeOf(guard).toEqualTypeOf<Guard<Claims>>();
    expectTypeOf(guard.check(undefined)).toEqualTypeOf<Promise<AuthResult<Claims>>>();
    const handler = guard.attach((request: { url: string }, next: () => void) => next());
    expectTypeOf(handler).toExtend<Policy<Claims>>();
    expectTypeOf(handler).parameters.toEqualTypeOf<[{ url: string }, () => void]>();
    expectTypeOf(allOf(handler, requireRoles('admin'))).toEqualTypeOf<Policy<Claims>>();
  });

  it('reads back a result typed with the claims of the session', () => {
    expectTypeOf(sessionResult({} as AuthSession<Claims>)).toEqualTypeOf<AuthResult<Claims>>();
    expectTypeOf(sessionResult(undefined)).toEqualTypeOf<AuthResult>();
  });
});
