import express from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import { getAuth, jwtAuth, type AuthResult, type JWTPayload } from '../src/index.js';

interface Claims extends JWTPayload {
  tenant: string;
  roles: string[];
}

declare const options: { issuer: string; audience: string; secret: string };

describe('req.auth and getAuth (Express)', () => {
  it('declares req.auth on every request, possibly undefined', () => {
    express().get('/me', jwtAuth(options), (req) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthResult | undefined>();
      expectTypeOf(req.auth?.token).toEqualTypeOf<string | undefined>();
    });
  });

  it('getAuth carries a user-declared claims type', () => {
    express().get('/me', jwtAuth<Claims>(options), (req) => {
      expectTypeOf(getAuth<Claims>(req)).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(getAuth<Claims>(req).claims.tenant).toEqualTypeOf<string>();
      expectTypeOf(getAuth<Claims>(req).claims.roles).toEqualTypeOf<string[]>();
      expectTypeOf(getAuth(req).claims).toEqualTypeOf<JWTPayload>();
    });
  });

  it('jwtAuth is an Express request handler whose errors option is a closed set', () => {
    express().use(jwtAuth({ ...options, errors: 'next' }));
    // @ts-expect-error not one of 'auto', 'next', 'respond'
    jwtAuth({ ...options, errors: 'throw' });
  });
});
