import type { JWTPayload, Policy } from '@jwt-gate/core';
import { createRouteGuards, type RouteGuards } from '@jwt-gate/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import { guardRequest, requestView } from './jwt-auth.js';

/**
 * A route guard: Koa middleware that lets a request through when its verified claims pass a
 * policy, and a policy itself, so guards combine (`anyOf(guardA, guardB)`) and fit
 * `jwtAuth({ policy })`. `jwtAuth()` must run before it, on the app or the route.
 *
 * It refuses the way the `jwtAuth()` in front of it does (see its `errors` option): 403
 * `insufficient_scope` when the policy denies (with `scope="..."` naming the scopes required,
 * where scopes were involved), 401 for an anonymous request under `optional: true`, and 500
 * `ERR_CONFIG_INVALID` when no `jwtAuth()` ran before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = Middleware & Policy<TClaims>;

/** The core's policy helpers as Koa route guards (same names and behaviour in every adapter). */
const guards: RouteGuards<Middleware> = createRouteGuards<Middleware>((guard) => function jwtGuard(ctx: Context, next: Next): Promise<void> {
    return guardRequest((session, context) => guard.check(session, requestView(context)), ctx, next);
  });

export const requireScopes: RouteGuards<Middleware>['requireScopes'] = guards.requireScopes;
export const requireAnyScope: RouteGuards<Middleware>['requireAnyScope'] = guards.requireAnyScope;
export const requireRoles: RouteGuards<Middleware>['requireRoles'] = guards.requireRoles;
export const requirePermissions: RouteGuards<Middleware>['requirePermissions'] = guards.requirePermissions;
export const claimEquals: RouteGuards<Middleware>['claimEquals'] = guards.claimEquals;
export const claimIncludes: RouteGuards<Middleware>['claimIncludes'] = guards.claimIncludes;
export const claimMatches: RouteGuards<Middleware>['claimMatches'] = guards.claimMatches;
export const claimCheck: RouteGuards<Middleware>['claimCheck'] = guards.claimCheck;
export const allOf: RouteGuards<Middleware>['allOf'] = guards.allOf;
export const anyOf: RouteGuards<Middleware>['anyOf'] = guards.anyOf;
export const not: RouteGuards<Middleware>['not'] = guards.not;
