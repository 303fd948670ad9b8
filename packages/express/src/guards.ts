import type { JWTPayload, Policy } from '@jwt-gate/core';
import { createRouteGuards, nodeRequestView, type RouteGuards } from '@jwt-gate/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { guardRequest } from './jwt-auth.js';

/**
 * A route guard: Express middleware that lets a request through when its verified claims pass
 * a policy, and a policy itself, so guards combine (`anyOf(guardA, guardB)`) and fit
 * `jwtAuth({ policy })`. `jwtAuth()` must run before it.
 *
 * It refuses with an `AuthError` the way the `jwtAuth()` in front of it does (see its `errors`
 * option): 403 `insufficient_scope` when the policy denies (with `scope="..."` naming the scopes
 * required, where scopes were involved), 401 for an anonymous request under `optional: true`,
 * and 500 `ERR_CONFIG_INVALID` when no `jwtAuth()` ran before it, never a pass.
 */
export type RouteGuard<TClaims extends JWTPayload = JWTPayload> = RequestHandler & Policy<TClaims>;

/** The core's policy helpers as Express route guards (same names and behaviour in every adapter). */
const guards: RouteGuards<RequestHandler> = createRouteGuards<RequestHandler>((guard) => function jwtGuard(req: Request, res: Response, next: NextFunction): void {
    guardRequest((session, request) => guard.check(session, nodeRequestView(request)), req, res, next);
  });

export const requireScopes: RouteGuards<RequestHandler>['requireScopes'] = guards.requireScopes;
export const requireAnyScope: RouteGuards<RequestHandler>['requireAnyScope'] = guards.requireAnyScope;
export const requireRoles: RouteGuards<RequestHandler>['requireRoles'] = guards.requireRoles;
export const requirePermissions: RouteGuards<RequestHandler>['requirePermissions'] = guards.requirePermissions;
export const claimEquals: RouteGuards<RequestHandler>['claimEquals'] = guards.claimEquals;
export const claimIncludes: RouteGuards<RequestHandler>['claimIncludes'] = guards.claimIncludes;
export const claimMatches: RouteGuards<RequestHandler>['claimMatches'] = guards.claimMatches;
export const claimCheck: RouteGuards<RequestHandler>['claimCheck'] = guards.claimCheck;
export const allOf: RouteGuards<RequestHandler>['allOf'] = guards.allOf;
export const anyOf: RouteGuards<RequestHandler>['anyOf'] = guards.anyOf;
export const not: RouteGuards<RequestHandler>['not'] = guards.not;
