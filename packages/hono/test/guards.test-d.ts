import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import {
  allOf,
  anyOf,
  assertGuarded,
  claimCheck,
  claimEquals,
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

describe('route guards (Hono)', () => {
  it('are middleware and policies', () => {
    expectTypeOf(requireRoles('admin')).toEqualTypeOf<RouteGuard>();
    expectTypeOf(requireRoles('admin')).toExtend<MiddlewareHandler>();
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
    new Hono().get(
      '/me',
      jwtAuth<Claims>({
        ...options,
        policy: claimCheck((claims) => {
          expectTypeOf(claims).toEqualTypeOf<Claims>();
          return claims.tenant === 'acme';
        }),
      }),
      (c) => {
        expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims>>();
        return c.json({});
      },
    );
    // The policy's claims type is the result's: declared once, in the predicate.
    new Hono().get('/me', jwtAuth({ ...options, policy: claimCheck((claims: Claims) => claims.roles.includes('admin')) }), (c) => {
      expectTypeOf(c.var.auth.claims.tenant).toEqualTypeOf<string>();
      return c.json({});
    });
    // @ts-expect-error a policy over claims that contradict the declared ones
    jwtAuth<Claims>({ ...options, policy: claimCheck((claims: OtherClaims) => claims.tenant === 1) });
  });

  it('leave c.var.auth typed as jwtAuth() declared it, on the route and app-wide', () => {
    new Hono().get('/tenant', jwtAuth<Claims>(options), requireRoles('admin'), claimCheck<Claims>((claims) => claims.tenant === 'acme'), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(c.get('auth').claims.tenant).toEqualTypeOf<string>();
      return c.json({});
    });
    new Hono()
      .use(jwtAuth<Claims>(options))
      .use(requireRoles('admin'))
      .get('/me', requireScopes('profile:read'), (c) => {
        expectTypeOf(c.var.auth.claims.tenant).toEqualTypeOf<string>();
        return c.json({});
      });
    new Hono().get('/hello', jwtAuth<Claims>({ ...options, optional: true }), requireRoles('user'), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      return c.json({});
    });
  });

  it('assertGuarded takes an app, whatever its env', () => {
    assertGuarded(new Hono());
    assertGuarded(new Hono<{ Variables: { tenant: string } }>().basePath('/api'));
    // @ts-expect-error not a Hono app
    assertGuarded({ middleware: [] });
  });
});
