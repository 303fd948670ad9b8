/**
 * jwt-gate for Express 4 and 5: `jwtAuth()` verifies the bearer token and sets `req.auth`.
 *
 * Adapter authors: this file is the whole adapter. It builds a {@link RequestView}, calls the
 * core's `createAuthenticator`, attaches the result and translates failures. Every rule lives
 * in `@jwt-gate/core`.
 *
 * @module
 */

import {
  AuthError,
  createAuthenticator,
  isAuthError,
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

/** Options of {@link jwtAuth}: the core's verifier options (or a ready `verifier`) plus these. */
export type JwtAuthOptions<TClaims extends JWTPayload = JWTPayload> = AuthenticatorOptions<TClaims> & {
  /**
   * How failures reach the client. `auto` (default): through `next(err)` when the app has an
   * error handler of its own, otherwise answered here with the RFC 6750 response (status,
   * `WWW-Authenticate`, JSON body). `next`: always `next(err)`. `respond`: always answer here.
   */
  errors?: 'auto' | 'next' | 'respond';
};

const RAN = Symbol.for('jwt-gate.express.authenticated');

interface ExpressAppLike {
  _router?: { stack?: unknown[] };
  router?: { stack?: unknown[] };
  parent?: ExpressAppLike;
}

interface LayerLike {
  handle?: { length?: number; stack?: unknown[] };
  route?: { stack?: unknown[] };
}

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
function requestView(req: Request): RequestView {
  return {
    method: req.method,
    header(name: string) {
      if (name !== 'authorization') return req.headers[name];
      const values: string[] = [];
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        if ((raw[i] as string).length === 13 && (raw[i] as string).toLowerCase() === 'authorization') values.push(raw[i + 1] as string);
      }
      return values.length === 1 ? values[0] : values;
    },
  };
}

function isVerifier<TClaims extends JWTPayload>(value: unknown): value is Verifier<TClaims> {
  return typeof (value as Verifier).verify === 'function';
}

function send(error: AuthError, res: Response): void {
  res.status(error.status).set(error.headers).json(error.body);
}

/**
 * Express middleware that authenticates the request with a bearer token and sets `req.auth`.
 * Create it once, at start-up; keys are imported and options validated then.
 *
 * Failures are {@link AuthError}s with `status` and `headers`: 400 `invalid_request`,
 * 401 (with `invalid_token` once a token was sent), 403 `insufficient_scope`, 503 when keys
 * cannot be had. CORS preflights pass through untouched.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { jwtAuth } from '@jwt-gate/express';
 *
 * const app = express();
 * app.use(jwtAuth({ issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }));
 * app.get('/me', (req, res) => res.json({ sub: req.auth?.claims.sub }));
 * ```
 */
export function jwtAuth<TClaims extends JWTPayload = JWTPayload>(options: JwtAuthOptions<TClaims> | Verifier<TClaims>): RequestHandler {
  const { errors = 'auto', ...rest } = options as JwtAuthOptions<TClaims>;
  if (errors !== 'auto' && errors !== 'next' && errors !== 'respond') throw new TypeError('errors must be "auto", "next" or "respond"');
  const authenticator = createAuthenticator<TClaims>(isVerifier(options) ? options : (rest as AuthenticatorOptions<TClaims>));

  return function jwtAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    authenticator.authenticate(requestView(req)).then(
      (result) => {
        (req as unknown as Record<symbol, unknown>)[RAN] = authenticator;
        if (result !== null) req.auth = result as AuthResult;
        next();
      },
      (error: unknown) => {
        if (!isAuthError(error)) return next(error);
        if (errors === 'next' || (errors === 'auto' && appHasErrorHandler(req.app as unknown as ExpressAppLike))) return next(error);
        send(error, res);
      },
    );
  };
}

/**
 * The verified token of a request, typed with your claims. Throws {@link AuthError}
 * `ERR_TOKEN_MISSING` for an anonymous request and `ERR_CONFIG_INVALID` when `jwtAuth()` did
 * not run before the handler.
 *
 * @example
 * ```ts
 * interface Claims extends JWTPayload { scope: string; tenant: string }
 * app.get('/tenant', (req, res) => res.json({ tenant: getAuth<Claims>(req).claims.tenant }));
 * ```
 */
export function getAuth<TClaims extends JWTPayload = JWTPayload>(req: Request): AuthResult<TClaims> {
  const authenticator = (req as unknown as Record<symbol, { realm: string } | undefined>)[RAN];
  if (authenticator === undefined) throw new AuthError('ERR_CONFIG_INVALID', { message: 'getAuth() needs jwtAuth() to run before the handler' });
  if (req.auth === undefined) throw new AuthError('ERR_TOKEN_MISSING', { realm: authenticator.realm });
  return req.auth as AuthResult<TClaims>;
}

export { AuthError, isAuthError };
export type { AuthErrorCode, AuthResult, JWTPayload, Verifier, VerifierOptions } from '@jwt-gate/core';
