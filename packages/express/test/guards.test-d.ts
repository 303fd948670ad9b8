import express, { type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import {
  allOf,
  anyOf,
  assertGuarded,
  claimCheck,
  claimEquals,
  getAuth,
  jwtAuth,
  not,
  requireRoles,
  requireScopes,
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

describe('route guards (Express)', () => {
  it('are request handlers and policies', () => {
    expectTypeOf(requireRoles('admin')).toEqualTypeOf<RouteGuard>();
    expectTypeOf(requireRoles('admin')).toExtend<RequestHandler>();
    expectTypeOf(requireScopes(['orders.write'], { claim: 'scp' })).toExtend<Policy>();
    expectTypeOf<RouteGuard>().toExtend<RouteGuard<Claims>>();
    // @ts-expect-error options only follow an array
    requireRoles('admin', { claim: 'groups' });
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
    jwtAuth<Claims>({
      ...options,
      policy: allOf(
        requireScopes('orders:read'),
        claimCheck((claims) => {
          expectTypeOf(claims).toEqualTypeOf<Claims>();
          return claims.roles.includes('admin');
        }),
      ),
    });
    // @ts-expect-error a policy over claims that contradict the declared ones
    jwtAuth<Claims>({ ...options, policy: claimCheck((claims: OtherClaims) => claims.tenant === 1) });
    // @ts-expect-error guards over contradicting claims do not combine
    allOf(sameTenant, claimCheck((claims: OtherClaims) => claims.tenant === 1));
  });

  it('leave req.auth and getAuth typed in the handler behind them', () => {
    express().get('/tenant', jwtAuth<Claims>(options), requireRoles('admin'), claimCheck<Claims>((claims) => claims.tenant === 'acme'), (req) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthResult | undefined>();
      expectTypeOf(getAuth<Claims>(req)).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(getAuth<Claims>(req).claims.tenant).toEqualTypeOf<string>();
    });
    express().use(jwtAuth(options), requireScopes('orders:read'));
    express.Router().post('/orders', requireScopes('orders:write'), (req) => {
      expectTypeOf(getAuth(req).claims).toEqualTypeOf<JWTPayload>();
    });
  });

  it('assertGuarded takes an app or a router', () => {
    assertGuarded(express());
    assertGuarded(express.Router());
    // @ts-expect-error not an Express app
    assertGuarded({ routes: [] });
  });
});
