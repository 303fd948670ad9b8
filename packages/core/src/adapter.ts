/**
 * The adapter kit: what a framework adapter (`@jwt-gate/express`, `@jwt-gate/koa`,
 * `@jwt-gate/hono`, or one of your own) is built from. An adapter reads the request through its
 * framework's public API into a {@link RequestView}, calls {@link createMiddleware}'s
 * `authenticate`, records the session in its framework's per-request state, and translates
 * refusals. Applications need only the main entry point.
 *
 * @module
 */

export { createAuthenticator } from './adapter/authenticate.js';
export type { AuthenticateOptions, Authenticator, AuthenticatorOptions, AuthResult } from './adapter/authenticate.js';
export { createMiddleware, reportRefusal, sessionResult } from './adapter/middleware.js';
export type { AuthSession, CookieOption, ErrorMode, Middleware, MiddlewareExtras, MiddlewareOptions } from './adapter/middleware.js';
export { extractToken } from './adapter/extract.js';
export type { ExtractOptions } from './adapter/extract.js';
export { headersRequestView, nodeRequestView } from './adapter/request-view.js';
export type { NodeRequestLike, RequestView } from './adapter/request-view.js';
export { assertGuardOrder, createGuard, markAuthentication } from './adapter/guards.js';
export type { Guard } from './adapter/guards.js';
export { createRouteGuards } from './adapter/route-guards.js';
export type { RouteGuards } from './adapter/route-guards.js';
export { answerMetadataRequest, readMetadata } from './metadata/serve.js';
export type { MetadataResponse } from './metadata/serve.js';
