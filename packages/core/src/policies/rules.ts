// The rules policies are built from: scopes, roles and permissions; claim values and patterns;
// custom checks. Each helper checks its arguments once and returns an immutable policy value.

import type { JWTPayload } from 'jose';
import { isScopeToken } from '../errors/challenge.js';
import { isAuthError } from '../errors/auth-error.js';
import { checkPath, MAX_VALUES, readClaim, stringList, type ClaimPath } from './claim-reads.js';
import { ALLOW, define, deny, NO_SCOPES, type ClaimCheckOptions, type ClaimOptions, type ClaimPredicate, type ClaimValue, type MatchOptions, type Policy, type PolicyDecision, type PolicyKind, type PolicyRule } from './policy.js';
import { compilePattern, DEFAULT_INPUT, MAX_INPUT, maxDegree } from './regex-check.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

type ListArgs = readonly unknown[];

const SCOPE_CLAIMS: readonly ClaimPath[] = Object.freeze(['scope', 'scp']);
const ROLE_CLAIMS: readonly ClaimPath[] = Object.freeze(['roles']);
const PERMISSION_CLAIMS: readonly ClaimPath[] = Object.freeze(['permissions']);

function parseList(kind: PolicyKind, args: ListArgs, scopes: boolean): { values: string[]; options: ClaimOptions } {
  let values: unknown[];
  let options: unknown = {};
  if (Array.isArray(args[0])) {
    if (args.length > 2) throw new TypeError(`${kind}: pass the values as arguments, or one array followed by options`);
    values = [...(args[0] as unknown[])];
    options = args[1] ?? {};
  } else {
    values = [...args];
  }
  if (typeof options !== 'object' || options === null) throw new TypeError(`${kind}: options must be an object`);
  if (values.length === 0) throw new TypeError(`${kind}: name at least one value`);
  for (const value of values) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${kind}: every value must be a non-empty string`);
    // Scopes travel in the challenge's `scope` parameter (RFC 6750 §3), so they must fit it.
    if (scopes && !isScopeToken(value)) throw new TypeError(`${kind}: a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)`);
  }
  return { values: [...new Set(values as string[])], options: options as ClaimOptions };
}

function listRule<TClaims extends JWTPayload>(kind: PolicyKind, args: ListArgs, defaults: readonly ClaimPath[], scopes: boolean, any: boolean): Policy<TClaims> {
  const { values, options } = parseList(kind, args, scopes);
  const sources = options.claim === undefined ? defaults : [checkPath(options.claim, kind)];
  const required = new Set(values);
  const named = scopes ? Object.freeze([...values]) : NO_SCOPES;
  const rule: PolicyRule = { kind, claims: sources, values };

  return define<TClaims>(rule, (claims) => {
    let claim = sources[0] as ClaimPath;
    let read = readClaim(claims, claim);
    // Only an absent claim falls through to the next one: a `scope` of the wrong type denies.
    for (let i = 1; !read.found && read.reason === 'missing' && i < sources.length; i++) {
      claim = sources[i] as ClaimPath;
      read = readClaim(claims, claim);
    }
    if (!read.found) return deny({ rule, reason: read.reason, claim: read.reason === 'missing' ? (sources[0] as ClaimPath) : claim, missing: values }, named);
    const list = stringList(read.value, scopes);
    if (!list.ok) return deny({ rule, reason: list.reason, claim }, named);
    if (any) {
      for (const value of list.values) if (required.has(value)) return ALLOW;
      return deny({ rule, reason: 'mismatch', claim, missing: values }, named);
    }
    const held = new Set<string>();
    for (const value of list.values) {
      if (required.has(value)) {
        held.add(value);
        if (held.size === required.size) return ALLOW;
      }
    }
    return deny({ rule, reason: 'mismatch', claim, missing: values.filter((value) => !held.has(value)) }, named);
  });
}

/**
 * Requires every one of the given OAuth scopes. Scopes are read from `scope`, or from `scp`
 * when `scope` is absent (Okta, Entra ID), each a space-separated string or an array of strings.
 * A denial names the scopes in the challenge: `scope="read:orders write:orders"`.
 *
 * @example
 * ```ts
 * jwtAuth({ issuer, audience, jwksUri, policy: requireScopes('read:orders') });
 * requireScopes(['orders.write'], { claim: 'scp' });
 * ```
 */
export function requireScopes<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): Policy<TClaims>;
export function requireScopes<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): Policy<TClaims>;
export function requireScopes<TClaims extends JWTPayload = JWTPayload>(...args: ListArgs): Policy<TClaims> {
  return listRule<TClaims>('requireScopes', args, SCOPE_CLAIMS, true, false);
}

/**
 * Requires at least one of the given OAuth scopes, read as by {@link requireScopes}. A denial
 * names them all in the challenge.
 *
 * @example
 * ```ts
 * requireAnyScope('orders:admin', 'orders:write');
 * ```
 */
export function requireAnyScope<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): Policy<TClaims>;
export function requireAnyScope<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): Policy<TClaims>;
export function requireAnyScope<TClaims extends JWTPayload = JWTPayload>(...args: ListArgs): Policy<TClaims> {
  return listRule<TClaims>('requireAnyScope', args, SCOPE_CLAIMS, true, true);
}

/**
 * Requires every one of the given roles, from the `roles` claim (or `options.claim`): an array
 * of strings, or one string holding a single role (never split, so "Domain Admins" is one role).
 *
 * @example
 * ```ts
 * requireRoles('admin');
 * requireRoles(['admin'], { claim: ['realm_access', 'roles'] }); // Keycloak
 * requireRoles(['admin'], { claim: 'https://example.com/roles' }); // Auth0 namespaced claim
 * requireRoles(['staff'], { claim: 'groups' });
 * ```
 */
export function requireRoles<TClaims extends JWTPayload = JWTPayload>(...roles: [string, ...string[]]): Policy<TClaims>;
export function requireRoles<TClaims extends JWTPayload = JWTPayload>(roles: readonly string[], options?: ClaimOptions): Policy<TClaims>;
export function requireRoles<TClaims extends JWTPayload = JWTPayload>(...args: ListArgs): Policy<TClaims> {
  return listRule<TClaims>('requireRoles', args, ROLE_CLAIMS, false, false);
}

/**
 * Requires every one of the given permissions, from the `permissions` claim (Auth0 RBAC) or
 * `options.claim`, read as roles are.
 *
 * @example
 * ```ts
 * requirePermissions('read:invoices', 'pay:invoices');
 * ```
 */
export function requirePermissions<TClaims extends JWTPayload = JWTPayload>(...permissions: [string, ...string[]]): Policy<TClaims>;
export function requirePermissions<TClaims extends JWTPayload = JWTPayload>(permissions: readonly string[], options?: ClaimOptions): Policy<TClaims>;
export function requirePermissions<TClaims extends JWTPayload = JWTPayload>(...args: ListArgs): Policy<TClaims> {
  return listRule<TClaims>('requirePermissions', args, PERMISSION_CLAIMS, false, false);
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function checkValue(kind: PolicyKind, value: unknown): ClaimValue {
  const ok = value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  if (!ok) throw new TypeError(`${kind}: compare with a string, a finite number, a boolean or null`);
  return value as ClaimValue;
}

/**
 * Requires a claim to equal a JSON primitive, type included: `claimEquals('email_verified', true)`
 * denies `"true"`, and `claimEquals('tier', 1)` denies `"1"`.
 *
 * @example
 * ```ts
 * claimEquals('email_verified', true);
 * claimEquals(['org', 'id'], 'acme');
 * ```
 */
export function claimEquals<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, value: ClaimValue): Policy<TClaims> {
  const path = checkPath(claim, 'claimEquals');
  const expected = checkValue('claimEquals', value);
  const type = typeOf(expected);
  const rule: PolicyRule = { kind: 'claimEquals', claim: path, values: [expected] };
  return define<TClaims>(rule, (claims) => {
    const read = readClaim(claims, path);
    if (!read.found) return deny({ rule, reason: read.reason, claim: path });
    if (typeOf(read.value) !== type) return deny({ rule, reason: 'type', claim: path });
    return read.value === expected ? ALLOW : deny({ rule, reason: 'mismatch', claim: path });
  });
}

/**
 * Requires a claim to hold every one of the given values: an array claim, or a single value,
 * which counts as a list of one. Entries must be of the types of the values asked for (`[1]`
 * does not hold `"1"`; it denies as a type mismatch).
 *
 * @example
 * ```ts
 * claimIncludes('amr', 'mfa');
 * claimIncludes('aud', 'orders-api', 'billing-api');
 * ```
 */
export function claimIncludes<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, ...values: [ClaimValue, ...ClaimValue[]]): Policy<TClaims> {
  const path = checkPath(claim, 'claimIncludes');
  if (values.length === 0) throw new TypeError('claimIncludes: name at least one value');
  const wanted = [...new Set(values.map((value) => checkValue('claimIncludes', value)))];
  const types = new Set(wanted.map(typeOf));
  const rule: PolicyRule = { kind: 'claimIncludes', claim: path, values: wanted };
  return define<TClaims>(rule, (claims) => {
    const read = readClaim(claims, path);
    if (!read.found) return deny({ rule, reason: read.reason, claim: path, missing: wanted });
    const list = Array.isArray(read.value) ? (read.value as unknown[]) : [read.value];
    if (list.length > MAX_VALUES) return deny({ rule, reason: 'too_large', claim: path });
    for (const item of list) {
      if (!types.has(typeOf(item))) return deny({ rule, reason: 'type', claim: path });
    }
    const missing = wanted.filter((value) => !list.includes(value));
    return missing.length === 0 ? ALLOW : deny({ rule, reason: 'mismatch', claim: path, missing });
  });
}

/**
 * Requires a string claim to match a regular expression. The pattern is checked and copied
 * once, here, and a refused one throws a TypeError:
 * - the stateful `g` and `y` flags are refused (the same claim would pass, then fail);
 * - so are the shapes that backtrack exponentially: a repeated group holding a quantifier or
 *   an alternation (`(a+)+`, `(a|b)*`, `(\.\w+)*`) and back-references;
 * - and, since a pattern's worst case grows with the input length to the power of its
 *   repetitions (`*`, `+`, `{n,}`, plus one when not anchored with `^`), at most 3 of those
 *   with the default `maxLength` of 256, and at most 2 when `maxLength` is higher (up to 1024).
 *
 * Values longer than `maxLength` deny without being tested. Together these bound the worst
 * case of an accepted pattern of ordinary size to around ten milliseconds; for anything more
 * involved, use {@link claimCheck}.
 *
 * @example
 * ```ts
 * claimMatches('email', /@example\.com$/);
 * claimMatches('sub', /^auth0\|[0-9a-f]{24}$/, { maxLength: 64 });
 * ```
 */
export function claimMatches<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, pattern: RegExp, options: MatchOptions = {}): Policy<TClaims> {
  const path = checkPath(claim, 'claimMatches');
  const maxLength = options.maxLength ?? DEFAULT_INPUT;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_INPUT) throw new RangeError(`claimMatches: maxLength must be an integer from 1 to ${MAX_INPUT}`);
  const regex = compilePattern(pattern, 'claimMatches', maxDegree(maxLength));
  const rule: PolicyRule = { kind: 'claimMatches', claim: path, pattern: String(regex) };
  return define<TClaims>(rule, (claims) => {
    const read = readClaim(claims, path);
    if (!read.found) return deny({ rule, reason: read.reason, claim: path });
    if (typeof read.value !== 'string') return deny({ rule, reason: 'type', claim: path });
    if (read.value.length > maxLength) return deny({ rule, reason: 'too_large', claim: path });
    return regex.test(read.value) ? ALLOW : deny({ rule, reason: 'mismatch', claim: path });
  });
}

/**
 * A custom check over the verified claims and the request, sync or async. `true` allows and
 * `false` denies; any other answer (a string, `undefined`, a forgotten `await`'s pending
 * value...) denies as an `error`.
 *
 * A predicate that throws or rejects denies: 403 `insufficient_scope`, with what it threw as
 * the error's `cause` and in `details`, so it reaches your logs and never becomes an
 * unexplained 500 or, under `not()`, an accept. To answer otherwise, throw an {@link AuthError}
 * yourself (for example `ERR_TOKEN_REVOKED`): it passes through as is.
 *
 * @example
 * ```ts
 * interface Claims extends JWTPayload { tenant: string }
 * const sameTenant = claimCheck<Claims>((claims, request) => claims.tenant === request?.header('x-tenant'));
 * const active = claimCheck(async (claims) => !(await accounts.isSuspended(claims.sub)), { name: 'active-account' });
 * ```
 */
export function claimCheck<TClaims extends JWTPayload = JWTPayload>(predicate: ClaimPredicate<TClaims>, options: ClaimCheckOptions = {}): Policy<TClaims> {
  if (typeof predicate !== 'function') throw new TypeError('claimCheck: predicate must be a function returning a boolean (or a promise of one)');
  const name = options.name ?? (predicate.name || 'claimCheck');
  if (typeof name !== 'string') throw new TypeError('claimCheck: name must be a string');
  const rule: PolicyRule = { kind: 'claimCheck', name };
  const settle = (answer: unknown): PolicyDecision => {
    if (answer === true) return ALLOW;
    if (answer === false) return deny({ rule, reason: 'mismatch' });
    return deny({ rule, reason: 'error', cause: new TypeError(`claimCheck ${name}: the predicate must return a boolean`) });
  };
  const fail = (error: unknown): PolicyDecision => {
    if (isAuthError(error)) throw error;
    return deny({ rule, reason: 'error', cause: error });
  };
  return define<TClaims>(rule, (claims, request) => {
    let answer: unknown;
    try {
      answer = predicate(claims as TClaims, request);
    } catch (error) {
      return fail(error);
    }
    return isThenable(answer) ? Promise.resolve(answer).then(settle, fail) : settle(answer);
  });
}
