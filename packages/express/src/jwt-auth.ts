import {
  createAuthenticator,
  incomingRequestView,
  isAuthError,
  markAuthentication,
  readAuthentication,
  recordAuthentication,
  recordedAuthentication,
  type AuthError,
  type AuthenticatorOptions,
  type AuthResult,
  type JWTPayload,
  type RequestView,
  type Verifier,
} from '@jwt-gate/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IncomingMessage } from 'node:http';

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

// Where req.auth comes from. Express (4 and 5) re-parents every req onto its app's request
// prototype, and V8 then builds a new hidden class for each property added to that req: about
// 1.3 us per request for `req.auth = result` alone, 7% of a cached request's throughput. So,
// where it can, the adapter defines `auth` once as an accessor on `express.request` (the base
// of every app's request prototype, Express's own place to extend req) that reads the record the
// core keeps for the request; assigning req.auth (the app, another middleware) still makes an
// own property, which then wins, as a plain property would. Requests on any other prototype
// (plain Node, a mock) get the plain property.
const ACCESSOR = Symbol.for('jwt-gate.express.auth');

function authAccessor(): PropertyDescriptor {
  const get = function auth(this: object): AuthResult | undefined {
    return recordedAuthentication(this) ?? undefined;
  };
  Object.defineProperty(get, ACCESSOR, { value: true });
  return {
    configurable: true,
    enumerable: false,
    get,
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'auth', { value, writable: true, enumerable: true, configurable: true });
    },
  };
}

/** True when `auth` on requests of `proto` reads the core's record: installs the accessor if need be. */
function readsRecord(proto: object | null): boolean {
  for (let current = proto, hops = 0; current !== null && hops < 8; current = Object.getPrototypeOf(current) as object | null, hops++) {
    const own = Object.getOwnPropertyDescriptor(current, 'auth');
    if (own !== undefined) return typeof own.get === 'function' && (own.get as { [ACCESSOR]?: boolean })[ACCESSOR] === true;
    if (Object.getPrototypeOf(current) !== IncomingMessage.prototype) continue;
    // `current` is express.request: Express's base of req, never Node's own class.
    if (!Object.isExtensible(current)) return false;
    Object.defineProperty(current, 'auth', authAccessor());
    return true;
  }
  return false;
}

const READS_RECORD = new WeakMap<object, boolean>();
let lastProto: object | null = null;
let lastReads = false;

function authIsRecord(req: Request): boolean {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto !== lastProto) {
    let reads = proto === null ? false : READS_RECORD.get(proto);
    if (reads === undefined) READS_RECORD.set(proto as object, (reads = readsRecord(proto)));
    lastProto = proto;
    lastReads = reads;
  }
  return lastReads;
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
  const { errors: _errors, ...rest } = options as JwtAuthOptions<TClaims>;
  const errors = (Object.hasOwn(options, 'errors') ? (options as JwtAuthOptions<TClaims>).errors : undefined) ?? 'auto';
  if (errors !== 'auto' && errors !== 'next' && errors !== 'respond') throw new TypeError('errors must be "auto", "next" or "respond"');
  const authenticator = createAuthenticator<TClaims>(isVerifier(options) ? options : (rest as AuthenticatorOptions<TClaims>));

  const attach = (req: Request, next: NextFunction, result: AuthResult<TClaims> | null): void => {
    // Not a property of req: Express re-parents it, and each property added after that is dear.
    recordAuthentication(req, authenticator, result, { storage: 'weakmap' });
    if (errors !== 'auto' || MODES.has(req)) MODES.set(req, errors);
    // With the accessor in place req.auth already reads this record, unless an own req.auth
    // (set before this middleware) shadows it.
    if (result !== null && (Object.hasOwn(req, 'auth') || !authIsRecord(req))) req.auth = result as AuthResult;
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
