// The conformance app on plain fetch handlers: a path-to-handler table in front of withAuth, the
// way an app on Bun.serve, Deno.serve or a Workers fetch handler routes without a framework.

import { APP_ERROR_HANDLER_HEADER, FORWARDED_TOKEN_HEADER, GUARDED_ROUTES, TOKEN_HEADER, guardedAuthOptions, type ConformanceSetup } from '@jwt-gate/testing';
import * as adapter from '../src/index.js';
import { AuthError, isAuthError, jwtAuth, requireRoles, withAuth, type AuthResult, type JWTPayload, type RouteGuard } from '../src/index.js';

interface Claims extends JWTPayload {
  scope?: string;
  roles?: string[];
}

type Handler = (request: Request) => Promise<Response>;

/** `{ sub, scope, roles, claims, header, issuer, token }` of the verified token. */
function attached(auth: AuthResult<Claims>): Response {
  const { claims, header, issuer, token } = auth;
  return Response.json({ sub: claims.sub, scope: claims.scope, roles: claims.roles, claims, header, issuer, token });
}

/**
 * The app of `ConformanceSetup` as one fetch handler. With `ownErrorHandler`, every `withAuth`
 * throws its refusals (`errors: 'next'`) and a catch around the router renders them, as an app
 * with its own error rendering (Bun.serve's `error`, Deno.serve's `onError`) would.
 */
export function createApp(setup: ConformanceSetup, ownErrorHandler: boolean): (request: Request) => Promise<Response> {
  const mode = <T extends object>(options: T) => (ownErrorHandler ? { ...options, errors: 'next' as const } : options);
  const auth = jwtAuth<Claims>(mode(setup.auth));
  const optional = jwtAuth<Claims>(mode(setup.optionalAuth));
  const meLike = (route: 'me' | 'forwarded' | 'header-token' | 'header-only' | 'query-token') => (_request: Request, result: AuthResult<Claims>) => {
    setup.handled(route);
    return attached(result);
  };

  // A token in the query string, refused when the parameter is repeated.
  const fromQuery = (request: Request) => {
    const values = new URL(request.url).searchParams.getAll('access_token');
    if (values.length > 1) throw new AuthError('ERR_MULTIPLE_TOKENS');
    return values[0];
  };

  const me = withAuth(meLike('me'), auth);
  const forwardedMe = withAuth(meLike('forwarded'), auth);
  const routes = new Map<string, { methods?: readonly string[]; handler: Handler }>([
    ['/me', { handler: me }],
    [
      '/forwarded',
      {
        methods: ['GET'],
        // An earlier step replaces Authorization: a Request's headers are set by building a new Request.
        handler: (request) => {
          const token = request.headers.get(FORWARDED_TOKEN_HEADER);
          if (token === null) return forwardedMe(request);
          const headers = new Headers(request.headers);
          headers.set('authorization', `Bearer ${token}`);
          return forwardedMe(new Request(request, { headers }));
        },
      },
    ],
    ['/header-token', { methods: ['GET'], handler: withAuth(meLike('header-token'), mode({ ...setup.auth, tokenHeader: TOKEN_HEADER })) }],
    ['/header-only', { methods: ['GET'], handler: withAuth(meLike('header-only'), mode({ ...setup.auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })) }],
    ['/query-token', { methods: ['GET'], handler: withAuth(meLike('query-token'), mode({ ...setup.auth, getToken: fromQuery })) }],
    [
      '/admin',
      {
        methods: ['GET'],
        handler: withAuth(
          requireRoles('admin')((_request, result: AuthResult<Claims>) => {
            setup.handled('admin');
            return Response.json({ message: `Hello, admin ${result.claims.sub}` });
          }),
          auth,
        ),
      },
    ],
    [
      '/hello',
      {
        methods: ['GET'],
        handler: withAuth((_request, result) => {
          setup.handled('hello');
          return Response.json({ message: `Hello, ${result?.claims.sub ?? 'stranger'}` });
        }, optional),
      },
    ],
  ]);

  for (const route of GUARDED_ROUTES) {
    const guard = route.guard<RouteGuard>(adapter);
    const given = guardedAuthOptions(setup, route);
    const answer = (_request: Request, result: AuthResult | undefined) => {
      setup.handled(route.name);
      return Response.json({ route: route.name, sub: result?.claims.sub });
    };
    let handler: Handler;
    if (given === undefined) handler = async (request) => guard(answer)(request, undefined);
    else if (route.auth === 'policy') handler = withAuth(answer, mode({ ...given, policy: guard }));
    else handler = withAuth(guard(answer), mode(given));
    routes.set(route.path, { methods: ['GET'], handler });
  }

  async function router(request: Request): Promise<Response> {
    const route = routes.get(new URL(request.url).pathname);
    if (route === undefined || (route.methods !== undefined && !route.methods.includes(request.method))) return Response.json({ error: 'not_found' }, { status: 404 });
    return route.handler(request);
  }

  if (!ownErrorHandler) return router;
  return async (request) => {
    try {
      return await router(request);
    } catch (error) {
      if (!isAuthError(error)) return new Response('Internal Server Error', { status: 500 });
      return Response.json(error.body, { status: error.status, headers: { ...error.headers, [APP_ERROR_HANDLER_HEADER]: 'app' } });
    }
  };
}
