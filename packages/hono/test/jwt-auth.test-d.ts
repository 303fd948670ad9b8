import { Hono } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import { jwtAuth, type AuthResult, type JWTPayload, type Verifier } from '../src/index.js';

interface Claims extends JWTPayload {
  tenant: string;
}

declare const options: { issuer: string; audience: string; secret: string };
declare const verifier: Verifier<Claims>;
declare const optional: boolean;

describe('c.var.auth (Hono)', () => {
  it('carries the claims type given to jwtAuth, on the route', () => {
    new Hono().get('/me', jwtAuth<Claims>(options), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(c.get('auth').claims.tenant).toEqualTypeOf<string>();
      return c.json({});
    });
  });

  it('carries it app-wide through use()', () => {
    new Hono().use(jwtAuth<Claims>(options)).get('/me', (c) => {
      expectTypeOf(c.var.auth.claims.tenant).toEqualTypeOf<string>();
      return c.json({});
    });
  });

  it("takes the claims type from a verifier's, and defaults to JWTPayload", () => {
    new Hono().get('/me', jwtAuth(verifier), (c) => {
      expectTypeOf(c.var.auth.claims.tenant).toEqualTypeOf<string>();
      return c.json({});
    });
    new Hono().get('/me', jwtAuth(options), (c) => {
      expectTypeOf(c.var.auth.claims).toEqualTypeOf<JWTPayload>();
      return c.json({});
    });
  });

  it('is possibly undefined under optional authentication', () => {
    new Hono().get('/hello', jwtAuth<Claims>({ ...options, optional: true }), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      // @ts-expect-error possibly undefined
      void c.var.auth.claims;
      return c.json({});
    });
    new Hono().get('/hello', jwtAuth({ verifier, optional: true }), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      return c.json({});
    });
  });

  it('is possibly undefined when optional is only known at run time', () => {
    new Hono().get('/hello', jwtAuth<Claims>({ ...options, optional }), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      return c.json({});
    });
  });
});
