/**
 * jwt-gate for Hono 4: `jwtAuth()` verifies the bearer token and sets `c.var.auth`; route
 * guards (`requireScopes`, `requireRoles`, `claimCheck`, `allOf`, ...) authorize by its claims;
 * `assertGuarded(app)` checks at start-up that every guard has `jwtAuth()` in front. Runs on
 * Node (through `@hono/node-server`), Bun, Deno and Workers.
 *
 * Adapter authors: the adapter builds a {@link RequestView} per request, calls the core
 * (`createAuthenticator`, `createGuard`), attaches the result and throws failures as
 * `HTTPException`s. Every rule lives in `@jwt-gate/core`.
 *
 * @module
 */

export { jwtAuth } from './jwt-auth.js';
export type { AuthVariables, JwtAuthMiddleware, JwtAuthOptions, OptionalAuthVariables } from './jwt-auth.js';
export {
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  not,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
} from './guards.js';
export type { RouteGuard } from './guards.js';
export { assertGuarded } from './assert-guarded.js';
export { AuthError, isAuthError } from '@jwt-gate/core';
export type {
  AuthErrorCode,
  AuthResult,
  ClaimCheckOptions,
  ClaimOptions,
  ClaimPath,
  ClaimPredicate,
  ClaimValue,
  JWTPayload,
  MatchOptions,
  Policy,
  RequestView,
  Verifier,
  VerifierOptions,
} from '@jwt-gate/core';
