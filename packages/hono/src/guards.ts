import type { JWTPayload, Policy } from '@jwt-gate/core';
import { createRouteGuards, type RouteGuards } from '@jwt-gate/core/adapter';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { guardRequest, requestView } from './jwt-auth.js';

/**
 * A route guard: Hono middleware that lets a request through when its verified claims pass a
 * policy, and a policy itself, so guards combine (`anyOf(guardA, guardB)`) and fit
 * `jwtAuth({ policy })`. `jwtAuth()` must run before it, on the app or the route. It leaves
 * `c.var.auth` typed as that `jwtAuth()` declared it.
 *
 * It refuses the way the `jwtAuth()` in front of it does (see its `errors` option): 403
 * `insufficient_scope` when the policy denies (with `scope="..."` naming the scopes required,
 * where scopes were involved), 401 for an anonymous request under `optional: true`, and 500
 * `ERR_CONFIG_INVALID` when no `jwtAuth()` ran before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = MiddlewareHandler & Policy<TClaims>;

/** The core's policy helpers as Hono route guards (same names and behaviour in every adapter). */
const guards: RouteGuards<MiddlewareHandler> = createRouteGuards<MiddlewareHandler>((guard) => function jwtGuard(c: Context, next: Next): Promise<Response | void> {
    return guardRequest((session, context) => guard.check(session, requestView(context)), c, next);
  });

export const requireScopes: RouteGuards<MiddlewareHandler>['requireScopes'] = guards.requireScopes;
export const requireAnyScope: RouteGuards<MiddlewareHandler>['requireAnyScope'] = guards.requireAnyScope;
export const requireRoles: RouteGuards<MiddlewareHandler>['requireRoles'] = guards.requireRoles;
export const requirePermissions: RouteGuards<MiddlewareHandler>['requirePermissions'] = guards.requirePermissions;
export const claimEquals: RouteGuards<MiddlewareHandler>['claimEquals'] = guards.claimEquals;
export const claimIncludes: RouteGuards<MiddlewareHandler>['claimIncludes'] = guards.claimIncludes;
export const claimMatches: RouteGuards<MiddlewareHandler>['claimMatches'] = guards.claimMatches;
export const claimCheck: RouteGuards<MiddlewareHandler>['claimCheck'] = guards.claimCheck;
export const allOf: RouteGuards<MiddlewareHandler>['allOf'] = guards.allOf;
export const anyOf: RouteGuards<MiddlewareHandler>['anyOf'] = guards.anyOf;
export const not: RouteGuards<MiddlewareHandler>['not'] = guards.not;
