import type { AuthResult, JWTPayload, Policy } from '@jwt-gate/core';
import { createRouteGuards, type RouteGuards } from '@jwt-gate/core/adapter';
import { guardRequest, requestView, type AuthHandler } from './jwt-auth.js';

/**
 * Wraps a handler so that it runs only when the request's verified claims pass a policy. The
 * handler it returns takes the place of the one {@link withAuth} wraps, and receives the verified
 * token (never undefined: an anonymous request is refused).
 */
export type GuardWrapper = <TClaims extends JWTPayload = JWTPayload, TRequest extends Request = Request, TArgs extends unknown[] = []>(
  handler: AuthHandler<AuthResult<TClaims>, TRequest, TArgs>,
) => AuthHandler<unknown, TRequest, TArgs>;

/**
 * A route guard: a function that wraps a handler (`requireRoles('admin')(handler)`), and a
 * policy itself, so guards combine (`anyOf(guardA, guardB)`) and fit `withAuth(handler, {
 * policy })`. The wrapped handler goes inside `withAuth()` (or runs after an `authenticate` from
 * `jwtAuth()` accepted the same request), which records the verified token it reads.
 *
 * It refuses the way the `withAuth()` in front of it does (see its `errors` option): 403
 * `insufficient_scope` when the policy denies (with `scope="..."` naming the scopes required,
 * where scopes were involved), 401 for an anonymous request under `optional: true`, and 500
 * `ERR_CONFIG_INVALID` when nothing authenticated the request before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = GuardWrapper & Policy<TClaims>;

/** The core's policy helpers as handler wrappers (same names and behaviour in every adapter). */
const guards: RouteGuards<GuardWrapper> = createRouteGuards<GuardWrapper>(
  (guard) =>
    function jwtGuard<TClaims extends JWTPayload, TRequest extends Request, TArgs extends unknown[]>(handler: AuthHandler<AuthResult<TClaims>, TRequest, TArgs>): AuthHandler<unknown, TRequest, TArgs> {
      if (typeof handler !== 'function') throw new TypeError('a route guard wraps a handler: requireRoles("admin")((request, auth) => Response)');
      return (request: TRequest, _auth: unknown, ...args: TArgs) =>
        guardRequest(
          request,
          (session) => guard.check(session, requestView(request, 'route guard')),
          (auth) => handler(request, auth as AuthResult<TClaims>, ...args),
        );
    },
);

export const requireScopes: RouteGuards<GuardWrapper>['requireScopes'] = guards.requireScopes;
export const requireAnyScope: RouteGuards<GuardWrapper>['requireAnyScope'] = guards.requireAnyScope;
export const requireRoles: RouteGuards<GuardWrapper>['requireRoles'] = guards.requireRoles;
export const requirePermissions: RouteGuards<GuardWrapper>['requirePermissions'] = guards.requirePermissions;
export const claimEquals: RouteGuards<GuardWrapper>['claimEquals'] = guards.claimEquals;
export const claimIncludes: RouteGuards<GuardWrapper>['claimIncludes'] = guards.claimIncludes;
export const claimMatches: RouteGuards<GuardWrapper>['claimMatches'] = guards.claimMatches;
export const claimCheck: RouteGuards<GuardWrapper>['claimCheck'] = guards.claimCheck;
export const allOf: RouteGuards<GuardWrapper>['allOf'] = guards.allOf;
export const anyOf: RouteGuards<GuardWrapper>['anyOf'] = guards.anyOf;
export const not: RouteGuards<GuardWrapper>['not'] = guards.not;
