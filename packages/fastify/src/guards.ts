import type { JWTPayload, Policy } from '@jwt-gate/core';
import { createRouteGuards, type RouteGuards } from '@jwt-gate/core/adapter';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { guardRequest, requestView, type AuthHook } from './jwt-auth.js';

/**
 * A route guard: a Fastify hook (put it in a route's `preHandler`) that lets a request through
 * when its verified claims pass a policy, and a policy itself, so guards combine
 * (`anyOf(guardA, guardB)`) and fit `jwtAuth({ policy })`. The `jwtGate` plugin or a `jwtAuth()`
 * hook must run before it.
 *
 * It refuses with an `AuthError` the way the authentication in front of it does (see its
 * `errors` option): 403 `insufficient_scope` when the policy denies (with `scope="..."` naming
 * the scopes required, where scopes were involved), 401 for an anonymous request under
 * optional authentication, and 500 `ERR_CONFIG_INVALID` when nothing authenticated the request
 * before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = AuthHook & Policy<TClaims>;

/** The core's policy helpers as Fastify route guards (same names and behaviour in every adapter). */
const guards: RouteGuards<AuthHook> = createRouteGuards<AuthHook>((guard) => function jwtGuard(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    guardRequest((session, req) => guard.check(session, requestView(req)), request, reply, done);
  });

export const requireScopes: RouteGuards<AuthHook>['requireScopes'] = guards.requireScopes;
export const requireAnyScope: RouteGuards<AuthHook>['requireAnyScope'] = guards.requireAnyScope;
export const requireRoles: RouteGuards<AuthHook>['requireRoles'] = guards.requireRoles;
export const requirePermissions: RouteGuards<AuthHook>['requirePermissions'] = guards.requirePermissions;
export const claimEquals: RouteGuards<AuthHook>['claimEquals'] = guards.claimEquals;
export const claimIncludes: RouteGuards<AuthHook>['claimIncludes'] = guards.claimIncludes;
export const claimMatches: RouteGuards<AuthHook>['claimMatches'] = guards.claimMatches;
export const claimCheck: RouteGuards<AuthHook>['claimCheck'] = guards.claimCheck;
export const allOf: RouteGuards<AuthHook>['allOf'] = guards.allOf;
export const anyOf: RouteGuards<AuthHook>['anyOf'] = guards.anyOf;
export const not: RouteGuards<AuthHook>['not'] = guards.not;
