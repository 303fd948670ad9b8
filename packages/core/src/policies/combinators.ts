// Combinators: policies made of policies, evaluated in order and synchronous until one part is not.

import type { JWTPayload } from 'jose';
import type { RequestView } from '../adapter/extract.js';
import { ALLOW, deny, NO_SCOPES, policyNode, define, UNDECIDED, type Policy, type PolicyDecision, type PolicyFailure, type PolicyKind, type PolicyNode, type PolicyRule } from './policy.js';

function children(kind: PolicyKind, policies: readonly unknown[]): PolicyNode[] {
  if (policies.length === 0) throw new TypeError(`${kind}: combine at least one policy`);
  return policies.map((policy, i) => policyNode(policy, `${kind}: argument ${i + 1}`));
}

// Runs `nodes` in order (a predicate may hit a database: no surprise parallelism), staying
// synchronous until one of them is not. `visit` returns a decision to stop with.
function sequence(
  nodes: readonly PolicyNode[],
  claims: object,
  request: RequestView | undefined,
  visit: (decision: PolicyDecision) => PolicyDecision | undefined,
  done: () => PolicyDecision,
): PolicyDecision | Promise<PolicyDecision> {
  const from = (start: number): PolicyDecision | Promise<PolicyDecision> => {
    for (let i = start; i < nodes.length; i++) {
      const decision = (nodes[i] as PolicyNode).evaluate(claims, request);
      if (decision instanceof Promise) return decision.then((settled) => visit(settled) ?? from(i + 1));
      const stop = visit(decision);
      if (stop !== undefined) return stop;
    }
    return done();
  };
  return from(0);
}

/**
 * Allows when every policy allows; evaluated in order, stopping at the first denial, which is
 * the one reported.
 *
 * @example
 * ```ts
 * allOf(requireScopes('write:orders'), claimEquals('email_verified', true));
 * ```
 */
export function allOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): Policy<TClaims> {
  const nodes = children('allOf', policies);
  const rule: PolicyRule = { kind: 'allOf', of: nodes.map((node) => node.rule) };
  return define<TClaims>(rule, (claims, request) =>
    sequence(nodes, claims, request, (decision) => (decision.allowed ? undefined : decision), () => ALLOW),
  );
}

/**
 * Allows when at least one policy allows; evaluated in order, stopping at the first that
 * allows. A denial lists why each alternative denied, and names the scopes of all of them.
 *
 * @example
 * ```ts
 * anyOf(requireRoles('admin'), requirePermissions('orders:write'));
 * ```
 */
export function anyOf<TClaims extends JWTPayload = JWTPayload>(...policies: [Policy<TClaims>, ...Policy<TClaims>[]]): Policy<TClaims> {
  const nodes = children('anyOf', policies);
  const rule: PolicyRule = { kind: 'anyOf', of: nodes.map((node) => node.rule) };
  return define<TClaims>(rule, (claims, request) => {
    const failures: PolicyFailure[] = [];
    const scopes = new Set<string>();
    return sequence(
      nodes,
      claims,
      request,
      (decision) => {
        if (decision.allowed) return decision;
        failures.push(decision.failure);
        for (const scope of decision.scopes) scopes.add(scope);
        return undefined;
      },
      () => {
        // An undecided alternative keeps the whole undecided, so that not() cannot flip it.
        const undecided = failures.find((failure) => UNDECIDED.has(failure.reason));
        return deny({ rule, reason: undecided?.reason ?? 'mismatch', failures: Object.freeze(failures) }, scopes.size === 0 ? NO_SCOPES : Object.freeze([...scopes]));
      },
    );
  });
}

/**
 * Allows when the policy denies, and denies when it allows. A rule that could not be decided (a
 * claim of the wrong type, past the size bounds, or a predicate that threw) still denies:
 * `not(claimEquals('suspended', true))` refuses `suspended: "true"`.
 *
 * @example
 * ```ts
 * not(requireRoles('banned'));
 * ```
 */
export function not<TClaims extends JWTPayload = JWTPayload>(policy: Policy<TClaims>): Policy<TClaims> {
  const [node] = children('not', [policy]) as [PolicyNode];
  const rule: PolicyRule = { kind: 'not', of: [node.rule] };
  const invert = (decision: PolicyDecision): PolicyDecision => {
    if (decision.allowed) return deny({ rule, reason: 'negated' });
    return UNDECIDED.has(decision.failure.reason) ? decision : ALLOW;
  };
  return define<TClaims>(rule, (claims, request) => {
    const decision = node.evaluate(claims, request);
    return decision instanceof Promise ? decision.then(invert) : invert(decision);
  });
}
