/**
 * The part of every adapter's `jwtAuth()` that is not framework vocabulary: its options, the
 * authentication of one request, what is recorded for the guards and accessors behind it, and
 * the report of each refusal. An adapter hands {@link Middleware.handle} a reader of the request,
 * what to do with the session (store it in its framework's per-request state and continue) and
 * how to answer a refusal (by {@link Middleware.errors}).
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError, isAuthError, type DPoPChallenge } from '../errors/auth-error.js';
import { suggestion } from '../internal/options.js';
import { publishRefused } from '../observability/channels.js';
import { readResourceMetadataUrl } from '../metadata/url.js';
import { VERIFIER_OPTIONS } from '../verification/plan.js';
import type { Verifier } from '../verification/verifier.js';
import { AUTHENTICATE_OPTIONS, buildAuthenticator, HTTP_TOKEN, isVerifier, type AuthenticatorOptions, type AuthResult, type Authenticator, type BuiltAuthenticator } from './authenticate.js';
import type { RequestView } from './request-view.js';

/**
 * How a middleware answers a refusal. `respond` (default): it sends the RFC 6750 response itself
 * (status, `WWW-Authenticate`, JSON body), so an application's catch-all error handler can never
 * turn a 401 into a 500. `next`: it hands the {@link AuthError} to the framework's error path
 * (Express `next(err)`, a throw in Koa and Hono, Fastify's reply), for apps that render errors
 * themselves.
 */
export type ErrorMode = 'respond' | 'next';

/** A cookie to read the token from: its name, or `{ name, signed }` for one the framework signs. */
export type CookieOption = string | { readonly name: string; readonly signed?: boolean | string };

/** Options every adapter's `jwtAuth()` takes, beside the authenticator's. `TRequest` is the framework's request. */
export interface MiddlewareExtras<TRequest> {
  /** How refusals reach the client, here and in the route guards behind this middleware. Default `respond`. */
  errors?: ErrorMode;
  /**
   * Called with every refusal of this middleware and its guards, before the response: for logs
   * and metrics (the `code`, `reason` and `issuer` of the {@link AuthError}; never log the
   * token). What it throws is ignored.
   */
  onError?: (error: AuthError, request: TRequest) => void;
  /**
   * Finds the token yourself, from the framework's request (sync or async); `null` or
   * `undefined` for none. One more transport: a request carrying a token here and in the
   * `Authorization` header (or a cookie) is refused with 400. To refuse the request from here,
   * throw (or reject with) an {@link AuthError}, e.g. `new AuthError('ERR_INVALID_REQUEST')`: it
   * is answered like any refusal; anything else it throws is a 500 `ERR_CONFIG_INVALID`, never a
   * pass. Query-string tokens leak into logs, histories and `Referer` headers; read one here only
   * if you must.
   */
  getToken?: (request: TRequest) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * Also read the token from this cookie: a name, or `{ name, signed: true }` for a cookie the
   * framework verifies (cookie-parser's signed cookies, Koa's `app.keys`); Hono takes the
   * signing secret as `signed`. Off by default: a cookie-borne token needs CSRF protection.
   */
  cookie?: CookieOption | false;
  /**
   * The URL of this resource's RFC 9728 metadata document (usually
   * `https://api.example.com/.well-known/oauth-protected-resource`): every `WWW-Authenticate`
   * challenge of this middleware and its guards then carries `resource_metadata="..."` (RFC 9728
   * §5.1), so clients can discover where to get a token. An https URL (http for loopback hosts)
   * without a fragment, checked at creation.
   */
  resourceMetadata?: string | URL;
}

/**
 * Options every adapter's `jwtAuth()` takes: the authenticator's, plus {@link MiddlewareExtras}.
 * (`cookie` is left out of each member of the options union, which stays discriminated.)
 */
export type MiddlewareOptions<TClaims extends JWTPayload = JWTPayload, TRequest = unknown> = (AuthenticatorOptions<TClaims> extends infer Each
  ? Each extends unknown
    ? Omit<Each, 'cookie'>
    : never
  : never) &
  MiddlewareExtras<TRequest>;

/** What `jwtAuth()` records for one request, read back by route guards and `getAuth`. */
export interface AuthSession<TClaims extends JWTPayload = JWTPayload> {
  /** The verified token, or `null` for an anonymous request (optional authentication). */
  readonly result: AuthResult<TClaims> | null;
  /** The realm of the middleware's challenges. */
  readonly realm: string;
  /** The middleware's error mode, which its guards follow. */
  readonly errors: ErrorMode;
  /** The metadata URL its challenges name (`resourceMetadata`), which its guards' challenges name too. */
  readonly resourceMetadata?: string | undefined;
  /**
   * Where the middleware accepts DPoP: how its guards' challenges name it, the error in the
   * challenge of the scheme the request used (RFC 9449 §7.1).
   */
  readonly dpop?: DPoPChallenge | undefined;
  /** Reports a refusal of a guard behind the middleware, as the middleware reports its own. */
  readonly report: (error: unknown, request: unknown) => void;
}

/** A middleware's framework-free half, built once by {@link createMiddleware}. */
export interface Middleware<TClaims extends JWTPayload = JWTPayload, TRequest = unknown> {
  /**
   * Authenticates one request (`view` over the framework's `request`) and resolves to the
   * session to record; rejects with an {@link AuthError}.
   */
  authenticate(view: RequestView, request: TRequest): Promise<AuthSession<TClaims>>;
  /**
   * What an adapter's middleware does with one request: reads its view (`read` may throw or be
   * async), authenticates it, and returns `accept(session)`, or reports the refusal and returns
   * `refuse(error)`. It answers synchronously when nothing had to be awaited (a cached token,
   * keys at hand), else through a promise; what `accept` throws is never taken for a refusal.
   * Outcomes are those of {@link Middleware.authenticate}.
   *
   * @example
   * ```ts
   * return middleware.handle(() => nodeRequestView(req), req, (session) => { req.jwtGate = session; next(); }, (error) => refuse(error, res, next));
   * ```
   */
  handle<R>(read: () => RequestView | Promise<RequestView>, request: TRequest, accept: (session: AuthSession<TClaims>) => R | Promise<R>, refuse: (error: unknown) => R | Promise<R>): R | Promise<R>;
  /**
   * Reports a refusal: published on `jwt-gate:refused` and passed to `onError`. Call it for every
   * refusal, before answering; anything but an AuthError is ignored.
   */
  report(error: unknown, request: TRequest): void;
  /**
   * This middleware with `optional` set as given: the same verifier (keys, caches), options and
   * hooks, made once, at start-up. For adapters whose routes choose optional authentication
   * (Fastify's route config).
   */
  withOptional(optional: boolean): Middleware<TClaims, TRequest>;
  /** The error mode. */
  readonly errors: ErrorMode;
  /** The cookie the token may come in, when the framework must read it (a signed one). */
  readonly signedCookie: { readonly name: string; readonly secret: string | undefined } | undefined;
  readonly authenticator: Authenticator<TClaims>;
}

const EXTRAS = ['errors', 'onError', 'getToken', 'cookie', 'resourceMetadata'];
/** Names users of other JWT middleware reach for, and what to write instead. */
const FAMILIAR: Readonly<Record<string, string>> = {
  credentialsRequired: 'use `optional: true` to let requests without a token through (`credentialsRequired: false` in express-jwt)',
  passthrough: 'use `optional: true` to let requests without a token through (`passthrough` in koa-jwt)',
  jwksUrl: 'did you mean "jwksUri"?',
  headerName: 'use `tokenHeader` to read the token from another header, with `authorizationHeader: false` to read that header alone',
  alg: 'use `algorithms: [...]` (by default, what the keys imply)',
  allow_anon: 'use `optional: true` to let requests without a token through',
  jwks_uri: 'did you mean "jwksUri"?',
  keys: 'use `jwks: { keys }` for a local key set, or `jwksUri` for a remote one',
  tokenKey: 'the raw token is `auth.token` of the result',
  onExpired: 'expired tokens are always refused; `onError` sees each refusal with `error.code` ERR_TOKEN_EXPIRED',
  requestProperty: 'the result is always `req.auth` (`ctx.state.auth`, `c.var.auth`)',
  key: 'the result is always `ctx.state.auth`; use `secret`, `publicKey`, `jwks`, `jwksUri` or `discovery` for keys',
};

/** Reports one refusal, for guards behind no middleware. */
export function reportRefusal(error: unknown): void {
  if (isAuthError(error)) publishRefused(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function checkNames(options: object, where: string): void {
  const known = [...VERIFIER_OPTIONS, ...AUTHENTICATE_OPTIONS, ...EXTRAS, 'verifier'];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = Object.hasOwn(FAMILIAR, key) ? `; ${FAMILIAR[key] as string}` : suggestion(key, known);
    throw new TypeError(`${where}: unknown option ${JSON.stringify(key.slice(0, 40))}${hint}`);
  }
}

function readCookie(where: string, value: unknown): { name: string | false; signed: { name: string; secret: string | undefined } | undefined } {
  if (value === undefined || value === false) return { name: false, signed: undefined };
  if (typeof value === 'string') return { name: value, signed: undefined };
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where}: cookie must be a cookie name, { name, signed }, or false`);
  const { name, signed, ...rest } = value as { name?: unknown; signed?: unknown };
  if (Object.keys(rest).length > 0) throw new TypeError(`${where}: cookie takes { name, signed } only`);
  if (typeof name !== 'string' || !HTTP_TOKEN.test(name)) throw new TypeError(`${where}: cookie.name must be a cookie name (an HTTP token)`);
  if (signed === undefined || signed === false) return { name, signed: undefined };
  if (signed !== true && (typeof signed !== 'string' || signed.length === 0)) throw new TypeError(`${where}: cookie.signed must be true, or the signing secret where the adapter asks for one`);
  return { name, signed: { name, secret: signed === true ? undefined : signed } };
}

/** What one middleware's requests are authenticated with, made once by {@link createMiddleware}. */
interface RequestPlan<TClaims extends JWTPayload, TRequest> {
  readonly where: string;
  readonly realm: string;
  readonly errors: ErrorMode;
  readonly resourceMetadata: string | undefined;
  readonly getToken: MiddlewareExtras<TRequest>['getToken'];
  readonly now: BuiltAuthenticator<TClaims>['now'];
  readonly dpopChallenge: BuiltAuthenticator<TClaims>['dpopChallenge'];
  readonly report: (error: unknown, request: unknown) => void;
  readonly anonymous: AuthSession<TClaims>;
}

/**
 * Builds the framework-free half of a `jwtAuth()`: options checked now (errors naming
 * `where`), one authenticator for every request.
 *
 * @example
 * ```ts
 * const middleware = createMiddleware<JWTPayload, Request>(options);
 * return (req, res, next) => middleware.handle(() => nodeRequestView(req), req, (session) => { ... }, (error) => { ... });
 * ```
 */
export function createMiddleware<TClaims extends JWTPayload = JWTPayload, TRequest = unknown>(
  options: MiddlewareOptions<TClaims, TRequest> | Verifier<TClaims>,
  where = 'jwtAuth',
): Middleware<TClaims, TRequest> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where} needs options: ${where}({ issuer, audience, secret | publicKey | jwks | jwksUri | discovery }), or a verifier from createVerifier`);
  }
  const given = (isVerifier(options) ? { verifier: options } : Object.assign(Object.create(null) as object, options)) as Record<string, unknown>;
  checkNames(given, where);
  const { errors = 'respond', onError, getToken, cookie, resourceMetadata: metadataOption, ...rest } = given as MiddlewareExtras<TRequest> & Record<string, unknown>;
  if (errors !== 'respond' && errors !== 'next') throw new TypeError(`${where}: errors must be "respond" or "next"`);
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError(`${where}: onError must be a function (error, request) => void`);
  if (getToken !== undefined && typeof getToken !== 'function') throw new TypeError(`${where}: getToken must be a function (request) => token | null, sync or async`);
  const cookieSettings = readCookie(where, cookie);
  const resourceMetadata = metadataOption === undefined ? undefined : readResourceMetadataUrl(where, metadataOption);
  if (rest['authorizationHeader'] === false && getToken === undefined && cookieSettings.name === false && (rest['tokenHeader'] === undefined || rest['tokenHeader'] === false)) {
    throw new TypeError(`${where}: authorizationHeader: false leaves no place to read a token from; set tokenHeader, cookie or getToken`);
  }
  const { authenticator, now, dpopChallenge } = buildAuthenticator<TClaims>({ ...rest, cookie: cookieSettings.name } as AuthenticatorOptions<TClaims>, where);
  const { realm } = authenticator;
  const report = reporter(onError as ((error: AuthError, request: unknown) => void) | undefined);
  const anonymous: AuthSession<TClaims> = Object.freeze({ result: null, realm, errors, resourceMetadata, dpop: dpopChallenge(null), report });
  const plan: RequestPlan<TClaims, TRequest> = { where, realm, errors, resourceMetadata, getToken, now, dpopChallenge, report, anonymous };
  const middleware: Middleware<TClaims, TRequest> = Object.freeze({
    withOptional(optional: boolean): Middleware<TClaims, TRequest> {
      if (optional === authenticator.optional) return middleware;
      // Everything but the verifier's own options, around the verifier already built.
      const own = Object.entries(given).filter(([key]) => key !== 'verifier' && !VERIFIER_OPTIONS.includes(key));
      return createMiddleware<TClaims, TRequest>({ ...Object.fromEntries(own), verifier: authenticator.verifier, optional } as MiddlewareOptions<TClaims, TRequest>, where);
    },
    errors,
    authenticator,
    signedCookie: cookieSettings.signed,
    report,
    handle: <R>(read: () => RequestView | Promise<RequestView>, request: TRequest, accept: (session: AuthSession<TClaims>) => R | Promise<R>, refuse: (error: unknown) => R | Promise<R>) =>
      handleRequest(plan, read, request, accept, refuse),
    authenticate(view: RequestView, request: TRequest): Promise<AuthSession<TClaims>> {
      const named = (error: unknown): never => {
        throw namingMetadata(plan, error);
      };
      try {
        return Promise.resolve(sessionNow(plan, view, request)).catch(named);
      } catch (error) {
        return Promise.reject(namingMetadata(plan, error));
      }
    },
  });
  return middleware;
}

/** Publishes a refusal on `jwt-gate:refused` and passes it to `onError`, whose throws are ignored. */
function reporter(onError: ((error: AuthError, request: unknown) => void) | undefined): (error: unknown, request: unknown) => void {
  return (error, request) => {
    if (!isAuthError(error)) return;
    publishRefused(error);
    if (onError === undefined) return;
    try {
      onError(error, request);
    } catch {
      // A logging hook must never change the answer.
    }
  };
}

/** A refusal whose challenge names the middleware's metadata URL, when it has one (RFC 9728 §5.1). */
function namingMetadata(plan: { readonly resourceMetadata: string | undefined }, error: unknown): unknown {
  return isAuthError(error) ? error.withResourceMetadata(plan.resourceMetadata) : error;
}

/** {@link Middleware.handle}: the one place where a request is answered with or without a promise. */
function handleRequest<TClaims extends JWTPayload, TRequest, R>(
  plan: RequestPlan<TClaims, TRequest>,
  read: () => RequestView | Promise<RequestView>,
  request: TRequest,
  accept: (session: AuthSession<TClaims>) => R | Promise<R>,
  refuse: (error: unknown) => R | Promise<R>,
): R | Promise<R> {
  let session: AuthSession<TClaims> | Promise<AuthSession<TClaims>>;
  try {
    session = sessionNow(plan, read(), request);
  } catch (error) {
    return refused(plan, error, request, refuse);
  }
  return session instanceof Promise ? session.then(accept, (error: unknown) => refused(plan, error, request, refuse)) : accept(session);
}

/** A refusal, named and reported, then answered by `refuse`. */
function refused<TClaims extends JWTPayload, TRequest, R>(plan: RequestPlan<TClaims, TRequest>, thrown: unknown, request: TRequest, refuse: (error: unknown) => R | Promise<R>): R | Promise<R> {
  const error = namingMetadata(plan, thrown);
  plan.report(error, request);
  return refuse(error);
}

/** The session of one request, without a promise where nothing had to be awaited; throws refusals. */
function sessionNow<TClaims extends JWTPayload, TRequest>(plan: RequestPlan<TClaims, TRequest>, view: RequestView | Promise<RequestView>, request: TRequest): AuthSession<TClaims> | Promise<AuthSession<TClaims>> {
  if (view instanceof Promise) return view.then((ready) => sessionNow(plan, ready, request));
  const token = suppliedToken(plan, request);
  if (token instanceof Promise) return token.then((found) => plan.now(view, found)).then((result) => sessionOf(plan, result));
  const result = plan.now(view, token);
  return result instanceof Promise ? result.then((ready) => sessionOf(plan, ready)) : sessionOf(plan, result);
}

/** What is recorded for a request `result` (null: anonymous) authenticated under `plan`. */
function sessionOf<TClaims extends JWTPayload, TRequest>(plan: RequestPlan<TClaims, TRequest>, result: AuthResult<TClaims> | null): AuthSession<TClaims> {
  return result === null ? plan.anonymous : { result, realm: plan.realm, errors: plan.errors, resourceMetadata: plan.resourceMetadata, dpop: plan.dpopChallenge(result), report: plan.report };
}

/** The token `getToken` found, checked; a promise of it when `getToken` is async. */
function suppliedToken<TRequest>(plan: RequestPlan<JWTPayload, TRequest>, request: TRequest): string | null | Promise<string | null> {
  const { getToken, realm, where } = plan;
  if (getToken === undefined) return null;
  // An AuthError is getToken refusing the request; anything else is a fault of getToken itself.
  const threw = (error: unknown): AuthError =>
    isAuthError(error) ? error.withRealm(realm) : new AuthError('ERR_CONFIG_INVALID', { realm, cause: error, message: `${where}: getToken threw` });
  const checked = (token: unknown): string | null => {
    if (token === null || token === undefined || token === '') return null;
    if (typeof token !== 'string') throw new AuthError('ERR_CONFIG_INVALID', { realm, message: `${where}: getToken must return a string, null or undefined` });
    return token;
  };
  let token: ReturnType<typeof getToken>;
  try {
    token = getToken(request);
  } catch (error) {
    throw threw(error);
  }
  if (!isThenable(token)) return checked(token);
  return Promise.resolve(token).then(checked, (error: unknown) => {
    throw threw(error);
  });
}

/**
 * The verified token a session holds: throws {@link AuthError} `ERR_TOKEN_MISSING` (401) for an
 * anonymous request and `ERR_CONFIG_INVALID` (500) when no `jwtAuth()` recorded a session.
 * What every adapter's `getAuth` returns.
 */
export function sessionResult<TClaims extends JWTPayload = JWTPayload>(
  session: AuthSession<TClaims> | undefined | null,
  missing = 'No jwtAuth() ran before reading the authentication result',
  details?: unknown,
): AuthResult<TClaims> {
  if (typeof session !== 'object' || session === null) throw new AuthError('ERR_CONFIG_INVALID', { message: missing, ...(details === undefined ? {} : { details }) });
  if (session.result === null) {
    throw new AuthError('ERR_TOKEN_MISSING', {
      realm: session.realm,
      ...(session.resourceMetadata === undefined ? {} : { resourceMetadata: session.resourceMetadata }),
      ...(session.dpop === undefined ? {} : { dpop: session.dpop }),
    });
  }
  return session.result;
}
