/**
 * The adapter kit: what a framework adapter (`@jwt-gate/express`, `@jwt-gate/koa`,
 * `@jwt-gate/hono`, or one of your own) is built from. Applications need only the main entry.
 *
 * @module
 */

export { createAuthenticator } from './adapter/authenticate.js';
export type { AuthenticateOptions, Authenticator, AuthenticatorOptions } from './adapter/authenticate.js';
export { extractToken, incomingRequestView } from './adapter/extract.js';
export type { ExtractOptions, IncomingMessageLike, RequestView } from './adapter/extract.js';
export { assertGuardOrder, createGuard, markAuthentication, readAuthentication, recordAuthentication, recordedAuthentication } from './policies/policy.js';
export type { Guard } from './policies/policy.js';
export { createRouteGuards } from './adapter/route-guards.js';
export type { RouteGuards } from './adapter/route-guards.js';
