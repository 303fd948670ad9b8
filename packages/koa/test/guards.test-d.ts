import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
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

describe('route guards (Koa)', () => {
  it('are middleware and policies', () => {
    expectTypeOf(requireRoles('admin')).toEqualTypeOf<RouteGuard>();
    expectTypeOf(requireRoles('admin')).toExtend<Middleware>();
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
    new Koa()
      .use(
        jwtAuth<Claims>({
          ...options,
          policy: claimCheck((claims) => {
            expectTypeOf(claims).toEqualTypeOf<Claims>();
            return claims.tenant === 'acme';
          }),
        }),
      )
      .use((ctx) => {
        expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims>>();
      });
    // The policy's claims type is the result's: declared once, in the predicate.
    new Koa().use(jwtAuth({ ...options, policy: claimCheck((claims: Claims) => claims.roles.includes('admin')) })).use((ctx) => {
      expectTypeOf(ctx.state.auth.claims.tenant).toEqualTypeOf<string>();
    });
    // @ts-expect-error a policy over claims that contradict the declared ones
    jwtAuth<Claims>({ ...options, policy: claimCheck((claims: OtherClaims) => claims.tenant === 1) });
  });

  it('leave ctx.state.auth typed as jwtAuth() declared it, on the app and on router routes', () => {
    new Koa()
      .use(jwtAuth<Claims>(options))
      .use(requireRoles('admin'))
      .use((ctx) => {
        expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims>>();
      });
    new Router().get('/tenant', jwtAuth<Claims>(options), requireRoles('admin'), claimCheck<Claims>((claims) => claims.tenant === 'acme'), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(ctx.state.auth.claims.tenant).toEqualTypeOf<string>();
    });
    new Router().get('/hello', jwtAuth<Claims>({ ...options, optional: true }), requireRoles('user'), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
    });
  });

  it('assertGuarded takes an app', () => {
    assertGuarded(new Koa());
    // @ts-expect-error not a Koa app
    assertGuarded(new Router());
  });
});
