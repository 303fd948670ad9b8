import Fastify, { type FastifyContextConfig, type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { getAuth, jwtAuth, jwtGate, requireRoles, type AuthClaims, type AuthResult, type JWTPayload, type RouteAuthConfig, type Verifier } from '../src/index.js';

// The application's claims, declared once for request.auth by declaration merging.
declare module '../src/index.js' {
  interface AuthClaims {
    tenant: string;
  }
}

interface Claims extends JWTPayload {
  scope: string;
}

declare const options: { issuer: string; audience: string; secret: string };
declare const verifier: Verifier<Claims>;

describe('request.auth (Fastify)', () => {
  it('carries the claims merged into AuthClaims, and may be null or absent', () => {
    Fastify().get('/me', { onRequest: jwtAuth(options) }, (request) => {
      expectTypeOf(request.auth).toEqualTypeOf<AuthResult<AuthClaims> | null | undefined>();
      expectTypeOf(request.auth?.claims.tenant).toEqualTypeOf<string | undefined>();
      // @ts-expect-error possibly null or absent
      void request.auth.claims;
      return {};
    });
  });

  it('getAuth and a hook\'s own getAuth return the claims type given to them', () => {
    const auth = jwtAuth<Claims>(options);
    Fastify().get('/me', { onRequest: auth }, (request) => {
      expectTypeOf(auth.getAuth(request)).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(getAuth<Claims>(request).claims.scope).toEqualTypeOf<string>();
      expectTypeOf(getAuth(request).claims.tenant).toEqualTypeOf<string>();
      return {};
    });
    expectTypeOf(jwtAuth(verifier).getAuth).returns.toEqualTypeOf<AuthResult<Claims>>();
  });

  it('fits onRequest and preHandler of routes with their own generics, alone or in lists', () => {
    const auth = jwtAuth(options);
    Fastify().get<{ Params: { id: string }; Querystring: { full?: boolean } }>('/orders/:id', { onRequest: [auth], preHandler: [requireRoles('admin')] }, (request) => {
      expectTypeOf(request.params.id).toEqualTypeOf<string>();
      return {};
    });
    Fastify().post('/orders', { preHandler: auth }, () => ({}));
    Fastify().addHook('onRequest', auth);
    expectTypeOf(jwtAuth({ ...options, getToken: (request) => request.headers['x-token'] as string | undefined })).toBeFunction();
    expectTypeOf<Parameters<NonNullable<Parameters<typeof jwtAuth>[0] extends infer O ? (O extends { onError?: infer F } ? F : never) : never>>[1]>().toEqualTypeOf<FastifyRequest>();
  });
});

describe('the jwtGate plugin (types)', () => {
  it('registers with the options of jwtAuth, and routes say config.jwtGate', async () => {
    const app = Fastify();
    await app.register(jwtGate, options);
    await app.register(jwtGate, { verifier: verifier as unknown as Verifier<AuthClaims> });
    app.get('/health', { config: { jwtGate: false } }, () => ({}));
    app.get('/hello', { config: { jwtGate: { optional: true } } }, () => ({}));
    // Route generics infer a route's config, so a wrong setting is refused when the route is added.
    expectTypeOf<FastifyContextConfig['jwtGate']>().toEqualTypeOf<false | RouteAuthConfig | undefined>();
    app.get('/hello', (request) => {
      expectTypeOf(request.routeOptions.config.jwtGate).toEqualTypeOf<false | RouteAuthConfig | undefined>();
      return {};
    });
  });
});
