import type { ConformanceAuthOptions, ConformanceSetup } from './harness.js';

type ClaimPath = string | readonly string[];
type ClaimValue = string | number | boolean | null;

/**
 * The route guard builders every adapter exports under the same names, as the conformance apps
 * call them; `G` is the adapter's guard type. An adapter's module fits it as is:
 * `route.guard<RouteGuard>(adapter)`.
 */
export interface GuardBuilders<G> {
  requireScopes(...scopes: [string, ...string[]]): G;
  requireAnyScope(...scopes: [string, ...string[]]): G;
  requireRoles(roles: readonly string[], options?: { claim?: ClaimPath }): G;
  requirePermissions(...permissions: [string, ...string[]]): G;
  claimEquals(claim: ClaimPath, value: ClaimValue): G;
  claimIncludes(claim: ClaimPath, ...values: [ClaimValue, ...ClaimValue[]]): G;
  claimMatches(claim: ClaimPath, pattern: RegExp): G;
  claimCheck(
    predicate: (claims: Readonly<Record<string, unknown>>, request: { header(name: string): unknown } | undefined) => boolean | Promise<boolean>,
    options?: { name?: string },
  ): G;
  allOf(...guards: [G, ...G[]]): G;
  anyOf(...guards: [G, ...G[]]): G;
  not(guard: G): G;
}

/** The guarded routes of every conformance app, each `GET /<name>`. */
export type GuardedRouteName =
  | 'write'
  | 'edit'
  | 'realm'
  | 'namespaced'
  | 'verified'
  | 'combined'
  | 'tenant'
  | 'orders'
  | 'builtin-roles'
  | 'inherited'
  | 'global'
  | 'members'
  | 'many-roles'
  | 'misconfigured';

/**
 * What runs in front of a route's guard:
 * - `required`: `jwtAuth(setup.auth)`;
 * - `optional`: `jwtAuth(setup.optionalAuth)`;
 * - `large-tokens`: `jwtAuth({ ...setup.auth, maxTokenSize: LARGE_TOKEN_SIZE })`;
 * - `policy`: no route guard; the guard is `jwtAuth({ ...setup.auth, policy: guard })`'s global policy;
 * - `none`: nothing, a misconfiguration every request must see refused with 500.
 */
export type GuardedAuth = 'required' | 'optional' | 'large-tokens' | 'policy' | 'none';

/** One guarded route: `GET <path>`, `auth` in front, then the guard, then a handler that answers `{ route, sub }`. */
export interface GuardedRoute {
  readonly name: GuardedRouteName;
  readonly path: `/${GuardedRouteName}`;
  readonly auth: GuardedAuth;
  guard<G>(builders: GuardBuilders<G>): G;
}

/** The token size cap of the `large-tokens` routes: room for a 5000-entry claim, within Node's 16 KiB of request headers. */
export const LARGE_TOKEN_SIZE = 16_000;

const route = (name: GuardedRouteName, auth: GuardedAuth, guard: GuardedRoute['guard']): GuardedRoute => ({ name, path: `/${name}`, auth, guard });

/**
 * The guarded routes every adapter's conformance app serves, with the adapter's own guard builders.
 *
 * @example
 * ```ts
 * import * as adapter from '../src/index.js';
 * for (const route of GUARDED_ROUTES) {
 *   const guard = route.guard<RouteGuard>(adapter);
 *   const options = guardedAuthOptions(setup, route);
 *   // app.get(route.path, jwtAuth(options), guard, handler) ...
 * }
 * ```
 */
export const GUARDED_ROUTES: readonly GuardedRoute[] = [
  route('write', 'required', (h) => h.requireScopes('write')),
  route('edit', 'required', (h) => h.requireAnyScope('write', 'admin')),
  // Keycloak keeps roles under realm_access; the top-level `roles` claim does not count here.
  route('realm', 'required', (h) => h.requireRoles(['admin'], { claim: ['realm_access', 'roles'] })),
  // Auth0-style namespaced claim: one claim name, dots and slashes included, never split.
  route('namespaced', 'required', (h) => h.requireRoles(['admin'], { claim: 'https://jwt-gate.test/roles' })),
  route('verified', 'required', (h) => h.claimEquals('email_verified', true)),
  route('combined', 'required', (h) => h.anyOf(h.requireRoles(['admin']), h.allOf(h.requireScopes('write'), h.not(h.requireRoles(['suspended']))))),
  route('tenant', 'required', (h) =>
    h.claimCheck((claims, request) => typeof claims['tenant'] === 'string' && request?.header('x-tenant') === claims['tenant'], { name: 'same-tenant' }),
  ),
  route('orders', 'required', (h) => h.allOf(h.requirePermissions('orders:read'), h.claimIncludes('amr', 'mfa'), h.claimMatches('email', /@jwt-gate\.test$/))),
  // Role names that are also Object.prototype members: held only when the token lists them.
  route('builtin-roles', 'required', (h) => h.requireRoles(['toString', 'constructor'])),
  // A claim named like an inherited member: read as an own property, so absent from every token here.
  route('inherited', 'required', (h) => h.requireRoles(['admin'], { claim: 'constructor' })),
  route('global', 'policy', (h) => h.requireScopes('profile:read')),
  route('members', 'optional', (h) => h.requireRoles(['user'])),
  route('many-roles', 'large-tokens', (h) => h.requireRoles(['admin'])),
  route('misconfigured', 'none', (h) => h.requireRoles(['admin'])),
];

/** The `jwtAuth` options in front of a guarded route (for `policy`, the driver adds the guard as `policy`); undefined for `none`. */
export function guardedAuthOptions(
  setup: ConformanceSetup,
  route: GuardedRoute,
): (ConformanceAuthOptions & { readonly optional?: true; readonly maxTokenSize?: number }) | undefined {
  switch (route.auth) {
    case 'optional':
      return setup.optionalAuth;
    case 'large-tokens':
      return { ...setup.auth, maxTokenSize: LARGE_TOKEN_SIZE };
    case 'none':
      return undefined;
    default:
      return setup.auth;
  }
}
