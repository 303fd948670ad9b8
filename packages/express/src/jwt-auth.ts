import { isAuthError, type AuthResult, type JWTPayload, type Verifier } from '@jwt-gate/core';
import { AuthError } from '@jwt-gate/core';
import {
  createMiddleware,
  markAuthentication,
  nodeRequestView,
  reportRefusal,
  sessionResult,
  type AuthSession,
  type ErrorMode,
  type Middleware,
  type MiddlewareOptions,
  type RequestView,
} from '@jwt-gate/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified token, set by `jwtAuth()`: `claims`, `header`, `issuer` and the raw
       * `token`. Undefined for anonymous requests under `optional: true`. For your own claims
       * type use the middleware's `getAuth(req)`.
       */
      auth?: AuthResult;
      /** What `jwtAuth()` recorded for the route guards and `getAuth` (set by jwtAuth only). */
      jwtGate?: AuthSession;
    }
  }
}

/**
 * Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`), and
 * `optional`, `cookie`, `tokenHeader`, `getToken`, `policy`, `errors` and `onError`.
 */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = MiddlewareOptions<TClaims, Request>;

/** The middleware `jwtAuth()` returns, with an accessor typed with its claims. */
export type JwtAuthMiddleware<TClaims extends JWTPayload = JWTPayload> = RequestHandler & {
  /**
   * The verified token of a request this middleware authenticated, typed with its claims.
   * Throws an `AuthError`: `ERR_TOKEN_MISSING` for an anonymous request, `ERR_CONFIG_INVALID`
   * when no `jwtAuth()` ran before.
   */
  getAuth(req: Request): AuthResult<TClaims>;
};

// The session of a request is a property of `req`, like `req.auth`, where the route guards and
// getAuth find it: requests Express did not build (serverless adapters, test doubles) have one too.
function sessionOf(req: Request): AuthSession | undefined {
  return Object.hasOwn(req, 'jwtGate') ? req.jwtGate : undefined;
}

/** Sends a refusal the way `mode` says: answered here, or handed to the app's error handler. Anything else goes to `next`. */
function refuse(error: unknown, res: Response, next: NextFunction, mode: ErrorMode): void {
  if (!isAuthError(error) || mode === 'next') return next(error);
  // Node's own response methods, which Express's res inherits: the same status, challenge and
  // JSON body as res.json, without its ETag hash and content-type parsing on every refused token.
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  const body = JSON.stringify(error.body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Checks a route guard against the request's session, then continues or refuses the way its `jwtAuth()` does. */
export function guardRequest(check: (session: AuthSession | undefined, req: Request) => Promise<unknown>, req: Request, res: Response, next: NextFunction): void {
  const session = sessionOf(req);
  new Promise((resolve) => resolve(check(session, req))).then(
    () => next(),
    (error: unknown) => {
      (session?.report ?? reportRefusal)(error, req);
      refuse(error, res, next, session?.errors ?? 'respond');
    },
  );
}

/** The request as the core sees it: `req.headers`, and a signed cookie from cookie-parser when asked for one. */
function requestView(req: Request, middleware: Middleware<JWTPayload, Request>): RequestView {
  const view = nodeRequestView(req);
  const signed = middleware.signedCookie;
  if (signed === undefined) return view;
  const cookies = (req as { signedCookies?: Record<string, unknown> }).signedCookies;
  if (typeof cookies !== 'object' || cookies === null) {
    throw new AuthError('ERR_CONFIG_INVALID', { message: 'jwtAuth: cookie.signed needs cookie-parser, with a secret, in front of jwtAuth()' });
  }
  return {
    ...view,
    cookie(name: string) {
      const value = Object.hasOwn(cookies, name) ? cookies[name] : undefined;
      // cookie-parser sets false for a cookie whose signature failed: an invalid token, never an absent one.
      return value === false ? '!' : typeof value === 'string' ? value : undefined;
    },
  };
}

/**
 * Express middleware that authenticates the request with a bearer token and sets `req.auth`.
 * Create it once, at start-up; keys are imported and options validated then.
 *
 * Refusals are {@link AuthError}s: 400 `invalid_request`, 401 (with `invalid_token` once a
 * token was sent), 403 `insufficient_scope` (from the `policy` option), 503 when keys cannot be
 * had. By default (`errors: 'respond'`) the middleware answers them itself with the RFC 6750
 * response; `errors: 'next'` hands them to your error handler instead.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { jwtAuth, requireScopes } from '@jwt-gate/express';
 *
 * const auth = jwtAuth<{ sub: string; tenant: string }>({ issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' });
 * const app = express();
 * app.get('/me', auth, (req, res) => res.json({ tenant: auth.getAuth(req).claims.tenant }));
 * app.post('/orders', auth, requireScopes('orders:write'), (req, res) => res.status(201).end());
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims>): JwtAuthMiddleware<TClaims> {
  const middleware = createMiddleware<TClaims, Request>(options);
  if (middleware.signedCookie?.secret !== undefined) throw new TypeError('jwtAuth: cookie.signed is true on Express; the secret is the one given to cookie-parser');
  const handler = markAuthentication(function jwtAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    middleware.handle(
      () => requestView(req, middleware as Middleware<JWTPayload, Request>),
      req,
      (session) => {
        req.jwtGate = session as AuthSession;
        if (session.result !== null) req.auth = session.result as AuthResult;
        next();
      },
      (error) => refuse(error, res, next, middleware.errors),
    );
  });
  return Object.assign(handler, { getAuth: (req: Request) => getAuth<TClaims>(req) });
}

/**
 * The verified token of a request, typed with your claims. Throws {@link AuthError}
 * `ERR_TOKEN_MISSING` for an anonymous request and `ERR_CONFIG_INVALID` when `jwtAuth()` did
 * not run before the handler.
 *
 * @example
 * ```ts
 * interface Claims extends JWTPayload { scope: string; tenant: string }
 * app.get('/tenant', jwtAuth(options), (req, res) => res.json({ tenant: getAuth<Claims>(req).claims.tenant }));
 * ```
 */
export function getAuth<TClaims extends JWTPayload = JWTPayload>(req: Request): AuthResult<TClaims> {
  return sessionResult(sessionOf(req)) as AuthResult<TClaims>;
}
