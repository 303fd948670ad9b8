import { createTestKey, signToken } from '@jwt-gate/testing';
import type { JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, type AuthResult, type RequestView } from '../adapter.js';
import {
  AuthError,
  allOf,
  anyOf,
  authorize,
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  evaluatePolicy,
  isAuthError,
  isPolicy,
  not,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
  type Policy,
  type PolicyDecision,
  type PolicyFailure,
} from '../index.js';

const view = (headers: Record<string, string> = {}, method = 'GET'): RequestView => ({ method, header: (name) => headers[name] });
const result = (claims: JWTPayload): AuthResult => Object.freeze({ claims: Object.freeze(claims), header: { alg: 'HS256' }, issuer: 'https://auth.example.com', token: 'x.y.z' });

async function decide(policy: Policy, claims: object, request?: RequestView): Promise<PolicyDecision> {
  return evaluatePolicy(policy, claims as JWTPayload, request);
}
async function allowed(policy: Policy, claims: object, request?: RequestView): Promise<boolean> {
  return (await decide(policy, claims, request)).allowed;
}
async function failure(policy: Policy, claims: object, request?: RequestView): Promise<PolicyFailure> {
  const decision = await decide(policy, claims, request);
  if (decision.allowed) throw new Error('expected a denial');
  return decision.failure;
}
async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAuthError(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}

describe('claim paths', () => {
  it('reads a string as one exact claim name, dots and slashes included', async () => {
    const policy = requireRoles(['admin'], { claim: 'https://example.com/roles' });
    expect(await allowed(policy, { 'https://example.com/roles': ['admin'] })).toBe(true);
    expect(await failure(policy, { 'https://example': { com: { roles: ['admin'] } } })).toMatchObject({ reason: 'missing', claim: 'https://example.com/roles' });
    const dotted = claimEquals('realm_access.roles', 'x');
    expect(await allowed(dotted, { 'realm_access.roles': 'x' })).toBe(true);
    expect(await allowed(dotted, { realm_access: { roles: 'x' } })).toBe(false);
  });

  it('reads an array as a nested path of own properties', async () => {
    const policy = requireRoles(['admin'], { claim: ['realm_access', 'roles'] });
    expect(await allowed(policy, { realm_access: { roles: ['admin', 'user'] } })).toBe(true);
    expect(await allowed(policy, { 'realm_access.roles': ['admin'] })).toBe(false);
    expect(await failure(policy, { realm_access: {} })).toMatchObject({ reason: 'missing', claim: ['realm_access', 'roles'] });
    expect(await failure(policy, {})).toMatchObject({ reason: 'missing' });
    // A step through something that is not a JSON object is a type mismatch, arrays included.
    expect(await failure(policy, { realm_access: 'admin' })).toMatchObject({ reason: 'type' });
    expect(await failure(policy, { realm_access: [['admin']] })).toMatchObject({ reason: 'type' });
    expect(await failure(policy, { realm_access: null })).toMatchObject({ reason: 'type' });
    const deep = requireRoles(['reader'], { claim: ['resource_access', 'orders-api', 'roles'] });
    expect(await allowed(deep, { resource_access: { 'orders-api': { roles: ['reader'] } } })).toBe(true);
    // A one-name array is that claim.
    expect(requireRoles(['a'], { claim: ['groups'] }).rule.claims).toEqual(['groups']);
  });

  it('refuses unusable paths at creation', () => {
    for (const claim of ['', [], [''], ['a', 3], 42, null, Array.from({ length: 17 }, () => 'a'), '__proto__', ['a', '__proto__']]) {
      expect(() => requireRoles(['admin'], { claim: claim as never })).toThrow(TypeError);
      expect(() => claimEquals(claim as never, 'x')).toThrow(TypeError);
    }
    expect(() => claimEquals(Array.from({ length: 16 }, () => 'a'), 'x')).not.toThrow();
  });
});

describe('hostile claim shapes', () => {
  const inherited = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

  it('treats inherited names as absent', async () => {
    for (const name of inherited) {
      expect(await failure(claimIncludes(name, 'x'), {})).toMatchObject({ reason: 'missing' });
      expect(await failure(requireRoles(['x'], { claim: name }), {})).toMatchObject({ reason: 'missing' });
      expect(await failure(requireRoles(['x'], { claim: ['realm_access', name] }), { realm_access: {} })).toMatchObject({ reason: 'missing' });
      expect(await allowed(not(claimEquals(name, 'x')), {})).toBe(true);
    }
  });

  it('never reads through a prototype', async () => {
    const policy = requireRoles('admin');
    expect(await allowed(policy, Object.create({ roles: ['admin'] }) as object)).toBe(false);
    expect(await allowed(policy, JSON.parse('{"__proto__": {"roles": ["admin"]}}') as object)).toBe(false);
    expect(await allowed(requireRoles(['admin'], { claim: ['realm_access', 'roles'] }), { realm_access: Object.create({ roles: ['admin'] }) as object })).toBe(false);
    const bare = Object.assign(Object.create(null) as object, { roles: ['admin'] });
    expect(await allowed(policy, bare)).toBe(true);
  });

  it('denies arrays where strings are expected and the reverse, without coercing', async () => {
    expect(await failure(claimEquals('sub', 'alice'), { sub: ['alice'] })).toMatchObject({ reason: 'type' });
    expect(await failure(claimMatches('email', /@example\.com$/), { email: ['a@example.com'] })).toMatchObject({ reason: 'type' });
    expect(await failure(requireRoles('admin'), { roles: { admin: true } })).toMatchObject({ reason: 'type' });
    expect(await failure(requireRoles('admin'), { roles: [['admin']] })).toMatchObject({ reason: 'type' });
    expect(await failure(requireScopes('read'), { scope: { read: true } })).toMatchObject({ reason: 'type' });
    expect(await failure(claimIncludes('amr', 'mfa'), { amr: { 0: 'mfa', length: 1 } })).toMatchObject({ reason: 'type' });
  });

  it('bounds the work on very large arrays and strings, and denies past the bounds', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `role-${i}`);
    expect(await allowed(requireRoles('role-999'), { roles: many })).toBe(true);
    expect(await failure(requireRoles('role-0'), { roles: [...many, 'admin'] })).toMatchObject({ reason: 'too_large' });
    expect(await failure(requireRoles('admin'), { roles: new Array(1_000_000).fill('admin') })).toMatchObject({ reason: 'too_large' });
    expect(await failure(claimIncludes('groups', 'a'), { groups: new Array(5000).fill('a') })).toMatchObject({ reason: 'too_large' });
    expect(await failure(requireScopes('a'), { scope: `a ${'b'.repeat(40_000)}` })).toMatchObject({ reason: 'too_large' });
    expect(await failure(requireScopes('a'), { scope: Array.from({ length: 1001 }, () => 'a').join(' ') })).toMatchObject({ reason: 'too_large' });
    expect(await failure(requireRoles('admin'), { roles: ['admin', 'x'.repeat(40_000)] })).toMatchObject({ reason: 'too_large' });
    expect(await failure(requireRoles('admin'), { roles: 'x'.repeat(40_000) })).toMatchObject({ reason: 'too_large' });
  });
});

describe('requireScopes and requireAnyScope', () => {
  it('reads a space-separated scope string or an array', async () => {
    const policy = requireScopes('read:orders', 'write:orders');
    expect(await allowed(policy, { scope: 'profile read:orders write:orders' })).toBe(true);
    expect(await allowed(policy, { scope: '  write:orders   read:orders ' })).toBe(true);
    expect(await allowed(policy, { scope: ['write:orders', 'read:orders'] })).toBe(true);
    expect(await failure(policy, { scope: 'read:orders write:orders-all' })).toMatchObject({ reason: 'mismatch', claim: 'scope', missing: ['write:orders'] });
    expect(await failure(policy, { scope: 'READ:ORDERS WRITE:ORDERS' })).toMatchObject({ reason: 'mismatch', missing: ['read:orders', 'write:orders'] });
    expect(await failure(policy, { scope: '' })).toMatchObject({ reason: 'mismatch' });
    // A tab is not a separator (RFC 6749 §3.3).
    expect(await allowed(policy, { scope: 'read:orders\twrite:orders' })).toBe(false);
  });

  it('falls back to scp (Okta arrays, Entra strings) only when scope is absent', async () => {
    const policy = requireScopes('orders.read');
    expect(await allowed(policy, { scp: ['orders.read'] })).toBe(true);
    expect(await allowed(policy, { scp: 'openid orders.read' })).toBe(true);
    expect(await failure(policy, { scope: 'openid', scp: ['orders.read'] })).toMatchObject({ reason: 'mismatch', claim: 'scope' });
    expect(await failure(policy, { scope: 7, scp: ['orders.read'] })).toMatchObject({ reason: 'type', claim: 'scope' });
    expect(await failure(policy, { scp: [1] })).toMatchObject({ reason: 'type', claim: 'scp' });
    expect(await failure(policy, {})).toMatchObject({ reason: 'missing', claim: 'scope', missing: ['orders.read'] });
    expect(await allowed(requireScopes(['orders.read'], { claim: 'scp' }), { scope: 'orders.read' })).toBe(false);
    expect(await allowed(requireScopes(['orders.read'], { claim: ['ext', 'scopes'] }), { ext: { scopes: 'orders.read' } })).toBe(true);
  });

  it('names every required scope in the decision, whatever the failure', async () => {
    for (const claims of [{}, { scope: 'read' }, { scope: 1 }]) {
      const decision = await decide(requireScopes('read', 'write'), claims);
      expect(decision).toMatchObject({ allowed: false, scopes: ['read', 'write'] });
    }
  });

  it('requireAnyScope allows on any one of them', async () => {
    const policy = requireAnyScope('orders:admin', 'orders:write');
    expect(await allowed(policy, { scope: 'orders:write' })).toBe(true);
    expect(await allowed(policy, { scp: ['orders:admin'] })).toBe(true);
    expect(await decide(policy, { scope: 'orders:read' })).toMatchObject({ allowed: false, scopes: ['orders:admin', 'orders:write'], failure: { reason: 'mismatch' } });
    expect(await allowed(requireAnyScope(['x'], { claim: 'permissions' }), { permissions: ['x'] })).toBe(true);
  });

  it('refuses unusable scopes at creation', () => {
    for (const bad of [[], [''], ['two words'], ['quo"te'], ['back\\slash'], [3]]) {
      expect(() => requireScopes(bad as never)).toThrow(TypeError);
      expect(() => requireAnyScope(bad as never)).toThrow(TypeError);
    }
    expect(() => (requireScopes as (...args: unknown[]) => Policy)()).toThrow(TypeError);
    expect(() => (requireScopes as (...args: unknown[]) => Policy)('a', { claim: 'scp' })).toThrow(TypeError);
    expect(() => (requireScopes as (...args: unknown[]) => Policy)(['a'], 'scp')).toThrow(TypeError);
    expect(() => (requireScopes as (...args: unknown[]) => Policy)(['a'], {}, {})).toThrow(TypeError);
  });
});

describe('requireRoles and requirePermissions', () => {
  it('reads roles as an array or as one string, never split', async () => {
    expect(await allowed(requireRoles('admin'), { roles: ['user', 'admin'] })).toBe(true);
    expect(await allowed(requireRoles('admin'), { roles: 'admin' })).toBe(true);
    expect(await allowed(requireRoles('Domain Admins'), { roles: 'Domain Admins' })).toBe(true);
    expect(await allowed(requireRoles('Domain'), { roles: 'Domain Admins' })).toBe(false);
    expect(await allowed(requireRoles('admin', 'user'), { roles: ['admin'] })).toBe(false);
    expect(await failure(requireRoles('admin', 'user'), { roles: ['user'] })).toMatchObject({ reason: 'mismatch', missing: ['admin'] });
    expect(await allowed(requireRoles('admin'), { roles: ['Admin'] })).toBe(false);
  });

  it('denies roles of the wrong type', async () => {
    for (const roles of [true, 1, null, { 0: 'admin' }, ['admin', 1], ['admin', null]]) {
      expect(await failure(requireRoles('admin'), { roles })).toMatchObject({ reason: 'type', claim: 'roles' });
    }
  });

  it('reads groups, namespaced and nested claims, and permissions', async () => {
    expect(await allowed(requireRoles(['staff'], { claim: 'groups' }), { groups: ['staff'] })).toBe(true);
    expect(await allowed(requireRoles(['staff'], { claim: 'groups' }), { roles: ['staff'] })).toBe(false);
    expect(await allowed(requireRoles(['admin'], { claim: 'cognito:groups' }), { 'cognito:groups': ['admin'] })).toBe(true);
    expect(await allowed(requirePermissions('read:invoices', 'pay:invoices'), { permissions: ['pay:invoices', 'read:invoices'] })).toBe(true);
    expect(await failure(requirePermissions('pay:invoices'), { permissions: ['read:invoices'] })).toMatchObject({ reason: 'mismatch', claim: 'permissions' });
    expect(await allowed(requirePermissions(['x'], { claim: 'https://example.com/permissions' }), { 'https://example.com/permissions': ['x'] })).toBe(true);
    // Roles and permissions are not scopes: no scope hint.
    expect(await decide(requireRoles('admin'), {})).toMatchObject({ allowed: false, scopes: [] });
  });
});

describe('claimEquals', () => {
  it('compares type and value, never coercing', async () => {
    expect(await allowed(claimEquals('email_verified', true), { email_verified: true })).toBe(true);
    expect(await failure(claimEquals('email_verified', true), { email_verified: 'true' })).toMatchObject({ reason: 'type' });
    expect(await failure(claimEquals('email_verified', false), { email_verified: 'false' })).toMatchObject({ reason: 'type' });
    expect(await failure(claimEquals('email_verified', true), { email_verified: 1 })).toMatchObject({ reason: 'type' });
    expect(await failure(claimEquals('tier', 1), { tier: '1' })).toMatchObject({ reason: 'type' });
    expect(await failure(claimEquals('tier', '1'), { tier: 1 })).toMatchObject({ reason: 'type' });
    expect(await failure(claimEquals('tier', 1), { tier: 2 })).toMatchObject({ reason: 'mismatch' });
    expect(await allowed(claimEquals('deleted', null), { deleted: null })).toBe(true);
    expect(await failure(claimEquals('deleted', null), {})).toMatchObject({ reason: 'missing' });
    expect(await failure(claimEquals('deleted', null), { deleted: {} })).toMatchObject({ reason: 'type' });
    expect(await allowed(claimEquals(['org', 'id'], 'acme'), { org: { id: 'acme' } })).toBe(true);
  });

  it('refuses values that are not JSON primitives at creation', () => {
    for (const value of [undefined, {}, [], Number.NaN, Number.POSITIVE_INFINITY, 1n, Symbol('x'), () => true]) {
      expect(() => claimEquals('x', value as never)).toThrow(TypeError);
      expect(() => claimIncludes('x', value as never)).toThrow(TypeError);
    }
  });
});

describe('claimIncludes', () => {
  it('requires every value, from an array or a single value', async () => {
    expect(await allowed(claimIncludes('amr', 'mfa'), { amr: ['pwd', 'mfa'] })).toBe(true);
    expect(await allowed(claimIncludes('aud', 'orders-api', 'billing-api'), { aud: ['billing-api', 'orders-api'] })).toBe(true);
    expect(await failure(claimIncludes('aud', 'orders-api', 'billing-api'), { aud: 'orders-api' })).toMatchObject({ reason: 'mismatch', missing: ['billing-api'] });
    expect(await allowed(claimIncludes('aud', 'orders-api'), { aud: 'orders-api' })).toBe(true);
    expect(await allowed(claimIncludes('levels', 2, 3), { levels: [1, 2, 3] })).toBe(true);
    expect(await allowed(claimIncludes('mixed', 'a', 1), { mixed: [1, 'a'] })).toBe(true);
    expect(await failure(claimIncludes('amr', 'mfa'), {})).toMatchObject({ reason: 'missing', missing: ['mfa'] });
  });

  it('denies entries of other types than the values asked for', async () => {
    expect(await failure(claimIncludes('ids', '1'), { ids: [1] })).toMatchObject({ reason: 'type' });
    expect(await failure(claimIncludes('ids', 1), { ids: ['1'] })).toMatchObject({ reason: 'type' });
    expect(await failure(claimIncludes('ids', 'a'), { ids: ['a', { a: 1 }] })).toMatchObject({ reason: 'type' });
    expect(await failure(claimIncludes('flags', true), { flags: 'true' })).toMatchObject({ reason: 'type' });
  });
});

describe('claimMatches', () => {
  it('matches string claims only, up to maxLength', async () => {
    const policy = claimMatches('email', /@example\.com$/i);
    expect(await allowed(policy, { email: 'alice@EXAMPLE.com' })).toBe(true);
    expect(await failure(policy, { email: 'alice@example.com.evil' })).toMatchObject({ reason: 'mismatch' });
    expect(await failure(policy, { email: 5 })).toMatchObject({ reason: 'type' });
    expect(await failure(policy, {})).toMatchObject({ reason: 'missing' });
    expect(await failure(policy, { email: `${'a'.repeat(300)}@example.com` })).toMatchObject({ reason: 'too_large' });
    expect(await allowed(claimMatches('email', /@example\.com$/, { maxLength: 1024 }), { email: `${'a'.repeat(1000)}@example.com` })).toBe(true);
    expect(await failure(claimMatches('sub', /^a/, { maxLength: 3 }), { sub: 'abcd' })).toMatchObject({ reason: 'too_large' });
    expect(policy.rule).toEqual({ kind: 'claimMatches', claim: 'email', pattern: '/@example\\.com$/i' });
  });

  it('refuses stateful flags and keeps its own copy of the pattern', async () => {
    expect(() => claimMatches('sub', /a/g)).toThrow(TypeError);
    expect(() => claimMatches('sub', /a/y)).toThrow(TypeError);
    expect(() => claimMatches('sub', 'a' as never)).toThrow(TypeError);
    const pattern = /^alice$/;
    const policy = claimMatches('sub', pattern);
    pattern.compile?.('^mallory$');
    for (let i = 0; i < 3; i++) expect(await allowed(policy, { sub: 'alice' })).toBe(true);
    expect(await allowed(policy, { sub: 'mallory' })).toBe(false);
  });

  it('refuses patterns that can backtrack badly', () => {
    /* eslint-disable regexp/no-super-linear-backtracking, regexp/no-super-linear-move, regexp/no-dupe-disjunctions -- the patterns the checker must refuse */
    const refused = [
      /^(a+)+$/,
      /(a*)*b/,
      /^(a|a)*$/,
      /^(a|b)+$/,
      /^[a-z]+(\.[a-z]+)*$/,
      /^(?:a+){2}$/,
      /^(a?){25}a{25}$/,
      /^(?<word>\w+\s?)*$/,
      /^((ab)*c)+$/,
      /(a)\1/,
      /(?<x>a)\k<x>/,
      /^a*a*a*a*$/,
      /a*a*a*/,
      /^a+|b+c+d+/,
      /^\d+\d+\d+$\n?/m,
      // Without u or v, \p, \P and \u are plain letters and their braces a quantifier: (p+)+.
      new RegExp('^(\\p{1,})+$'),
      new RegExp('^(\\P{1,})+$'),
      new RegExp('^(x\\u{2,})*$'),
      new RegExp('^(\\p{1})+$', 'i'),
    ];
    /* eslint-enable regexp/no-super-linear-backtracking, regexp/no-super-linear-move, regexp/no-dupe-disjunctions */
    for (const pattern of refused) expect(() => claimMatches('sub', pattern), String(pattern)).toThrow(TypeError);
  });

  it('accepts patterns that stay cheap', () => {
    const accepted = [
      /@example\.com$/,
      /^[^@]+@[^@]+\.[a-z]+$/,
      /^(read|write):orders$/,
      /^[a-z(|)*+]+$/,
      /^[\]a-z]+\d+$/,
      /^\u{1F600}+$/u,
      /^\p{L}+\p{N}*$/u,
      /^a{2,3}b{4}$/,
      /^(?<org>[a-z]+)-(?:eu|us)$/,
      /^(?:ab)?c+$/,
      /(?=x)y+/,
      /^a\{1,2\}+$/,
      new RegExp('^[[a-z]--[aeiou]]+$', 'v'),
      /^auth0\|[0-9a-f]{24}$/,
    ];
    for (const pattern of accepted) expect(() => claimMatches('sub', pattern), String(pattern)).not.toThrow();
  });

  it('allows fewer repetitions when maxLength goes above 256', () => {
    expect(() => claimMatches('sub', /^a*b*c*$/)).not.toThrow();
    expect(() => claimMatches('sub', /^a*b*c*$/, { maxLength: 257 })).toThrow(TypeError);
    expect(() => claimMatches('sub', /^a*b*$/, { maxLength: 1024 })).not.toThrow();
    expect(() => claimMatches('sub', /a*b*/, { maxLength: 1024 })).toThrow(TypeError);
  });

  it('refuses unusable maxLength values', () => {
    for (const maxLength of [0, -1, 1.5, 1025, Number.NaN, '256']) {
      expect(() => claimMatches('sub', /a/, { maxLength: maxLength as never })).toThrow(RangeError);
    }
  });
});

describe('claimCheck', () => {
  it('passes the claims and the request to sync and async predicates', async () => {
    const sameTenant = claimCheck((claims, request) => claims['tenant'] === request?.header('x-tenant'));
    expect(await allowed(sameTenant, { tenant: 'acme' }, view({ 'x-tenant': 'acme' }))).toBe(true);
    expect(await failure(sameTenant, { tenant: 'acme' }, view({ 'x-tenant': 'evil' }))).toMatchObject({ reason: 'mismatch', rule: { kind: 'claimCheck', name: 'claimCheck' } });
    const later = claimCheck(async (claims) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return claims.sub === 'alice';
    });
    expect(await allowed(later, { sub: 'alice' })).toBe(true);
    expect(await allowed(later, { sub: 'bob' })).toBe(false);
  });

  it('denies any answer but a boolean', async () => {
    for (const answer of ['true', 1, undefined, null, {}, Promise.resolve('yes')]) {
      const check = claimCheck((() => answer) as never);
      const denied = await failure(check, {});
      expect(denied.reason).toBe('error');
      expect(denied.cause).toBeInstanceOf(TypeError);
      expect(await allowed(not(check), {})).toBe(false);
    }
  });

  it('turns a throw or a rejection into a denial carrying the cause', async () => {
    const boom = new Error('database down');
    function accountActive(): boolean {
      throw boom;
    }
    const thrown = await failure(claimCheck(accountActive), {});
    expect(thrown).toMatchObject({ reason: 'error', cause: boom, rule: { kind: 'claimCheck', name: 'accountActive' } });
    const rejected = await failure(claimCheck(() => Promise.reject(boom), { name: 'active-account' }), {});
    expect(rejected).toMatchObject({ reason: 'error', cause: boom, rule: { name: 'active-account' } });
    // Never an accept through negation or an alternative that also fails.
    expect(await allowed(not(claimCheck(accountActive)), {})).toBe(false);
    expect(await failure(anyOf(claimCheck(accountActive), requireRoles('admin')), {})).toMatchObject({ reason: 'error' });
    expect(await allowed(anyOf(claimCheck(accountActive), requireRoles('admin')), { roles: ['admin'] })).toBe(true);
  });

  it('lets an AuthError thrown by a predicate through', async () => {
    const revoked = claimCheck(() => {
      throw new AuthError('ERR_TOKEN_REVOKED');
    });
    await expect(evaluatePolicy(revoked, {})).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    const error = await rejection(authorize(not(revoked), result({}), { realm: 'orders' }));
    expect(error).toMatchObject({ code: 'ERR_TOKEN_REVOKED', status: 401, realm: 'orders' });
  });

  it('refuses a predicate that is not a function', () => {
    expect(() => claimCheck('true' as never)).toThrow(TypeError);
    expect(() => claimCheck(() => true, { name: 3 as never })).toThrow(TypeError);
  });
});

describe('allOf, anyOf, not', () => {
  const admin = requireRoles('admin');
  const verified = claimEquals('email_verified', true);

  it('allOf allows when all allow, reporting the first denial and stopping there', async () => {
    const calls: string[] = [];
    const spy = (name: string, answer: boolean) => claimCheck(() => (calls.push(name), answer), { name });
    expect(await allowed(allOf(admin, verified), { roles: ['admin'], email_verified: true })).toBe(true);
    expect(await failure(allOf(admin, verified), { roles: ['admin'], email_verified: false })).toMatchObject({ reason: 'mismatch', rule: verified.rule });
    expect(await allowed(allOf(spy('a', true), spy('b', false), spy('c', true)), {})).toBe(false);
    expect(calls).toEqual(['a', 'b']);
  });

  it('anyOf allows on the first that allows, and lists every failure otherwise', async () => {
    const calls: string[] = [];
    const spy = (name: string, answer: boolean) => claimCheck(async () => (calls.push(name), answer), { name });
    expect(await allowed(anyOf(spy('a', false), spy('b', true), spy('c', true)), {})).toBe(true);
    expect(calls).toEqual(['a', 'b']);
    const denied = await decide(anyOf(requireScopes('orders:write'), admin, requireAnyScope('orders:admin', 'orders:write')), { scope: 'orders:read' });
    expect(denied).toMatchObject({
      allowed: false,
      scopes: ['orders:write', 'orders:admin'],
      failure: { reason: 'mismatch', rule: { kind: 'anyOf' }, failures: [{ rule: { kind: 'requireScopes' } }, { reason: 'missing' }, { rule: { kind: 'requireAnyScope' } }] },
    });
  });

  it('not flips plain answers, and keeps undecided ones denied', async () => {
    expect(await allowed(not(admin), { roles: ['user'] })).toBe(true);
    expect(await allowed(not(admin), {})).toBe(true);
    expect(await failure(not(admin), { roles: ['admin'] })).toMatchObject({ reason: 'negated', rule: { kind: 'not', of: [admin.rule] } });
    expect(await decide(not(not(admin)), { roles: ['admin'] })).toEqual({ allowed: true });
    // Undecided: wrong type, too large, predicate error. Never an accept.
    expect(await failure(not(claimEquals('suspended', true)), { suspended: 'true' })).toMatchObject({ reason: 'type' });
    expect(await failure(not(requireRoles('banned')), { roles: new Array(5000).fill('user') })).toMatchObject({ reason: 'too_large' });
    expect(await failure(not(requireRoles('banned')), { roles: { banned: true } })).toMatchObject({ reason: 'type' });
    expect(await failure(not(anyOf(requireRoles('banned'), claimEquals('locked', true))), { roles: 7 })).toMatchObject({ reason: 'type' });
    expect(await failure(not(allOf(admin, claimEquals('locked', true))), { roles: ['admin'], locked: 'yes' })).toMatchObject({ reason: 'type' });
  });

  it('nests, sync and async mixed', async () => {
    const policy = allOf(
      anyOf(requireRoles('admin'), allOf(requireScopes('orders:write'), claimCheck(async (claims) => claims['tenant'] === 'acme'))),
      not(claimEquals('suspended', true)),
      claimMatches('email', /@example\.com$/),
    );
    const base = { email: 'a@example.com', suspended: false };
    expect(await allowed(policy, { ...base, roles: ['admin'] })).toBe(true);
    expect(await allowed(policy, { ...base, scope: 'orders:write', tenant: 'acme' })).toBe(true);
    expect(await allowed(policy, { ...base, scope: 'orders:write', tenant: 'other' })).toBe(false);
    expect(await allowed(policy, { ...base, roles: ['admin'], suspended: true })).toBe(false);
    expect(await allowed(policy, { ...base, roles: ['admin'], email: 'a@evil.com' })).toBe(false);
    expect(await decide(policy, { ...base, scope: 'orders:read' })).toMatchObject({ allowed: false, scopes: ['orders:write'] });
  });

  it('refuses anything but policies at creation', () => {
    expect(() => (allOf as (...args: unknown[]) => Policy)()).toThrow(TypeError);
    expect(() => (anyOf as (...args: unknown[]) => Policy)()).toThrow(TypeError);
    expect(() => allOf(admin, { rule: { kind: 'allOf' } } as never)).toThrow(TypeError);
    expect(() => anyOf(admin, (() => true) as never)).toThrow(TypeError);
    expect(() => not(null as never)).toThrow(TypeError);
  });
});

describe('policy values', () => {
  it('are frozen, described, and copied from their inputs', async () => {
    const roles = ['admin'];
    const path = ['realm_access', 'roles'];
    const policy = requireRoles(roles, { claim: path });
    roles.push('user');
    path[1] = 'groups';
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rule)).toBe(true);
    expect(Object.isFrozen(policy.rule.claims)).toBe(true);
    expect(policy.rule).toEqual({ kind: 'requireRoles', claims: [['realm_access', 'roles']], values: ['admin'] });
    expect(await allowed(policy, { realm_access: { roles: ['admin'] } })).toBe(true);
    expect(() => {
      (policy as { rule: unknown }).rule = {};
    }).toThrow(TypeError);
    expect(allOf(policy, not(requireScopes('a'))).rule).toEqual({
      kind: 'allOf',
      of: [policy.rule, { kind: 'not', of: [{ kind: 'requireScopes', claims: ['scope', 'scp'], values: ['a'] }] }],
    });
  });

  it('are recognised, and cannot be forged', async () => {
    expect(isPolicy(requireScopes('a'))).toBe(true);
    expect(isPolicy({ rule: requireScopes('a').rule })).toBe(false);
    expect(isPolicy(null)).toBe(false);
    await expect(evaluatePolicy({ rule: { kind: 'claimCheck' } } as never, {})).rejects.toThrow(TypeError);
    await expect(evaluatePolicy(requireScopes('a'), null as never)).rejects.toThrow(TypeError);
    await expect(evaluatePolicy(requireScopes('a'), ['scope'] as never)).rejects.toThrow(TypeError);
  });

  it('deny rather than crash on claims that throw when read', async () => {
    const claims = Object.defineProperty({}, 'roles', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(await failure(requireRoles('admin'), claims)).toMatchObject({ reason: 'error' });
  });
});

describe('authorize', () => {
  it('resolves when the policy allows', async () => {
    await expect(authorize(requireScopes('read'), result({ scope: 'read' }))).resolves.toBeUndefined();
  });

  it('denies with 403 insufficient_scope naming the scopes required', async () => {
    const error = await rejection(authorize(requireScopes('read:orders', 'write:orders'), result({ scope: 'read:orders' }), { realm: 'orders' }));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403, expose: true, error: 'insufficient_scope', reason: 'mismatch', claim: 'scope' });
    expect(error.headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="orders", error="insufficient_scope", error_description="Insufficient scope", scope="read:orders write:orders"',
    });
    expect(error.body).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(error.scope).toEqual(['read:orders', 'write:orders']);
    expect(error.details).toMatchObject({ reason: 'mismatch', claim: 'scope', missing: ['write:orders'], rule: { kind: 'requireScopes' } });
  });

  it('leaves scope out of the challenge when no scope rule was involved', async () => {
    const roles = await rejection(authorize(requireRoles('admin'), result({ roles: ['user'] })));
    expect(roles.challenge).toBe('Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"');
    const negated = await rejection(authorize(not(requireScopes('guest')), result({ scope: 'guest' })));
    expect(negated.challenge).toBe('Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"');
    const nested = await rejection(authorize(requireRoles(['admin'], { claim: ['realm_access', 'roles'] }), result({})));
    expect(nested).toMatchObject({ claim: 'realm_access.roles', reason: 'missing' });
  });

  it('never echoes claim values or attacker text', async () => {
    const hostile = 'x", error="invalid_token", scope="admin\r\nSet-Cookie: a=b';
    const claims = { sub: hostile, roles: [hostile], scope: hostile, tenant: hostile };
    const policies: Policy[] = [
      requireScopes('admin'),
      requireRoles('admin'),
      claimEquals('sub', 'alice'),
      claimMatches('sub', /^alice$/, { maxLength: 1024 }),
      claimIncludes('roles', 'admin'),
      anyOf(requireRoles('admin'), claimEquals('tenant', 'acme')),
    ];
    for (const policy of policies) {
      const error = await rejection(authorize(policy, result(claims)));
      for (const text of [error.message, error.challenge, JSON.stringify(error.body), JSON.stringify(error.details)]) {
        expect(text).not.toContain('Set-Cookie');
        expect(text).not.toContain('invalid_token');
      }
    }
  });

  it('refuses an anonymous request with a bare 401 challenge', async () => {
    for (const auth of [null, undefined]) {
      const error = await rejection(authorize(requireScopes('read'), auth, { realm: 'orders' }));
      expect(error).toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401, challenge: 'Bearer realm="orders"' });
    }
  });

  it('answers a throwing predicate with 403, keeping the cause for logs', async () => {
    const boom = new Error('database down');
    const error = await rejection(
      authorize(
        claimCheck(() => {
          throw boom;
        }),
        result({}),
      ),
    );
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403, reason: 'error', cause: boom, details: { reason: 'error', cause: boom } });
    expect(error.message).not.toContain('database');
  });
});

describe('createAuthenticator({ policy })', async () => {
  const issuer = 'https://auth.example.com';
  const audience = 'orders-api';
  const key = await createTestKey('HS256');
  const secret = key.secret as string;
  const token = (claims: JWTPayload, options?: { expiresIn?: number }) => signToken(key, { iss: issuer, aud: audience, sub: 'alice', ...claims }, options);
  const bearer = async (claims: JWTPayload, headers: Record<string, string> = {}) => view({ authorization: `Bearer ${await token(claims)}`, ...headers });

  it('enforces the policy after verification, with the verifier realm', async () => {
    const auth = createAuthenticator({ issuer, audience, secret, realm: 'orders', policy: requireScopes('orders:read') });
    await expect(auth.authenticate(await bearer({ scope: 'orders:read' }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    const error = await rejection(auth.authenticate(await bearer({ scope: 'profile' })));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 });
    expect(error.challenge).toBe('Bearer realm="orders", error="insufficient_scope", error_description="Insufficient scope", scope="orders:read"');
  });

  it('passes the request view to predicates', async () => {
    const auth = createAuthenticator({ issuer, audience, secret, policy: claimCheck((claims, request) => claims['tenant'] === request?.header('x-tenant')) });
    await expect(auth.authenticate(await bearer({ tenant: 'acme' }, { 'x-tenant': 'acme' }))).resolves.toMatchObject({ claims: { tenant: 'acme' } });
    await expect(auth.authenticate(await bearer({ tenant: 'acme' }, { 'x-tenant': 'evil' }))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE' });
  });

  it('runs the policy only on tokens that verified and were not revoked', async () => {
    const seen: unknown[] = [];
    const policy = claimCheck((claims) => (seen.push(claims.sub), true));
    const auth = createAuthenticator({ issuer, audience, secret, policy, isRevoked: (t) => t.claims.sub === 'revoked' });
    const other = await createTestKey('HS256');
    await expect(auth.authenticate(view({ authorization: `Bearer ${await signToken(other, { iss: issuer, aud: audience, sub: 'forged' })}` }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(auth.authenticate(view({ authorization: `Bearer ${await token({ sub: 'late' }, { expiresIn: -60 })}` }))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    await expect(auth.authenticate(await bearer({ sub: 'revoked' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    expect(seen).toEqual([]);
    await auth.authenticate(await bearer({}));
    expect(seen).toEqual(['alice']);
  });

  it('skips anonymous requests in optional mode, but not tokens that fail it', async () => {
    const auth = createAuthenticator({ issuer, audience, secret, optional: true, policy: requireRoles('admin') });
    await expect(auth.authenticate(view())).resolves.toBeNull();
    await expect(auth.authenticate(await bearer({ roles: ['user'] }))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403 });
    await expect(auth.authenticate(await bearer({ roles: ['admin'] }))).resolves.toMatchObject({ claims: { roles: ['admin'] } });
  });

  it('refuses a policy that is not one at creation', () => {
    for (const policy of [{ rule: { kind: 'requireRoles' } }, () => true, 'admin', null]) {
      expect(() => createAuthenticator({ issuer, audience, secret, policy: policy as never })).toThrow(TypeError);
    }
  });
});
