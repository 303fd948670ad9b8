// Evaluating a policy on verified claims, and enforcing it: a denial becomes a 403 AuthError.

import type { JWTPayload } from 'jose';
import type { AuthResult } from '../adapter/authenticate.js';
import type { RequestView } from '../adapter/extract.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import { pathLabel } from './claim-reads.js';
import { deny, policyNode, type Policy, type PolicyDecision, type PolicyNode } from './policy.js';

/** Options of {@link authorize}. */
export interface AuthorizeOptions {
  /** The request, passed on to `claimCheck` predicates. */
  request?: RequestView;
  /** The realm of the challenge. Default `"api"`. */
  realm?: string;
}

function checkClaims(claims: unknown, where: string): object {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError(`${where}: claims must be a verified claims object`);
  return claims;
}

async function run(node: PolicyNode, claims: object, request: RequestView | undefined): Promise<PolicyDecision> {
  try {
    return await node.evaluate(claims, request);
  } catch (error) {
    if (isAuthError(error)) throw error;
    // A throwing getter on hand-made claims, say: deny rather than crash.
    return deny({ rule: node.rule, reason: 'error', cause: error });
  }
}

function denial(decision: PolicyDecision & { allowed: false }, realm: string | undefined): AuthError {
  const { failure, scopes } = decision;
  return new AuthError('ERR_INSUFFICIENT_SCOPE', {
    ...(realm === undefined ? {} : { realm }),
    ...(scopes.length === 0 ? {} : { scope: scopes }),
    ...(failure.claim === undefined ? {} : { claim: pathLabel(failure.claim) }),
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
    reason: failure.reason,
    details: failure,
  });
}

/**
 * Evaluates a policy on verified claims and resolves with the decision: `{ allowed: true }`, or
 * the failed rule and the scopes involved. Never rejects for a denial; rejects only with an
 * {@link AuthError} that a `claimCheck` predicate threw, or a TypeError for a non-policy.
 *
 * @example
 * ```ts
 * const decision = await evaluatePolicy(requireScopes('read:orders'), auth.claims);
 * if (!decision.allowed) log.info({ failure: decision.failure }, 'denied');
 * ```
 */
export async function evaluatePolicy<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>, claims: TClaims, request?: RequestView): Promise<PolicyDecision> {
  const node = policyNode(policy, 'evaluatePolicy');
  return run(node, checkClaims(claims, 'evaluatePolicy'), request);
}

/**
 * Enforces a policy on an authentication result: resolves when it allows, rejects with an
 * {@link AuthError} otherwise: `ERR_INSUFFICIENT_SCOPE` (403, challenge
 * `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope"`
 * plus `scope="..."` when scopes were involved; `details` holds the {@link PolicyFailure}), or
 * `ERR_TOKEN_MISSING` (401) when `auth` is null or undefined (an anonymous request).
 *
 * @example Inside a handler, a GraphQL resolver, a queue consumer
 * ```ts
 * await authorize(requireScopes('write:orders'), req.auth, { realm: 'orders' });
 * ```
 */
export async function authorize<TClaims extends JWTPayload = JWTPayload>(
  policy: Policy<TClaims>,
  auth: { readonly claims: TClaims } | null | undefined,
  options: AuthorizeOptions = {},
): Promise<void> {
  const node = policyNode(policy, 'authorize');
  const { request, realm } = options;
  if (auth === null || auth === undefined) throw new AuthError('ERR_TOKEN_MISSING', realm === undefined ? {} : { realm });
  await enforce(node, checkClaims(auth.claims, 'authorize'), request, realm);
}

/**
 * @internal Evaluates `node` and throws the 403 of a denial (or an AuthError a predicate threw),
 * in `realm`: synchronously when every rule answered at once, else through the returned promise.
 */
export function enforce(node: PolicyNode, claims: object, request: RequestView | undefined, realm: string | undefined): void | Promise<void> {
  const thrown = (error: unknown): never => {
    if (isAuthError(error)) throw realm !== undefined ? error.withRealm(realm) : error;
    // A throwing getter on hand-made claims, say: deny rather than crash.
    return settle(deny({ rule: node.rule, reason: 'error', cause: error })) as never;
  };
  const settle = (decision: PolicyDecision): void => {
    if (!decision.allowed) throw denial(decision, realm);
  };
  let decision: PolicyDecision | Promise<PolicyDecision>;
  try {
    decision = node.evaluate(claims, request);
  } catch (error) {
    return thrown(error);
  }
  return decision instanceof Promise ? decision.then(settle, thrown) : settle(decision);
}

/**
 * @internal For `createAuthenticator`: the policy's check, resolved once at creation.
 */
export function compilePolicy(policy: unknown, where: string): (auth: AuthResult, request: RequestView, realm: string) => void | Promise<void> {
  const node = policyNode(policy, where);
  return (auth, request, realm) => enforce(node, auth.claims, request, realm);
}
