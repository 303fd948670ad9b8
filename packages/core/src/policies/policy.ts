/**
 * Claim policies: what a verified token must say for a request to pass. Policies are small
 * immutable values built from helpers (`requireScopes`, `requireRoles`, `claimEquals`,
 * `claimCheck`, ...) and combined with `allOf`, `anyOf` and `not`. They attach globally
 * (`jwtAuth({ policy })`) or per route (every adapter exposes the same helpers as guards), and
 * a denial is a 403 `insufficient_scope` {@link AuthError}.
 *
 * How claims are read, in every helper:
 * - Own properties only: an inherited name such as `toString` or `constructor` is absent.
 * - Claim paths: a string is one exact claim name, dots and slashes included
 *   (`'https://example.com/roles'`); an array is a nested path (`['realm_access', 'roles']`),
 *   each step an own property of a JSON object.
 * - Typed, never coerced: `"false"` is not `false` and `1` is not `"1"`. A claim of the wrong
 *   type denies, and keeps denying under `not()`.
 * - Bounded: a list claim of more than 1000 entries, or a string of more than 32768 characters,
 *   denies without being walked (reason `too_large`).
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import type { AuthResult, Authenticator } from '../adapter/authenticate.js';
import { isScopeToken } from '../errors/challenge.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { RequestView } from '../adapter/extract.js';
import { checkPath, MAX_VALUES, pathLabel, readClaim, stringList, type ClaimPath } from './claim-reads.js';
import { compilePattern, DEFAULT_INPUT, MAX_INPUT, maxDegree } from './regex-check.js';

export type { ClaimPath } from './claim-reads.js';

/** A JSON primitive a claim is compared with. */
export type ClaimValue = string | number | boolean | null;

/** The helper a rule was built with. */
export type PolicyKind =
  | 'requireScopes'
  | 'requireAnyScope'
  | 'requireRoles'
  | 'requirePermissions'
  | 'claimEquals'
  | 'claimIncludes'
  | 'claimMatches'
  | 'claimCheck'
  | 'allOf'
  | 'anyOf'
  | 'not';

/** A plain, frozen description of a policy, for logs and debugging. */
export interface PolicyRule {
  /** The helper that built it. */
  readonly kind: PolicyKind;
  /** The claim read (`claimEquals`, `claimIncludes`, `claimMatches`). */
  readonly claim?: ClaimPath;
  /** The claims read by scope, role and permission rules, in order: the first one present is used. */
  readonly claims?: readonly ClaimPath[];
  /** The values required. */
  readonly values?: readonly ClaimValue[];
  /** The pattern of `claimMatches`, as `/source/flags`. */
  readonly pattern?: string;
  /** The name of a `claimCheck` predicate. */
  readonly name?: string;
  /** The rules combined by `allOf`, `anyOf` and `not`. */
  readonly of?: readonly PolicyRule[];
}

/**
 * Why a rule denied. `missing`, `mismatch` and `negated` are plain answers; `type` (a claim of
 * the wrong type), `too_large` (past the bounds) and `error` (a predicate threw) mean the rule
 * could not be decided, and those deny under `not()` too.
 */
export type PolicyFailureReason = 'missing' | 'type' | 'mismatch' | 'too_large' | 'error' | 'negated';

/** Which rule denied and why: for logs, never for the client. It holds no claim values. */
export interface PolicyFailure {
  /** The rule that denied. */
  readonly rule: PolicyRule;
  /** Why. */
  readonly reason: PolicyFailureReason;
  /** The claim it read. */
  readonly claim?: ClaimPath;
  /** Required values the claim did not hold. */
  readonly missing?: readonly ClaimValue[];
  /** What a `claimCheck` predicate threw (or the TypeError for a non-boolean answer). */
  readonly cause?: unknown;
  /** For `anyOf`: why each alternative denied. */
  readonly failures?: readonly PolicyFailure[];
}

/** The outcome of a policy. */
export type PolicyDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** Which rule denied, and why. */
      readonly failure: PolicyFailure;
      /** The scopes that would have satisfied the denied rules; named in the challenge's `scope`. */
      readonly scopes: readonly string[];
    };

declare const claimsType: unique symbol;

/**
 * A claim policy over claims of type `TClaims`: an immutable value built by the helpers of this
 * module, evaluated only on verified claims. A policy over fewer claims fits where one over more
 * is expected: `Policy<JWTPayload>` is a `Policy<MyClaims>`.
 */
export interface Policy<TClaims extends JWTPayload = JWTPayload> {
  /** What the policy checks, for logs and debugging. */
  readonly rule: PolicyRule;
  /** Type-level only: ties the policy to its claims type. */
  readonly [claimsType]?: (claims: TClaims) => void;
}

/** Where scope, role and permission rules read their values. */
export interface ClaimOptions {
  /**
   * The claim holding the values: a claim name (`'groups'`, `'https://example.com/roles'`) or a
   * nested path (`['realm_access', 'roles']`, `['resource_access', 'orders-api', 'roles']`).
   * Defaults: `scope` then `scp` for scopes, `roles` for roles, `permissions` for permissions.
   */
  claim?: ClaimPath;
}

/** Options of {@link claimMatches}. */
export interface MatchOptions {
  /**
   * Longest claim value tested; longer values deny (`too_large`). 1 to 1024, default 256.
   * Above 256 the pattern may hold one repetition fewer (see {@link claimMatches}).
   */
  maxLength?: number;
}

/** Options of {@link claimCheck}. */
export interface ClaimCheckOptions {
  /** A name for logs (`PolicyRule.name`). Default: the predicate's function name. */
  name?: string;
}

/** A custom check: true allows, false denies. It may be async; anything but a boolean denies. */
export type ClaimPredicate<TClaims extends JWTPayload = JWTPayload> = (claims: TClaims, request: RequestView | undefined) => boolean | Promise<boolean>;

/** Options of {@link authorize}. */
export interface AuthorizeOptions {
  /** The request, passed on to `claimCheck` predicates. */
  request?: RequestView;
  /** The realm of the challenge. Default `"api"`. */
  realm?: string;
}

/** A per-route guard, as adapters build it from a policy. See {@link createGuard}. */
export interface Guard<TClaims extends JWTPayload = JWTPayload> {
  /** The policy it enforces. */
  readonly policy: Policy<TClaims>;
  /**
   * Checks the request behind `carrier` (the object passed to {@link recordAuthentication}) and
   * resolves with its authentication result. Rejects with an {@link AuthError}:
   * `ERR_CONFIG_INVALID` (500) when no authentication was recorded for it, `ERR_TOKEN_MISSING`
   * (401) for an anonymous request, `ERR_INSUFFICIENT_SCOPE` (403) when the policy denies.
   */
  check(carrier: object, request?: RequestView): Promise<AuthResult<TClaims>>;
  /**
   * Marks a framework handler as this guard: it then counts as a policy (for `jwtAuth({ policy })`
   * and the combinators) and as a guard for {@link assertGuardOrder}. Returns the handler.
   */
  attach<THandler extends object>(handler: THandler): THandler & Policy<TClaims>;
}

type Evaluate = (claims: object, request: RequestView | undefined) => PolicyDecision | Promise<PolicyDecision>;

interface PolicyNode {
  readonly rule: PolicyRule;
  readonly evaluate: Evaluate;
}

// Evaluators live here, out of reach: a policy is only ever what a helper built.
const NODES = new WeakMap<object, PolicyNode>();
const GUARDS = new WeakSet<object>();
const AUTHENTICATIONS = new WeakSet<object>();
interface Session {
  readonly realm: string;
  readonly result: AuthResult | null;
}
// What jwtAuth() recorded for a request, found through registered symbols so that copies of this
// package loaded twice still read each other's records. By default a property of the per-request
// object: measured under load, a WeakMap entry per request cost Koa and Hono 7-8% of their
// protected-route throughput (each short-lived key is garbage-collection work). Carriers on which
// a new property is dear take the process-wide WeakMap instead (see RecordOptions).
const SESSION = Symbol.for('jwt-gate.authentication');
const SESSIONS: WeakMap<object, Session> = (() => {
  const key = Symbol.for('jwt-gate.authentication.registry');
  const registry = globalThis as { [key]?: unknown };
  if (registry[key] instanceof WeakMap) return registry[key] as WeakMap<object, Session>;
  const sessions = new WeakMap<object, Session>();
  try {
    Object.defineProperty(registry, key, { value: sessions });
  } catch {
    // A frozen global (a hardened realm): these records stay private to this copy.
  }
  return sessions;
})();

const ALLOW: PolicyDecision = Object.freeze({ allowed: true });
const NO_SCOPES: readonly string[] = Object.freeze([]);
const UNDECIDED: ReadonlySet<PolicyFailureReason> = new Set(['type', 'too_large', 'error']);
const POLICY_HELPERS = 'requireScopes, requireRoles, claimEquals, claimCheck, allOf, ...';

function deny(failure: PolicyFailure, scopes: readonly string[] = NO_SCOPES): PolicyDecision {
  return Object.freeze({ allowed: false, failure: Object.freeze(failure), scopes });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

function define<TClaims extends JWTPayload>(rule: PolicyRule, evaluate: Evaluate): Policy<TClaims> {
  const frozen = deepFreeze(rule);
  const policy = Object.freeze({ rule: frozen });
  NODES.set(policy, { rule: frozen, evaluate });
  return policy;
}

function nodeOf(value: unknown, where: string): PolicyNode {
  const node = (typeof value === 'object' || typeof value === 'function') && value !== null ? NODES.get(value) : undefined;
  if (node === undefined) throw new TypeError(`${where}: expected a policy built with ${POLICY_HELPERS}`);
  return node;
}

/**
 * True for a policy built by this module's helpers, or a framework handler that carries one (an
 * adapter's route guard).
 *
 * @example
 * ```ts
 * isPolicy(requireScopes('read:orders')); // true
 * isPolicy({ rule: { kind: 'allOf' } }); // false
 * ```
 */
export function isPolicy(value: unknown): value is Policy {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && NODES.has(value);
}

// ---------------------------------------------------------------------------------------------
// Scopes, roles and permissions

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

// ---------------------------------------------------------------------------------------------
// Claim values

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

// ---------------------------------------------------------------------------------------------
// Custom checks

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

// ---------------------------------------------------------------------------------------------
// Combinators

function children(kind: PolicyKind, policies: readonly unknown[]): PolicyNode[] {
  if (policies.length === 0) throw new TypeError(`${kind}: combine at least one policy`);
  return policies.map((policy, i) => nodeOf(policy, `${kind}: argument ${i + 1}`));
}

// Runs `nodes` in order (a predicate may hit a database: no surprise parallelism), staying
// synchronous until one of them is not. `visit` returns a decision to stop with.
function sequence(
  nodes: readonly PolicyNode[],
  claims: object,
  request: RequestView | undefined,
  visit: (decision: PolicyDecision) => PolicyDecision | undefined,
  done: () => PolicyDecision,
): PolicyDecision | Promise<PolicyDecision> {
  const from = (start: number): PolicyDecision | Promise<PolicyDecision> => {
    for (let i = start; i < nodes.length; i++) {
      const decision = (nodes[i] as PolicyNode).evaluate(claims, request);
      if (decision instanceof Promise) return decision.then((settled) => visit(settled) ?? from(i + 1));
      const stop = visit(decision);
      if (stop !== undefined) return stop;
    }
    return done();
  };
  return from(0);
}

/**
 * Allows when every policy allows; evaluated in order, stopping at the first denial, which is
 * the one reported.
 *
 * @example
 * ```ts
 * allOf(requireScopes('write:orders'), claimEquals('email_verified', true));
 * ```
 */
export function allOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): Policy<TClaims> {
  const nodes = children('allOf', policies);
  const rule: PolicyRule = { kind: 'allOf', of: nodes.map((node) => node.rule) };
  return define<TClaims>(rule, (claims, request) =>
    sequence(nodes, claims, request, (decision) => (decision.allowed ? undefined : decision), () => ALLOW),
  );
}

/**
 * Allows when at least one policy allows; evaluated in order, stopping at the first that
 * allows. A denial lists why each alternative denied, and names the scopes of all of them.
 *
 * @example
 * ```ts
 * anyOf(requireRoles('admin'), requirePermissions('orders:write'));
 * ```
 */
export function anyOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): Policy<TClaims> {
  const nodes = children('anyOf', policies);
  const rule: PolicyRule = { kind: 'anyOf', of: nodes.map((node) => node.rule) };
  return define<TClaims>(rule, (claims, request) => {
    const failures: PolicyFailure[] = [];
    const scopes = new Set<string>();
    return sequence(
      nodes,
      claims,
      request,
      (decision) => {
        if (decision.allowed) return decision;
        failures.push(decision.failure);
        for (const scope of decision.scopes) scopes.add(scope);
        return undefined;
      },
      () => {
        // An undecided alternative keeps the whole undecided, so that not() cannot flip it.
        const undecided = failures.find((failure) => UNDECIDED.has(failure.reason));
        return deny({ rule, reason: undecided?.reason ?? 'mismatch', failures: Object.freeze(failures) }, scopes.size === 0 ? NO_SCOPES : Object.freeze([...scopes]));
      },
    );
  });
}

/**
 * Allows when the policy denies, and denies when it allows. A rule that could not be decided (a
 * claim of the wrong type, past the size bounds, or a predicate that threw) still denies:
 * `not(claimEquals('suspended', true))` refuses `suspended: "true"`.
 *
 * @example
 * ```ts
 * not(requireRoles('banned'));
 * ```
 */
export function not<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): Policy<TClaims> {
  const [node] = children('not', [policy]) as [PolicyNode];
  const rule: PolicyRule = { kind: 'not', of: [node.rule] };
  const invert = (decision: PolicyDecision): PolicyDecision => {
    if (decision.allowed) return deny({ rule, reason: 'negated' });
    return UNDECIDED.has(decision.failure.reason) ? decision : ALLOW;
  };
  return define<TClaims>(rule, (claims, request) => {
    const decision = node.evaluate(claims, request);
    return decision instanceof Promise ? decision.then(invert) : invert(decision);
  });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function checkClaims(claims: unknown, where: string): object {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError(`${where}: claims must be a verified claims object`);
  return claims;
}

async function run(node: PolicyNode, claims: object, request: RequestView | undefined): Promise<PolicyDecision> {
  try {
    return await node.evaluate(claims, request);
  } catch (error) {
    if (isAuthError(error)) throw error;
    // A throwing getter on hand-made claims, say: deny rather than crash.
    return deny({ rule: node.rule, reason: 'error', cause: error });
  }
}

function denial(decision: PolicyDecision & { allowed: false }, realm: string | undefined): AuthError {
  const { failure, scopes } = decision;
  return new AuthError('ERR_INSUFFICIENT_SCOPE', {
    ...(realm === undefined ? {} : { realm }),
    ...(scopes.length === 0 ? {} : { scope: scopes }),
    ...(failure.claim === undefined ? {} : { claim: pathLabel(failure.claim) }),
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
    reason: failure.reason,
    details: failure,
  });
}

/**
 * Evaluates a policy on verified claims and resolves with the decision: `{ allowed: true }`, or
 * the failed rule and the scopes involved. Never rejects for a denial; rejects only with an
 * {@link AuthError} that a `claimCheck` predicate threw, or a TypeError for a non-policy.
 *
 * @example
 * ```ts
 * const decision = await evaluatePolicy(requireScopes('read:orders'), auth.claims);
 * if (!decision.allowed) log.info({ failure: decision.failure }, 'denied');
 * ```
 */
export async function evaluatePolicy<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>, claims: TClaims, request?: RequestView): Promise<PolicyDecision> {
  const node = nodeOf(policy, 'evaluatePolicy');
  return run(node, checkClaims(claims, 'evaluatePolicy'), request);
}

/**
 * Enforces a policy on an authentication result: resolves when it allows, rejects with an
 * {@link AuthError} otherwise: `ERR_INSUFFICIENT_SCOPE` (403, challenge
 * `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"`
 * plus `scope="..."` when scopes were involved; `details` holds the {@link PolicyFailure}), or
 * `ERR_TOKEN_MISSING` (401) when `auth` is null or undefined (an anonymous request).
 *
 * @example Inside a handler, a GraphQL resolver, a queue consumer
 * ```ts
 * await authorize(requireScopes('write:orders'), req.auth, { realm: 'orders' });
 * ```
 */
export async function authorize<TClaims extends JWTPayload = JWTPayload>(
  policy: Policy<TClaims>,
  auth: { readonly claims: TClaims } | null | undefined,
  options: AuthorizeOptions = {},
): Promise<void> {
  const node = nodeOf(policy, 'authorize');
  const { request, realm } = options;
  if (auth === null || auth === undefined) throw new AuthError('ERR_TOKEN_MISSING', realm === undefined ? {} : { realm });
  await enforce(node, checkClaims(auth.claims, 'authorize'), request, realm);
}

async function enforce(node: PolicyNode, claims: object, request: RequestView | undefined, realm: string | undefined): Promise<void> {
  let decision: PolicyDecision;
  try {
    decision = await run(node, claims, request);
  } catch (error) {
    throw realm !== undefined && isAuthError(error) ? error.withRealm(realm) : error;
  }
  if (!decision.allowed) throw denial(decision, realm);
}

/**
 * @internal For `createAuthenticator`: the policy's check, resolved once at creation.
 */
export function compilePolicy(policy: unknown, where: string): (auth: AuthResult, request: RequestView, realm: string) => Promise<void> {
  const node = nodeOf(policy, where);
  return (auth, request, realm) => enforce(node, auth.claims, request, realm);
}

// ---------------------------------------------------------------------------------------------
// Route guards: what adapters build on

/**
 * For adapters: records that authentication ran for a request. `carrier` is the framework's
 * per-request object (Express `req`, Koa `ctx`, Hono `c`); `result` is what
 * `authenticator.authenticate` resolved with (`null` when anonymous). Guards created with
 * {@link createGuard} read it back.
 *
 * @example
 * ```ts
 * const result = await authenticator.authenticate(view);
 * recordAuthentication(req, authenticator, result);
 * ```
 */
export function recordAuthentication<TClaims extends JWTPayload = JWTPayload>(
  carrier: object,
  authenticator: Pick<Authenticator<TClaims>, 'realm'>,
  result: AuthResult<TClaims> | null,
  options?: RecordOptions,
): void {
  if ((typeof carrier !== 'object' && typeof carrier !== 'function') || carrier === null) throw new TypeError('recordAuthentication: carrier must be the per-request object');
  const session: Session = { realm: authenticator.realm, result: result as AuthResult | null };
  if (options?.storage === 'weakmap') SESSIONS.set(carrier, session);
  else (carrier as { [SESSION]?: Session })[SESSION] = session;
}

/** Options of {@link recordAuthentication}. */
export interface RecordOptions {
  /**
   * Where the record is kept. `'property'` (default): a symbol-keyed property of the carrier,
   * the cheapest for ordinary objects. `'weakmap'`: an entry in a process-wide WeakMap, for
   * carriers on which adding a property is dear. Express 5 re-parents every `req` with
   * `Object.setPrototypeOf`, after which V8 builds a new hidden class for each property added
   * to it; the WeakMap measured about 5% more protected-route throughput there.
   */
  storage?: 'property' | 'weakmap';
}

function recordOf(carrier: unknown): Session | undefined {
  // Keyed by identity, or an own property only: a record made for a shared prototype must never
  // stand for a request built on it.
  if ((typeof carrier !== 'object' && typeof carrier !== 'function') || carrier === null) return undefined;
  return SESSIONS.get(carrier) ?? (Object.hasOwn(carrier, SESSION) ? (carrier as { [SESSION]?: Session })[SESSION] : undefined);
}

function sessionOf(carrier: unknown, missing: string, details?: unknown): { readonly realm: string; readonly result: AuthResult } {
  const session = recordOf(carrier);
  if (session === undefined) throw new AuthError('ERR_CONFIG_INVALID', { message: missing, ...(details === undefined ? {} : { details }) });
  if (session.result === null) throw new AuthError('ERR_TOKEN_MISSING', { realm: session.realm });
  return session as { readonly realm: string; readonly result: AuthResult };
}

/**
 * For adapters: what {@link recordAuthentication} recorded for `carrier`, without throwing: the
 * result, `null` for an anonymous request, `undefined` when nothing was recorded (what a
 * framework's `auth` accessor returns). Reads only records made for `carrier` itself.
 *
 * @example
 * ```ts
 * const auth = recordedAuthentication(req) ?? undefined;
 * ```
 */
export function recordedAuthentication<TClaims extends JWTPayload = JWTPayload>(carrier: object): AuthResult<TClaims> | null | undefined {
  return recordOf(carrier)?.result as AuthResult<TClaims> | null | undefined;
}

/**
 * For adapters: the authentication result {@link recordAuthentication} recorded for `carrier`,
 * typed with your claims (what Express's `getAuth(req)` returns). Throws an {@link AuthError}:
 * `ERR_CONFIG_INVALID` (500) when no authentication was recorded for it, `ERR_TOKEN_MISSING`
 * (401, with the authenticator's realm) for an anonymous request.
 *
 * @example
 * ```ts
 * export const getAuth = <TClaims extends JWTPayload = JWTPayload>(req: Request) => readAuthentication<TClaims>(req);
 * ```
 */
export function readAuthentication<TClaims extends JWTPayload = JWTPayload>(carrier: object): AuthResult<TClaims> {
  return sessionOf(carrier, 'No jwtAuth() ran before reading the authentication result').result as AuthResult<TClaims>;
}

/**
 * For adapters: builds the framework-free part of a per-route guard once, at start-up. The
 * adapter's handler calls `guard.check(carrier, view)` and passes itself to `guard.attach`.
 *
 * @example An Express guard in a few lines
 * ```ts
 * export function requireScopes(...scopes: [string, ...string[]]) {
 *   const guard = createGuard(core.requireScopes(...scopes));
 *   return guard.attach((req: Request, _res: Response, next: NextFunction) => {
 *     guard.check(req, requestView(req)).then(() => next(), next);
 *   });
 * }
 * ```
 */
export function createGuard<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): Guard<TClaims> {
  const node = nodeOf(policy, 'createGuard');
  return Object.freeze({
    policy,
    async check(carrier: object, request?: RequestView): Promise<AuthResult<TClaims>> {
      const session = sessionOf(carrier, 'A route guard ran without jwtAuth() in front of it', { rule: node.rule });
      await enforce(node, session.result.claims, request, session.realm);
      return session.result as AuthResult<TClaims>;
    },
    attach<THandler extends object>(handler: THandler): THandler & Policy<TClaims> {
      if ((typeof handler !== 'object' && typeof handler !== 'function') || handler === null) throw new TypeError('attach: handler must be a function or an object');
      if (NODES.has(handler)) throw new TypeError('attach: this handler already carries a policy');
      Object.defineProperty(handler, 'rule', { value: node.rule, enumerable: false });
      NODES.set(handler, node);
      GUARDS.add(handler);
      return handler as THandler & Policy<TClaims>;
    },
  });
}

/**
 * For adapters: marks a framework handler as authentication (the adapter's `jwtAuth()`
 * middleware), for {@link assertGuardOrder}. Returns the handler.
 *
 * @example
 * ```ts
 * return markAuthentication(async function jwtAuthMiddleware(ctx, next) { ... });
 * ```
 */
export function markAuthentication<THandler extends object>(handler: THandler): THandler {
  if ((typeof handler !== 'object' && typeof handler !== 'function') || handler === null) throw new TypeError('markAuthentication: handler must be a function or an object');
  AUTHENTICATIONS.add(handler);
  return handler;
}

/**
 * For adapters, at start-up: given the handlers that run for one route, in order, throws an
 * {@link AuthError} `ERR_CONFIG_INVALID` when a guard (see {@link Guard.attach}) comes before
 * any authentication (see {@link markAuthentication}). `where` names the route in the message
 * (`"GET /admin"`). Other handlers are ignored.
 *
 * @example
 * ```ts
 * for (const route of routes) assertGuardOrder(route.handlers, `${route.method} ${route.path}`);
 * ```
 */
export function assertGuardOrder(handlers: Iterable<unknown>, where: string): void {
  for (const handler of handlers) {
    if ((typeof handler !== 'object' && typeof handler !== 'function') || handler === null) continue;
    if (AUTHENTICATIONS.has(handler)) return;
    if (GUARDS.has(handler)) {
      const rule = (NODES.get(handler) as PolicyNode).rule;
      throw new AuthError('ERR_CONFIG_INVALID', {
        message: `${where}: the ${rule.kind} guard has no jwtAuth() in front of it, so it could never see a token; put jwtAuth() before it`,
        details: { where, rule },
      });
    }
  }
}
