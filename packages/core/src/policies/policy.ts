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
import type { RequestView } from '../adapter/extract.js';
import { deepFreeze } from '../jose/json.js';
import type { ClaimPath } from './claim-reads.js';

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


/** A per-route guard, as adapters build it from a policy. See {@link createGuard}. */

type Evaluate = (claims: object, request: RequestView | undefined) => PolicyDecision | Promise<PolicyDecision>;

/** What a policy evaluates, carried by the policy itself under a key only this module holds. */
export interface PolicyNode {
  readonly rule: PolicyRule;
  readonly evaluate: Evaluate;
}

// Not `Symbol.for`: a policy is only ever what a helper built (or a handler a guard marked).
const NODE = Symbol('jwt-gate.policy');

export const ALLOW: PolicyDecision = Object.freeze({ allowed: true });
export const NO_SCOPES: readonly string[] = Object.freeze([]);
/** Reasons that mean a rule could not be decided: they deny under `not()` too. */
export const UNDECIDED: ReadonlySet<PolicyFailureReason> = new Set(['type', 'too_large', 'error']);
const POLICY_HELPERS = 'requireScopes, requireRoles, claimEquals, claimCheck, allOf, ...';

export function deny(failure: PolicyFailure, scopes: readonly string[] = NO_SCOPES): PolicyDecision {
  return Object.freeze({ allowed: false, failure: Object.freeze(failure), scopes });
}

/** A new policy value: its frozen rule, and its evaluator out of reach of anything but this package. */
export function define<TClaims extends JWTPayload>(rule: PolicyRule, evaluate: Evaluate): Policy<TClaims> {
  const frozen = deepFreeze(rule);
  return Object.freeze(Object.defineProperty({ rule: frozen }, NODE, { value: Object.freeze({ rule: frozen, evaluate }) }));
}

/** Lets `target` (a framework handler a guard made) stand for the policy of `node`. */
export function carryPolicy<T extends object>(target: T, node: PolicyNode): T & Policy {
  if (nodeIn(target) !== undefined) throw new TypeError('this handler already carries a policy');
  Object.defineProperty(target, 'rule', { value: node.rule, enumerable: false });
  Object.defineProperty(target, NODE, { value: node });
  return target as T & Policy;
}

function nodeIn(value: unknown): PolicyNode | undefined {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && Object.hasOwn(value, NODE) ? (value as { [NODE]: PolicyNode })[NODE] : undefined;
}

/** The node of a policy, or a TypeError naming `where`. */
export function policyNode(value: unknown, where: string): PolicyNode {
  const node = nodeIn(value);
  if (node === undefined) throw new TypeError(`${where}: expected a policy built with ${POLICY_HELPERS}`);
  return node;
}

/**
 * True for a policy built by this package's helpers, or a framework handler that carries one (an
 * adapter's route guard).
 *
 * @example
 * ```ts
 * isPolicy(requireScopes('read:orders')); // true
 * isPolicy({ rule: { kind: 'allOf' } }); // false
 * ```
 */
export function isPolicy(value: unknown): value is Policy {
  return nodeIn(value) !== undefined;
}
