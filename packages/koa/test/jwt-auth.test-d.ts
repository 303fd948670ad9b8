import Koa from 'koa';
import { describe, expectTypeOf, it } from 'vitest';
import { jwtAuth, type AuthResult, type JWTPayload, type Verifier } from '../src/index.js';

interface Claims extends JWTPayload {
  tenant: string;
}

declare const options: { issuer: string; audience: string; secret: string };
declare const verifier: Verifier<Claims>;
declare const optional: boolean;

describe('ctx.state.auth (Koa)', () => {
  it('carries the claims type given to jwtAuth', () => {
    new Koa().use(jwtAuth<Claims>(options)).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(ctx.state.auth.claims.tenant).toEqualTypeOf<string>();
    });
  });

  it("takes the claims type from a verifier's", () => {
    new Koa().use(jwtAuth(verifier)).use((ctx) => {
      expectTypeOf(ctx.state.auth.claims.tenant).toEqualTypeOf<string>();
    });
  });

  it('defaults to JWTPayload claims', () => {
    new Koa().use(jwtAuth(options)).use((ctx) => {
      expectTypeOf(ctx.state.auth.claims).toEqualTypeOf<JWTPayload>();
    });
  });

  it('is possibly undefined under optional authentication', () => {
    new Koa().use(jwtAuth<Claims>({ ...options, optional: true })).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      // @ts-expect-error possibly undefined
      void ctx.state.auth.claims;
    });
    new Koa().use(jwtAuth({ verifier, optional: true })).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
    });
  });

  it('is possibly undefined when optional is only known at run time', () => {
    new Koa().use(jwtAuth<Claims>({ ...options, optional })).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
    });
  });

  it('is defined under optional: false', () => {
    new Koa().use(jwtAuth<Claims>({ ...options, optional: false })).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthResult<Claims>>();
    });
  });
});
