import {
  createAuthenticator,
  incomingRequestView,
  isAuthError,
  markAuthentication,
  readAuthentication,
  recordAuthentication,
  type AuthError,
  type AuthenticatorOptions,
  type AuthResult,
  type JWTPayload,
  type RequestView,
  type Verifier,
} from '@jwt-gate/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified token, set by `jwtAuth()`: `claims`, `header`, `issuer` and the raw
       * `token`. Undefined for anonymous requests under `optional: true`. For your own claims
       * type use {@link getAuth}.
       */
      auth?: AuthResult;
    }
  }
}

/** How failures reach the client: the `errors` option of {@link JwtAuthOptions}. */
export type ErrorMode = 'auto' | 'next' | 'respond';

/** Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`) plus these. */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = AuthenticatorOptions<TClaims> & {
  /**
   * How failures reach the client, here and in the route guards behind this middleware.
   * `auto` (default): through `next(err)` when the app has an error handler of its own,
   * otherwise answered here with the RFC 6750 response (status, `WWW-Authenticate`, JSON body).
   * `next`: always `next(err)`. `respond`: always answer here.
   */
  errors?: ErrorMode;
};

interface ExpressAppLike {
  _router?: { stack?: unknown[] };
  router?: { stack?: unknown[] };
  parent?: ExpressAppLike;
}

interface LayerLike {
  handle?: { length?: number; stack?: unknown[] };
  route?: { stack?: unknown[] };
}

// The error mode of the jwtAuth() that authenticated a request, for the guards behind it; absent
// means 'auto', the default, so most requests never add an entry (a WeakMap entry per request
// is garbage-collection work that shows under load).
const MODES = new WeakMap<Request, ErrorMode>();

function hasErrorHandler(stack: unknown[] | undefined, depth = 0): boolean {
  if (!Array.isArray(stack) || depth > 8) return false;
  return stack.some((entry) => {
    const layer = entry as LayerLike;
    return layer.handle?.length === 4 || hasErrorHandler(layer.handle?.stack, depth + 1) || hasErrorHandler(layer.route?.stack, depth + 1);
  });
}

function appHasErrorHandler(app: ExpressAppLike | undefined): boolean {
  for (let current = app, hops = 0; current !== undefined && hops < 8; current = current.parent, hops++) {
    // Express 4 keeps the router in `_router`; Express 5 exposes `router`.
    if (hasErrorHandler((current._router ?? current.router)?.stack)) return true;
  }
  return false;
}

/** The request as the core sees it. Node keeps only the first `Authorization` header in `req.headers`, so read the raw list. */
export function requestView(req: Request): RequestView {
  return incomingRequestView(req);
}

/** Sends a failure the way `mode` says: an AuthError to the client or the app's error handler, anything else to `next`. */
export function reject(error: unknown, req: Request, res: Response, next: NextFunction, mode: ErrorMode = MODES.get(req) ?? 'auto'): void {
  if (!isAuthError(error)) return next(error);
  if (mode === 'next' || (mode === 'auto' && appHasErrorHandler(req.app as unknown as ExpressAppLike))) return next(error);
  send(error, res);
}

function send(error: AuthError, res: Response): void {
  res.status(error.status).set(error.headers).json(error.body);
}

function isVerifier<TClaims extends JWTPayload>(value: unknown): value is Verifier<TClaims> {
  return typeof (value as Verifier).verify === 'function';
}

/**
 * Express middleware that authenticates the request with a bearer token and sets `req.auth`.
 * Create it once, at start-up; keys are imported and options validated then.
 *
 * Failures are {@link AuthError}s with `status` and `headers`: 400 `invalid_request`,
 * 401 (with `invalid_token` once a token was sent), 403 `insufficient_scope` (from the
 * `policy` option), 503 when keys cannot be had. CORS preflights pass through untouched.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { jwtAuth, requireScopes } from '@jwt-gate/express';
 *
 * const app = express();
 * app.use(jwtAuth({ issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }));
 * app.get('/me', (req, res) => res.json({ sub: req.auth?.claims.sub }));
 * app.post('/orders', requireScopes('orders:write'), (req, res) => res.status(201).end());
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims>): RequestHandler {
  const { errors = 'auto', ...rest } = options as JwtAuthOptions<TClaims>;
  if (errors !== 'auto' && errors !== 'next' && errors !== 'respond') throw new TypeError('errors must be "auto", "next" or "respond"');
  const authenticator = createAuthenticator<TClaims>(isVerifier(options) ? options : (rest as AuthenticatorOptions<TClaims>));

  const attach = (req: Request, next: NextFunction, result: AuthResult<TClaims> | null): void => {
    // Not a property of req: Express re-parents it, and each property added after that is dear.
    recordAuthentication(req, authenticator, result, { storage: 'weakmap' });
    if (errors !== 'auto' || MODES.has(req)) MODES.set(req, errors);
    if (result !== null) req.auth = result as AuthResult;
    next();
  };

  return markAuthentication(function jwtAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    // No promise when the answer is at hand: a cached token costs no extra tick.
    let outcome: AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null>;
    try {
      outcome = authenticator.authenticateNow(requestView(req));
    } catch (error) {
      return reject(error, req, res, next, errors);
    }
    if (outcome instanceof Promise) {
      outcome.then((result) => attach(req, next, result), (error: unknown) => reject(error, req, res, next, errors));
    } else {
      attach(req, next, outcome);
    }
  });
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
  return readAuthentication<TClaims>(req);
}
