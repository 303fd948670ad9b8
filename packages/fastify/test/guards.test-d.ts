import Fastify from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import {
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  jwtAuth,
  not,
  requireRoles,
  requireScopes,
  type AuthHook,
  type AuthResult,
  type JWTPayload,
  type Policy,
  type RequestView,
  type RouteGuard,
} from '../src/index.js';

interface Claims extends JWTPayload {
  tenant: string;
  roles: string[];
}

interface OtherClaims extends JWTPayload {
  tenant: number;
}

declare const options: { issuer: string; audience: string; secret: string };

describe('route guards (Fastify)', () => {
  it('are hooks and policies', () => {
    expectTypeOf(requireRoles('admin')).toEqualTypeOf<RouteGuard>();
    expectTypeOf(requireRoles('admin')).toExtend<AuthHook>();
    expectTypeOf(requireScopes(['orders.write'], { claim: 'scp' })).toExtend<Policy>();
    expectTypeOf<RouteGuard>().toExtend<RouteGuard<Claims>>();
  });

  it('take the claims type declared once, in claimCheck, the combinators and jwtAuth({ policy })', () => {
    const sameTenant = claimCheck<Claims>((claims, request) => {
      expectTypeOf(claims).toEqualTypeOf<Claims>();
      expectTypeOf(request).toEqualTypeOf<RequestView | undefined>();
      return claims.tenant === request?.header('x-tenant');
    });
    expectTypeOf(sameTenant).toEqualTypeOf<RouteGuard<Claims>>();
    expectTypeOf(allOf(requireRoles('admin'), sameTenant)).toEqualTypeOf<RouteGuard<Claims>>();
    expectTypeOf(anyOf(sameTenant, not(claimEquals('suspended', true)))).toEqualTypeOf<RouteGuard<Claims>>();
    const auth = jwtAuth<Claims>({
      ...options,
      policy: claimCheck((claims) => {
        expectTypeOf(claims).toEqualTypeOf<Claims>();
        return claims.tenant === 'acme';
      }),
    });
    expectTypeOf(auth.getAuth).returns.toEqualTypeOf<AuthResult<Claims>>();
    // The policy's claims type is the result's: declared once, in the predicate.
    expectTypeOf(jwtAuth({ ...options, policy: claimCheck((claims: Claims) => claims.roles.includes('admin')) }).getAuth).returns.toEqualTypeOf<AuthResult<Claims>>();
    // @ts-expect-error a policy over claims that contradict the declared ones
    jwtAuth<Claims>({ ...options, policy: claimCheck((claims: OtherClaims) => claims.tenant === 1) });
  });

  it('fit preHandler, onRequest and addHook', () => {
    Fastify()
      .get('/admin', { onRequest: jwtAuth<Claims>(options), preHandler: [requireRoles('admin'), claimCheck<Claims>((claims) => claims.tenant === 'acme')] }, () => ({}))
      .addHook('preHandler', requireScopes('profile:read'));
  });
});
