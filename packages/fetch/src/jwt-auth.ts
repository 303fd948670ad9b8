import { isAuthError, type AuthError, type AuthResult, type JWTPayload, type Verifier } from '@jwt-gate/core';
import {
  createMiddleware,
  headersRequestView,
  reportRefusal,
  sessionResult,
  type AuthSession,
  type ErrorMode,
  type Middleware,
  type MiddlewareOptions,
  type RequestView,
} from '@jwt-gate/core/adapter';

/**
 * Options of {@link jwtAuth} and {@link withAuth}: the core's verifier options (or a ready
 * `verifier`), and `optional`, `policy`, `tokenHeader`, `cookie` (a cookie name), `getToken`
 * (`(request) => token`), `errors` and `onError` (`(error, request) => void`).
 */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = MiddlewareOptions<TClaims, Request>;

/** An accepted request: `auth` holds the verified token. */
export interface AuthSuccess<TAuth> {
  readonly ok: true;
  /** The verified token (`claims`, `header`, `issuer`, `token`); undefined for an anonymous request in optional mode. */
  readonly auth: TAuth;
}

/** A refused request: the ready RFC 6750 `response`, and the `error` it was built from. */
export interface AuthFailure {
  readonly ok: false;
  /** The status, `WWW-Authenticate` challenge and JSON body `{ error, error_description }`. */
  readonly response: Response;
  /** The refusal, for logs: its `code`, `status`, `reason`. */
  readonly error: AuthError;
}

/** What `authenticate(request)` resolves to: discriminated by `ok`. */
export type AuthenticateResult<TClaims extends JWTPayload = JWTPayload> = AuthSuccess<AuthResult<TClaims>> | AuthFailure;

/** What `authenticate(request)` of optional authentication resolves to: `auth` is undefined for an anonymous request. */
export type OptionalAuthenticateResult<TClaims extends JWTPayload = JWTPayload> = AuthSuccess<AuthResult<TClaims> | undefined> | AuthFailure;

/** Authenticates a `Request`, from {@link jwtAuth}. Never rejects for a refusal: it resolves with `ok: false` and the response to send. */
export interface Authenticate<TClaims extends JWTPayload = JWTPayload> {
  (request: Request): Promise<AuthenticateResult<TClaims>>;
  /** Whether anonymous requests pass: false. */
  readonly optional: false;
}

/** {@link Authenticate} of `jwtAuth({ optional: true })`: anonymous requests pass, with `auth` undefined. */
export interface OptionalAuthenticate<TClaims extends JWTPayload = JWTPayload> {
  (request: Request): Promise<OptionalAuthenticateResult<TClaims>>;
  /** Whether anonymous requests pass: true, or as configured when that was known only at run time. */
  readonly optional: boolean;
}

/**
 * A handler behind {@link withAuth}: the request, the verified token, then whatever the runtime
 * passes after the request (Workers' `env` and `ctx`, Bun's `server`, Deno's `info`, Next.js's
 * `{ params }`).
 */
export type AuthHandler<TAuth, TRequest extends Request = Request, TArgs extends unknown[] = []> = (
  request: TRequest,
  auth: TAuth,
  ...args: TArgs
) => Response | Promise<Response>;

/** What {@link withAuth} returns: a plain fetch handler, `(request, ...args) => Promise<Response>`. */
export type FetchHandler<TRequest extends Request = Request, TArgs extends unknown[] = []> = (request: TRequest, ...args: TArgs) => Promise<Response>;

// The session of each authenticated request, where route guards and getAuth find it. Keyed by
// the Request object itself, so nothing is written onto a request this package does not own.
const sessions = new WeakMap<Request, AuthSession>();
// The kit's middleware behind each authenticate function, so withAuth can share it.
const middlewares = new WeakMap<object, Middleware<JWTPayload, Request>>();

/** The request as the core sees it: its Fetch headers and method. */
export function requestView(request: Request, where: string): RequestView {
  return headersRequestView((request as Partial<Request> | null | undefined)?.headers as Headers, typeof request?.method === 'string' ? request.method : 'GET', where, typeof request?.url === 'string' ? request.url : undefined);
}

/** The RFC 6750 response of a refusal: status, `WWW-Authenticate` where it applies, JSON body. */
function refusal(error: AuthError): Response {
  return Response.json(error.body, { status: error.status, headers: error.headers });
}

/** A refusal the way `mode` says: the response (`respond`), or the `AuthError` thrown (`next`). Anything else is thrown. */
function refuse(error: unknown, mode: ErrorMode): Response {
  if (!isAuthError(error)) throw error;
  if (mode === 'next') throw error;
  return refusal(error);
}

function remember(request: Request, session: AuthSession): void {
  if (typeof request === 'object' && request !== null) sessions.set(request, session);
}

/** The kit's middleware for `options`, or the one behind an authenticate function. */
function middlewareOf<TClaims extends JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims> | Authenticate<TClaims> | OptionalAuthenticate<TClaims>, where: string): Middleware<TClaims, Request> {
  if (typeof options === 'function') {
    const made = middlewares.get(options);
    if (made === undefined) throw new TypeError(`${where}: the second argument is options, a verifier, or a function made by jwtAuth()`);
    return made as unknown as Middleware<TClaims, Request>;
  }
  const middleware = createMiddleware<TClaims, Request>(options, where);
  if (middleware.signedCookie !== undefined) {
    throw new TypeError(`${where}: a Request has no signed cookies; cookie is a cookie name (verify signatures before the handler, or use a framework adapter)`);
  }
  return middleware;
}

/** Checks a route guard against the request's session, then runs `next` or refuses the way its `withAuth()` does. */
export async function guardRequest<R>(request: Request, check: (session: AuthSession | undefined) => Promise<R>, next: (checked: R) => Response | Promise<Response>): Promise<Response> {
  const session = typeof request === 'object' && request !== null ? sessions.get(request) : undefined;
  let checked: R;
  try {
    checked = await check(session);
  } catch (error) {
    (session?.report ?? reportRefusal)(error, request);
    return refuse(error, session?.errors ?? 'respond');
  }
  return next(checked);
}

/**
 * Creates `authenticate(request)`, once, at start-up: it reads the bearer token of a Fetch
 * `Request`, verifies it, and resolves to `{ ok: true, auth }`, or to `{ ok: false, response,
 * error }` where `response` is the RFC 6750 refusal, ready to return. Pass it to
 * {@link withAuth} to share it (its keys and JWKS cache) between routes. `errors: 'next'`
 * concerns `withAuth()` and the route guards: `authenticate` always resolves with the refusal.
 *
 * @example
 * ```ts
 * const authenticate = jwtAuth({ issuer: 'https://auth.example.com/', audience: 'orders-api', jwksUri });
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     const result = await authenticate(request);
 *     if (!result.ok) return result.response;
 *     return Response.json({ sub: result.auth.claims.sub });
 *   },
 * };
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> & { optional: true }): OptionalAuthenticate<TClaims>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims>): Authenticate<TClaims>;
// `optional` known only at run time: typed as possibly anonymous.
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims>): OptionalAuthenticate<TClaims>;
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims>): Authenticate<TClaims> | OptionalAuthenticate<TClaims> {
  const middleware = middlewareOf(options, 'jwtAuth');
  const authenticate = async function authenticate(request: Request): Promise<OptionalAuthenticateResult<TClaims>> {
    return middleware.handle<OptionalAuthenticateResult<TClaims>>(
      () => requestView(request, 'jwtAuth'),
      request,
      (session) => {
        remember(request, session);
        return { ok: true, auth: session.result ?? undefined };
      },
      (error) => {
        if (!isAuthError(error)) throw error;
        return { ok: false, response: refusal(error), error };
      },
    );
  };
  middlewares.set(authenticate, middleware as unknown as Middleware<JWTPayload, Request>);
  return Object.defineProperty(authenticate, 'optional', { value: middleware.authenticator.optional, enumerable: true }) as Authenticate<TClaims> | OptionalAuthenticate<TClaims>;
}

/**
 * Wraps a handler so that it runs only for an authenticated request, with the verified token
 * as its second argument; other arguments the runtime passes follow. A refused request gets
 * the RFC 6750 response (status, `WWW-Authenticate`, JSON body) and the handler does not run;
 * with `errors: 'next'` the `AuthError` is thrown instead, for an error handler of your own.
 * `options` are {@link JwtAuthOptions}, a verifier, or a function from {@link jwtAuth} (to share
 * one verifier between routes). Create it once, at start-up.
 *
 * @example Next.js App Router route handler, app/api/me/route.ts
 * ```ts
 * export const GET = withAuth(async (request, auth) => Response.json({ sub: auth.claims.sub }), {
 *   issuer: 'https://auth.example.com/',
 *   audience: 'orders-api',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 * });
 * ```
 */
export function withAuth<TClaims extends JWTPayload = JWTPayload, TRequest extends Request = Request, TArgs extends unknown[] = []>(
  handler: AuthHandler<AuthResult<TClaims>, TRequest, TArgs>,
  options: (JwtAuthOptions<TClaims> & { optional?: false }) | Verifier<TClaims> | Authenticate<TClaims>,
): FetchHandler<TRequest, TArgs>;
export function withAuth<TClaims extends JWTPayload = JWTPayload, TRequest extends Request = Request, TArgs extends unknown[] = []>(
  handler: AuthHandler<AuthResult<TClaims> | undefined, TRequest, TArgs>,
  options: JwtAuthOptions<TClaims> | OptionalAuthenticate<TClaims>,
): FetchHandler<TRequest, TArgs>;
export function withAuth<TClaims extends JWTPayload = JWTPayload, TRequest extends Request = Request, TArgs extends unknown[] = []>(
  handler: AuthHandler<AuthResult<TClaims>, TRequest, TArgs> | AuthHandler<AuthResult<TClaims> | undefined, TRequest, TArgs>,
  options: JwtAuthOptions<TClaims> | Verifier<TClaims> | Authenticate<TClaims> | OptionalAuthenticate<TClaims>,
): FetchHandler<TRequest, TArgs> {
  if (typeof handler !== 'function') throw new TypeError('withAuth: the first argument is the handler, (request, auth) => Response');
  const middleware = middlewareOf(options, 'withAuth');
  return async function authenticated(request: TRequest, ...args: TArgs): Promise<Response> {
    return middleware.handle<Response>(
      () => requestView(request, 'withAuth'),
      request,
      (session) => {
        remember(request, session);
        // The session holds a result unless this is optional authentication, whose handler takes undefined.
        return (handler as AuthHandler<AuthResult<TClaims> | undefined, TRequest, TArgs>)(request, session.result ?? undefined, ...args);
      },
      (error) => refuse(error, middleware.errors),
    );
  };
}

/**
 * The verified token of a request that {@link withAuth} (or an `authenticate` from
 * {@link jwtAuth}) accepted, typed with your claims. Throws {@link AuthError}
 * `ERR_TOKEN_MISSING` for an anonymous request and `ERR_CONFIG_INVALID` for a request that
 * neither saw (a copy made with `new Request(request)` is another request).
 *
 * @example
 * ```ts
 * function tenantOf(request: Request): string {
 *   return getAuth<Claims>(request).claims.tenant;
 * }
 * ```
 */
export function getAuth<TClaims extends JWTPayload = JWTPayload>(request: Request): AuthResult<TClaims> {
  const session = typeof request === 'object' && request !== null ? sessions.get(request) : undefined;
  return sessionResult(session, 'No withAuth() or jwtAuth() authenticated this request before reading its authentication result') as AuthResult<TClaims>;
}
