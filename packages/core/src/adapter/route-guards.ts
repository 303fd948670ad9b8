/**
 * The policy helpers as route guards, for adapters: one definition of every helper, its
 * overloads and its documentation, parameterised by the framework's middleware type. An
 * adapter supplies how a {@link Guard} becomes middleware and re-exports the result, so the
 * same names behave the same in every framework.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { allOf, anyOf, not } from '../policies/combinators.js';
import type { ClaimCheckOptions, ClaimOptions, ClaimPredicate, ClaimValue, MatchOptions, Policy } from '../policies/policy.js';
import type { ClaimPath } from '../policies/claim-reads.js';
import { claimCheck, claimEquals, claimIncludes, claimMatches, requireAnyScope, requirePermissions, requireRoles, requireScopes } from '../policies/rules.js';
import { createGuard, type Guard } from './guards.js';

/**
 * Every policy helper as a route guard: each returns the framework's middleware that is also a
 * policy, so guards combine (`anyOf(guardA, guardB)`) and fit `jwtAuth({ policy })`. A guard
 * needs `jwtAuth()` in front of it; it refuses with 403 `insufficient_scope` when the policy
 * denies (naming the scopes required, where scopes were involved), 401 for an anonymous request
 * under optional authentication, and 500 `ERR_CONFIG_INVALID` without `jwtAuth()`, never a pass.
 */
export interface RouteGuards<THandler> {
  /**
   * The token must carry every one of these OAuth scopes, from `scope` (or `scp` when `scope`
   * is absent), a space-separated string or an array. A denial's challenge names them:
   * `scope="orders:write"`. Options: `claim`, another claim to read.
   *
   * @example
   * ```ts
   * app.post('/orders', jwtAuth(options), requireScopes('orders:write'), createOrder);
   * ```
   */
  requireScopes<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): THandler & Policy<TClaims>;
  requireScopes<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): THandler & Policy<TClaims>;
  /**
   * The token must carry at least one of these OAuth scopes, read as by `requireScopes`.
   *
   * @example
   * ```ts
   * app.delete('/orders/:id', jwtAuth(options), requireAnyScope('orders:admin', 'orders:write'), deleteOrder);
   * ```
   */
  requireAnyScope<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): THandler & Policy<TClaims>;
  requireAnyScope<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): THandler & Policy<TClaims>;
  /**
   * The token must carry every one of these roles, from `roles` (default) or `options.claim`: a
   * claim name (`'https://example.com/roles'`) or a nested path (`['realm_access', 'roles']`).
   * The claim is an array of strings, or one string holding a single role.
   *
   * @example
   * ```ts
   * app.get('/admin', jwtAuth(options), requireRoles('admin'), showAdmin);
   * app.get('/realm-admin', jwtAuth(options), requireRoles(['admin'], { claim: ['realm_access', 'roles'] }), showAdmin);
   * ```
   */
  requireRoles<TClaims extends JWTPayload = JWTPayload>(...roles: [string, ...string[]]): THandler & Policy<TClaims>;
  requireRoles<TClaims extends JWTPayload = JWTPayload>(roles: readonly string[], options?: ClaimOptions): THandler & Policy<TClaims>;
  /**
   * The token must carry every one of these permissions, from `permissions` (default, Auth0
   * RBAC) or `options.claim`, read as roles are.
   *
   * @example
   * ```ts
   * app.post('/invoices/:id/pay', jwtAuth(options), requirePermissions('read:invoices', 'pay:invoices'), pay);
   * ```
   */
  requirePermissions<TClaims extends JWTPayload = JWTPayload>(...permissions: [string, ...string[]]): THandler & Policy<TClaims>;
  requirePermissions<TClaims extends JWTPayload = JWTPayload>(permissions: readonly string[], options?: ClaimOptions): THandler & Policy<TClaims>;
  /**
   * A claim must equal a JSON primitive, type included (`"true"` is not `true`).
   *
   * @example
   * ```ts
   * app.post('/messages', jwtAuth(options), claimEquals('email_verified', true), send);
   * ```
   */
  claimEquals<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, value: ClaimValue): THandler & Policy<TClaims>;
  /**
   * A claim (an array, or a single value) must hold every one of these values.
   *
   * @example
   * ```ts
   * app.post('/transfers', jwtAuth(options), claimIncludes('amr', 'mfa'), transfer);
   * ```
   */
  claimIncludes<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, ...values: [ClaimValue, ...ClaimValue[]]): THandler & Policy<TClaims>;
  /**
   * A string claim must match a regular expression, checked once, at creation, for patterns
   * that could backtrack badly. Options: `maxLength`, the longest value tested (default 256).
   *
   * @example
   * ```ts
   * app.get('/staff', jwtAuth(options), claimMatches('email', /@example\.com$/), listStaff);
   * ```
   */
  claimMatches<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, pattern: RegExp, options?: MatchOptions): THandler & Policy<TClaims>;
  /**
   * Your own check over the verified claims (typed with your claims type) and the request, sync
   * or async: `true` lets the request through, anything else refuses with 403, a throw
   * included. Options: `name`, for logs (default the predicate's name).
   *
   * @example
   * ```ts
   * interface Claims extends JWTPayload { tenant: string }
   * app.get('/tenants/:id', jwtAuth<Claims>(options), claimCheck<Claims>((claims, request) => claims.tenant === request?.header('x-tenant')), show);
   * ```
   */
  claimCheck<TClaims extends JWTPayload = JWTPayload>(predicate: ClaimPredicate<TClaims>, options?: ClaimCheckOptions): THandler & Policy<TClaims>;
  /**
   * Lets a request through when every policy allows, checked in order. Takes guards and core
   * policies alike (`allOf(policy)` turns a shared core policy into a guard).
   *
   * @example
   * ```ts
   * app.post('/orders', jwtAuth(options), allOf(requireScopes('orders:write'), claimEquals('email_verified', true)), createOrder);
   * ```
   */
  allOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): THandler & Policy<TClaims>;
  /**
   * Lets a request through when at least one policy allows, checked in order. A denial names
   * the scopes of every alternative.
   *
   * @example
   * ```ts
   * app.put('/orders/:id', jwtAuth(options), anyOf(requireRoles('admin'), requirePermissions('orders:write')), updateOrder);
   * ```
   */
  anyOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): THandler & Policy<TClaims>;
  /**
   * Lets a request through when the policy denies. A claim of the wrong type, or a check that
   * threw, still refuses.
   *
   * @example
   * ```ts
   * app.post('/comments', jwtAuth(options), not(requireRoles('banned')), comment);
   * ```
   */
  not<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): THandler & Policy<TClaims>;
}

type Helper = (...args: never[]) => Policy;

/**
 * For adapters: every policy helper as a route guard of this framework. `middleware` turns a
 * {@link Guard} into the framework's middleware: call `guard.check(carrier, view)` and continue,
 * or refuse the way the adapter's `jwtAuth()` does.
 *
 * @example Express
 * ```ts
 * export const { requireScopes, requireRoles, allOf, anyOf, not } = createRouteGuards<RequestHandler>(
 *   (guard) => (req, res, next) => guard.check(req, requestView(req)).then(() => next(), next),
 * );
 * ```
 */
export function createRouteGuards<THandler extends object>(middleware: (guard: Guard) => THandler): RouteGuards<THandler> {
  if (typeof middleware !== 'function') throw new TypeError('createRouteGuards needs a function turning a guard into middleware');
  const wrap = (helper: Helper) =>
    (...args: never[]) => {
      const guard = createGuard(helper(...args));
      return guard.attach(middleware(guard));
    };
  return Object.freeze({
    requireScopes: wrap(requireScopes as Helper),
    requireAnyScope: wrap(requireAnyScope as Helper),
    requireRoles: wrap(requireRoles as Helper),
    requirePermissions: wrap(requirePermissions as Helper),
    claimEquals: wrap(claimEquals as Helper),
    claimIncludes: wrap(claimIncludes as Helper),
    claimMatches: wrap(claimMatches as Helper),
    claimCheck: wrap(claimCheck as Helper),
    allOf: wrap(allOf as Helper),
    anyOf: wrap(anyOf as Helper),
    not: wrap(not as Helper),
  }) as unknown as RouteGuards<THandler>;
}
