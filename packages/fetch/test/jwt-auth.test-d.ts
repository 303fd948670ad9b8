import { describe, expectTypeOf, it } from 'vitest';
import { jwtAuth, requireRoles, withAuth, type AuthError, type AuthResult, type FetchHandler, type JWTPayload, type Verifier } from '../src/index.js';

interface Claims extends JWTPayload {
  tenant: string;
}

declare const options: { issuer: string; audience: string; secret: string };
declare const verifier: Verifier<Claims>;
declare const optional: boolean;
declare const request: Request;

describe('the auth result (Fetch)', () => {
  it('carries the claims type given to jwtAuth or withAuth, or a verifier\'s, to the handler', () => {
    withAuth<Claims>((_request, auth) => {
      expectTypeOf(auth).toEqualTypeOf<AuthResult<Claims>>();
      expectTypeOf(auth.claims.tenant).toEqualTypeOf<string>();
      return new Response();
    }, options);
    withAuth((_request, auth) => {
      expectTypeOf(auth.claims.tenant).toEqualTypeOf<string>();
      return new Response();
    }, verifier);
    withAuth((_request, auth) => {
      expectTypeOf(auth.claims.tenant).toEqualTypeOf<string>();
      return new Response();
    }, jwtAuth<Claims>(options));
    withAuth((_request, auth) => {
      expectTypeOf(auth.claims).toEqualTypeOf<JWTPayload>();
      return new Response();
    }, options);
  });

  it('is possibly undefined under optional authentication, or when optional is known only at run time', () => {
    withAuth<Claims>((_request, auth) => {
      expectTypeOf(auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      // @ts-expect-error possibly undefined
      void auth.claims;
      return new Response();
    }, { ...options, optional: true });
    const maybe = jwtAuth({ verifier, optional: true });
    withAuth((_request, auth) => {
      expectTypeOf(auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      return new Response();
    }, maybe);
    withAuth<Claims>((_request, auth) => {
      expectTypeOf(auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
      return new Response();
    }, { ...options, optional });
  });

  it('narrows what authenticate resolves to by ok', async () => {
    const result = await jwtAuth<Claims>(options)(request);
    if (result.ok) expectTypeOf(result.auth.claims.tenant).toEqualTypeOf<string>();
    else {
      expectTypeOf(result.response).toEqualTypeOf<Response>();
      expectTypeOf(result.error).toEqualTypeOf<AuthError>();
    }
    const maybe = await jwtAuth<Claims>({ ...options, optional: true })(request);
    if (maybe.ok) expectTypeOf(maybe.auth).toEqualTypeOf<AuthResult<Claims> | undefined>();
  });

  it('returns a handler with the request type and the arguments after the auth result that the handler takes', () => {
    interface Env {
      DB: string;
    }
    const worker = withAuth((_request, _auth, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) => {
      expectTypeOf(env.DB).toEqualTypeOf<string>();
      void ctx;
      return new Response();
    }, options);
    expectTypeOf(worker).toEqualTypeOf<FetchHandler<Request, [Env, { waitUntil(promise: Promise<unknown>): void }]>>();

    class NextRequest extends Request {
      readonly nextUrl = new URL(this.url);
    }
    const GET = withAuth(async (req: NextRequest, _auth, context: { params: Promise<{ id: string }> }) => Response.json({ path: req.nextUrl.pathname, id: (await context.params).id }), options);
    expectTypeOf(GET).parameters.toEqualTypeOf<[NextRequest, { params: Promise<{ id: string }> }]>();
    expectTypeOf(GET).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('gives a guarded handler the verified token, even behind optional authentication', () => {
    withAuth(
      requireRoles('admin')((_request, auth: AuthResult<Claims>) => {
        expectTypeOf(auth.claims.tenant).toEqualTypeOf<string>();
        return new Response();
      }),
      { ...options, optional: true },
    );
    withAuth(
      requireRoles('admin')((_request, auth) => {
        expectTypeOf(auth).toEqualTypeOf<AuthResult<JWTPayload>>();
        return new Response();
      }),
      options,
    );
  });

  it('refuses options the adapters do not take', () => {
    // @ts-expect-error not an option
    withAuth(() => new Response(), { ...options, credentialsRequired: false });
    // @ts-expect-error a handler comes first
    withAuth(options, () => new Response());
  });
});
