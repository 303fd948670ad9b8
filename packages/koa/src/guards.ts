import * as core from '@jwt-gate/core';
import type { ClaimCheckOptions, ClaimOptions, ClaimPath, ClaimPredicate, ClaimValue, JWTPayload, MatchOptions, Policy } from '@jwt-gate/core';
import type { Context, Middleware, Next } from 'koa';
import { requestView } from './jwt-auth.js';

/**
 * A route guard: Koa middleware that lets a request through when its verified claims pass a
 * policy, and a policy itself, so guards combine (`anyOf(guardA, guardB)`) and fit
 * `jwtAuth({ policy })`. `jwtAuth()` must run before it, on the app or the route.
 *
 * It throws an {@link core.AuthError} as `jwtAuth()` does: 403 `insufficient_scope` when the
 * policy denies (with `scope="..."` naming the scopes required, where scopes were involved),
 * 401 for an anonymous request under `optional: true`, and 500 `ERR_CONFIG_INVALID` when no
 * `jwtAuth()` ran before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = Middleware & Policy<TClaims>;

type ListArgs = [string, ...string[]] | [readonly string[], (ClaimOptions | undefined)?];
type ListPolicy = (...args: ListArgs) => Policy;

function guard<TClaims extends JWTPayload>(policy: Policy<TClaims>): RouteGuard<TClaims> {
  const check = core.createGuard(policy);
  return check.attach(async function jwtGuard(ctx: Context, next: Next): Promise<void> {
    await check.check(ctx, requestView(ctx));
    await next();
  });
}

/**
 * Route guard: the token must carry every one of these OAuth scopes, from `scope` (or `scp`
 * when `scope` is absent), a space-separated string or an array. A denial's challenge names
 * them: `scope="orders:write"`. Options: `claim`, another claim to read.
 *
 * @example
 * ```ts
 * router.post('/orders', jwtAuth(options), requireScopes('orders:write'), createOrder);
 * ```
 */
export function requireScopes<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): RouteGuard<TClaims>;
export function requireScopes<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): RouteGuard<TClaims>;
export function requireScopes(...args: ListArgs): RouteGuard {
  return guard((core.requireScopes as ListPolicy)(...args));
}

/**
 * Route guard: the token must carry at least one of these OAuth scopes, read as by
 * {@link requireScopes}.
 *
 * @example
 * ```ts
 * router.delete('/orders/:id', jwtAuth(options), requireAnyScope('orders:admin', 'orders:write'), deleteOrder);
 * ```
 */
export function requireAnyScope<TClaims extends JWTPayload = JWTPayload>(...scopes: [string, ...string[]]): RouteGuard<TClaims>;
export function requireAnyScope<TClaims extends JWTPayload = JWTPayload>(scopes: readonly string[], options?: ClaimOptions): RouteGuard<TClaims>;
export function requireAnyScope(...args: ListArgs): RouteGuard {
  return guard((core.requireAnyScope as ListPolicy)(...args));
}

/**
 * Route guard: the token must carry every one of these roles, from `roles` (default) or
 * `options.claim`: a claim name or a nested path. The claim is an array of strings, or one
 * string holding a single role.
 *
 * @example
 * ```ts
 * router.get('/admin', jwtAuth(options), requireRoles('admin'), showAdmin);
 * router.get('/realm-admin', jwtAuth(options), requireRoles(['admin'], { claim: ['realm_access', 'roles'] }), showAdmin);
 * ```
 */
export function requireRoles<TClaims extends JWTPayload = JWTPayload>(...roles: [string, ...string[]]): RouteGuard<TClaims>;
export function requireRoles<TClaims extends JWTPayload = JWTPayload>(roles: readonly string[], options?: ClaimOptions): RouteGuard<TClaims>;
export function requireRoles(...args: ListArgs): RouteGuard {
  return guard((core.requireRoles as ListPolicy)(...args));
}

/**
 * Route guard: the token must carry every one of these permissions, from `permissions`
 * (default, Auth0 RBAC) or `options.claim`, read as roles are.
 *
 * @example
 * ```ts
 * router.post('/invoices/:id/pay', jwtAuth(options), requirePermissions('read:invoices', 'pay:invoices'), pay);
 * ```
 */
export function requirePermissions<TClaims extends JWTPayload = JWTPayload>(...permissions: [string, ...string[]]): RouteGuard<TClaims>;
export function requirePermissions<TClaims extends JWTPayload = JWTPayload>(permissions: readonly string[], options?: ClaimOptions): RouteGuard<TClaims>;
export function requirePermissions(...args: ListArgs): RouteGuard {
  return guard((core.requirePermissions as ListPolicy)(...args));
}

/**
 * Route guard: a claim must equal a JSON primitive, type included (`"true"` is not `true`).
 *
 * @example
 * ```ts
 * router.post('/messages', jwtAuth(options), claimEquals('email_verified', true), send);
 * ```
 */
export function claimEquals<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, value: ClaimValue): RouteGuard<TClaims> {
  return guard(core.claimEquals<TClaims>(claim, value));
}

/**
 * Route guard: a claim (an array, or a single value) must hold every one of these values.
 *
 * @example
 * ```ts
 * router.post('/transfers', jwtAuth(options), claimIncludes('amr', 'mfa'), transfer);
 * ```
 */
export function claimIncludes<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, ...values: [ClaimValue, ...ClaimValue[]]): RouteGuard<TClaims> {
  return guard(core.claimIncludes<TClaims>(claim, ...values));
}

/**
 * Route guard: a string claim must match a regular expression, checked once, here, for
 * patterns that could backtrack badly. Options: `maxLength`, the longest value tested
 * (default 256).
 *
 * @example
 * ```ts
 * router.get('/staff', jwtAuth(options), claimMatches('email', /@example\.com$/), listStaff);
 * ```
 */
export function claimMatches<TClaims extends JWTPayload = JWTPayload>(claim: ClaimPath, pattern: RegExp, options?: MatchOptions): RouteGuard<TClaims> {
  return guard(core.claimMatches<TClaims>(claim, pattern, options));
}

/**
 * Route guard with your own check over the verified claims (typed with your claims type) and
 * the request, sync or async: `true` lets the request through, anything else refuses with 403,
 * a throw included. Options: `name`, for logs (default the predicate's name).
 *
 * @example
 * ```ts
 * interface Claims extends JWTPayload { tenant: string }
 * router.get('/tenants/:id', jwtAuth<Claims>(options), claimCheck<Claims>((claims, request) => claims.tenant === request?.header('x-tenant')), show);
 * ```
 */
export function claimCheck<TClaims extends JWTPayload = JWTPayload>(predicate: ClaimPredicate<TClaims>, options?: ClaimCheckOptions): RouteGuard<TClaims> {
  return guard(core.claimCheck<TClaims>(predicate, options));
}

/**
 * Route guard that lets a request through when every policy allows, checked in order. Takes
 * guards of this package and policies of `@jwt-gate/core` alike (`allOf(policy)` turns a
 * shared core policy into a guard).
 *
 * @example
 * ```ts
 * router.post('/orders', jwtAuth(options), allOf(requireScopes('orders:write'), claimEquals('email_verified', true)), createOrder);
 * ```
 */
export function allOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): RouteGuard<TClaims> {
  return guard(core.allOf<TClaims>(...policies));
}

/**
 * Route guard that lets a request through when at least one policy allows, checked in order.
 * A denial names the scopes of every alternative.
 *
 * @example
 * ```ts
 * router.put('/orders/:id', jwtAuth(options), anyOf(requireRoles('admin'), requirePermissions('orders:write')), updateOrder);
 * ```
 */
export function anyOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): RouteGuard<TClaims> {
  return guard(core.anyOf<TClaims>(...policies));
}

/**
 * Route guard that lets a request through when the policy denies. A claim of the wrong type, or
 * a check that threw, still refuses.
 *
 * @example
 * ```ts
 * router.post('/comments', jwtAuth(options), not(requireRoles('banned')), comment);
 * ```
 */
export function not<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): RouteGuard<TClaims> {
  return guard(core.not<TClaims>(policy));
}
