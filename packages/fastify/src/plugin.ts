import { AuthError, type Verifier } from '@jwt-gate/core';
import { assertGuardOrder, createMiddleware, type Middleware } from '@jwt-gate/core/adapter';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { authenticate, checkSignedCookie, refuseRequest, type AuthClaims, type JwtAuthOptions } from './jwt-auth.js';

/** What a route under the {@link jwtGate} plugin may say about its authentication, in `config.jwtGate`. */
export interface RouteAuthConfig {
  /** Let requests without a token through to this route (`request.auth` null), or not. Default: the plugin's `optional`. */
  optional?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This route's authentication under the `jwtGate` plugin: `false` leaves the route
     * unauthenticated (a health check, a login endpoint), `{ optional: true }` lets anonymous
     * requests through while a token that is sent must be valid. Absent: the plugin's options.
     */
    jwtGate?: false | RouteAuthConfig;
  }
}

/** Options of the {@link jwtGate} plugin: those of `jwtAuth()`, for every route of the scope. */
export type JwtGateOptions = JwtAuthOptions<AuthClaims> | { readonly verifier: Verifier<AuthClaims> };

type RouteSetting = undefined | false | { readonly optional: boolean } | { readonly optional?: undefined };

/** A route's `config.jwtGate`, or null when it is not one the plugin knows. */
function settingOf(value: unknown): RouteSetting | null {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'object' || value === null) return null;
  const { optional, ...rest } = value as RouteAuthConfig;
  return Object.keys(rest).length === 0 && (optional === undefined || typeof optional === 'boolean') ? (value as RouteSetting) : null;
}

const LIFECYCLE = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;

/** The hooks a route runs before its handler, in order. */
function routeHooks(route: RouteOptions): unknown[] {
  return LIFECYCLE.flatMap((name) => {
    const hooks: unknown = route[name];
    return Array.isArray(hooks) ? hooks : hooks === undefined ? [] : [hooks];
  });
}

const jwtGatePlugin: FastifyPluginCallback<JwtGateOptions> = (fastify, options, done) => {
  let middleware: Middleware<AuthClaims, FastifyRequest>;
  try {
    middleware = createMiddleware(options as JwtAuthOptions<AuthClaims>, 'jwtGate') as Middleware<AuthClaims, FastifyRequest>;
    checkSignedCookie(middleware, 'jwtGate');
  } catch (error) {
    // Options are refused at registration, failing the app's start.
    return done(error as Error);
  }
  // Both variants built now, sharing one verifier, for routes that choose optional authentication.
  const required = middleware.withOptional(false);
  const optional = middleware.withOptional(true);

  if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', null);

  // At start-up: a route's setting is checked, and a route guard on a route left unauthenticated
  // must have jwtAuth() in front of it among the route's own hooks.
  fastify.addHook('onRoute', (route) => {
    const setting = settingOf(route.config?.jwtGate);
    const where = `${String(route.method)} ${route.url}`;
    if (setting === null) throw new TypeError(`jwtGate: ${where}: config.jwtGate must be false or { optional: boolean }`);
    if (setting === false) assertGuardOrder(routeHooks(route), `${where} (config.jwtGate: false)`);
  });

  fastify.addHook('onRequest', function jwtGateHook(request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction): void {
    const setting = settingOf(request.routeOptions.config?.jwtGate);
    if (setting === false) return next();
    // A setting no route check saw (a route added before the plugin) is refused, never a pass.
    if (setting === null) return refuseRequest(middleware, new AuthError('ERR_CONFIG_INVALID', { message: 'jwtGate: config.jwtGate must be false or { optional: boolean }' }), request, reply, next);
    const chosen = setting === undefined || setting.optional === undefined ? middleware : setting.optional ? optional : required;
    authenticate(chosen, request, reply, next);
  });
  done();
};

/**
 * The Fastify plugin: register it, and every route of the scope (the app, or the encapsulated
 * plugin you register it in) needs a valid bearer token; `request.auth` holds the verified
 * token. Its options are those of `jwtAuth()`. A route says otherwise in its config:
 * `config: { jwtGate: false }` to stay open, `config: { jwtGate: { optional: true } }` to let
 * anonymous requests through. Route guards go in `preHandler`.
 *
 * It authenticates in an `onRequest` hook, so requests are refused before their body is read.
 * Registered on the app itself, it also authenticates requests that match no route (a client
 * without a token gets 401, not 404); in an encapsulated plugin, that plugin's routes only.
 * Register it (with `await`) before the routes it covers: they are checked as they are added,
 * and a route guard on a route with `config.jwtGate: false` and no `jwtAuth()` in front of it
 * among the route's hooks fails the app's start with `ERR_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { jwtGate, requireRoles } from '@jwt-gate/fastify';
 *
 * const app = Fastify();
 * await app.register(jwtGate, { issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' });
 * app.get('/health', { config: { jwtGate: false } }, () => ({ status: 'ok' }));
 * app.get('/me', (request) => ({ sub: request.auth?.claims.sub }));
 * app.get('/admin', { preHandler: requireRoles('admin') }, () => ({ ok: true }));
 * ```
 */
export const jwtGate: FastifyPluginCallback<JwtGateOptions> = fp(jwtGatePlugin, { fastify: '5.x', name: '@jwt-gate/fastify' });
