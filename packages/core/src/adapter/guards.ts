/**
 * Route guards for adapters: a policy checked against the session a `jwtAuth()` recorded, and
 * the marks that let an adapter check at start-up that every guard has authentication in front.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import { enforce } from '../policies/evaluate.js';
import { carryPolicy, policyNode, type Policy, type PolicyRule } from '../policies/policy.js';
import type { AuthResult } from './authenticate.js';
import { sessionResult, type AuthSession } from './middleware.js';
import type { RequestView } from './request-view.js';

/** A per-route guard, as adapters build it from a policy. See {@link createGuard}. */
export interface Guard<TClaims extends JWTPayload = JWTPayload> {
  /** The policy it enforces. */
  readonly policy: Policy<TClaims>;
  /**
   * Checks a request against the policy, given the session its `jwtAuth()` recorded, and
   * resolves with the verified token. Rejects with an {@link AuthError}: `ERR_CONFIG_INVALID`
   * (500) when there is no session (no `jwtAuth()` in front), `ERR_TOKEN_MISSING` (401) for an
   * anonymous request, `ERR_INSUFFICIENT_SCOPE` (403) when the policy denies.
   */
  check(session: AuthSession | undefined, request?: RequestView): Promise<AuthResult<TClaims>>;
  /**
   * Marks a framework handler as this guard: it then counts as a policy (for `jwtAuth({ policy })`
   * and the combinators) and as a guard for {@link assertGuardOrder}. Returns the handler.
   */
  attach<THandler extends object>(handler: THandler): THandler & Policy<TClaims>;
}

// What a handler is, for assertGuardOrder: a mark the kit puts on handlers it made.
const ROLE = Symbol('jwt-gate.role');
type Role = 'authentication' | 'guard';

function mark<T extends object>(handler: T, role: Role, where: string): T {
  if ((typeof handler !== 'object' && typeof handler !== 'function') || handler === null) throw new TypeError(`${where}: handler must be a function or an object`);
  Object.defineProperty(handler, ROLE, { value: role });
  return handler;
}

function roleOf(handler: unknown): Role | undefined {
  return (typeof handler === 'object' || typeof handler === 'function') && handler !== null && Object.hasOwn(handler, ROLE) ? (handler as { [ROLE]: Role })[ROLE] : undefined;
}

/**
 * Builds the framework-free part of a per-route guard once, at start-up. The adapter's handler
 * calls `guard.check(session, view)` and passes itself to `guard.attach`.
 *
 * @example An Express guard in a few lines
 * ```ts
 * export function requireScopes(...scopes: [string, ...string[]]) {
 *   const guard = createGuard(core.requireScopes(...scopes));
 *   return guard.attach((req: Request, res: Response, next: NextFunction) => {
 *     guard.check(sessionOf(req), nodeRequestView(req)).then(() => next(), next);
 *   });
 * }
 * ```
 */
export function createGuard<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): Guard<TClaims> {
  const node = policyNode(policy, 'createGuard');
  return Object.freeze({
    policy,
    async check(session: AuthSession | undefined, request?: RequestView): Promise<AuthResult<TClaims>> {
      const result = sessionResult(session, 'A route guard ran without jwtAuth() in front of it', { rule: node.rule });
      const { realm, resourceMetadata, dpop } = session as AuthSession;
      try {
        await enforce(node, result.claims, request, realm);
      } catch (error) {
        if (!isAuthError(error)) throw error;
        const named = error.withResourceMetadata(resourceMetadata);
        throw error.status === 500 || error.status === 503 ? named : named.withDPoP(dpop);
      }
      return result as AuthResult<TClaims>;
    },
    attach<THandler extends object>(handler: THandler): THandler & Policy<TClaims> {
      return mark(carryPolicy(handler, node), 'guard', 'attach') as THandler & Policy<TClaims>;
    },
  });
}

/**
 * Marks a framework handler as authentication (the adapter's `jwtAuth()` middleware), for
 * {@link assertGuardOrder}. Returns the handler.
 *
 * @example
 * ```ts
 * return markAuthentication(async function jwtAuthMiddleware(ctx, next) { ... });
 * ```
 */
export function markAuthentication<THandler extends object>(handler: THandler): THandler {
  return mark(handler, 'authentication', 'markAuthentication');
}

/**
 * At start-up: given the handlers that run for one route, in order, throws an {@link AuthError}
 * `ERR_CONFIG_INVALID` when a guard (see {@link Guard.attach}) comes before any authentication
 * (see {@link markAuthentication}). `where` names the route in the message (`"GET /admin"`).
 * Other handlers are ignored.
 *
 * @example
 * ```ts
 * for (const route of routes) assertGuardOrder(route.handlers, `${route.method} ${route.path}`);
 * ```
 */
export function assertGuardOrder(handlers: Iterable<unknown>, where: string): void {
  for (const handler of handlers) {
    const role = roleOf(handler);
    if (role === 'authentication') return;
    if (role === 'guard') {
      const rule = (handler as { rule: PolicyRule }).rule;
      throw new AuthError('ERR_CONFIG_INVALID', {
        message: `${where}: the ${rule.kind} guard has no jwtAuth() in front of it, so it could never see a token; put jwtAuth() before it`,
        details: { where, rule },
      });
    }
  }
}
