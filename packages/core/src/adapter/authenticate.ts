/**
 * `createAuthenticator`: what a framework adapter does per request, in one call. It reads the
 * token from a {@link RequestView}, verifies it (revocation included), applies the global policy,
 * and resolves to the result (or `null` for an anonymous request in optional mode).
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { ownOptions } from '../internal/options.js';
import type { Policy } from '../policies/policy.js';
import { compilePolicy } from '../policies/evaluate.js';
import { VERIFIER_OPTIONS } from '../verification/plan.js';
import { buildVerifier, verifyNowOf, type VerifiedToken, type Verifier, type VerifierOptions, type VerifyNow } from '../verification/verifier.js';
import { defaultBackend } from '../crypto/select.js';
import { bearerToken, checkBearerToken, extractToken, type ExtractOptions, type RequestView } from './extract.js';
import { boundThumbprint, createDPoPGate, type DPoPGate, type DPoPOptions } from '../dpop/resource.js';
import { isAuthError, type DPoPChallenge } from '../errors/auth-error.js';

/** What an adapter attaches to the request: the verified claims, the header and the raw token. */
export type AuthResult<TClaims extends JWTPayload = JWTPayload> = VerifiedToken<TClaims>;

/** Request-level options, shared by every adapter's `jwtAuth`. */
export interface AuthenticateOptions<TClaims extends JWTPayload = JWTPayload> {
  /**
   * Let requests without a token through as anonymous (the result is `null`). A token that is
   * present but invalid is still refused. Default false.
   */
  optional?: boolean;
  /**
   * Also read the token from this cookie. Off by default: a cookie-borne token needs CSRF
   * protection of its own. Adapters also take `{ name, signed: true }` for a cookie the
   * framework signs (cookie-parser's `req.signedCookies`, Koa's `ctx.cookies.get(name, { signed: true })`).
   */
  cookie?: string | false;
  /**
   * Also read the token from this request header (`x-access-token`, say): the token alone, or
   * `Bearer <token>`. A request carrying tokens in two places is refused (400). Off by default.
   */
  tokenHeader?: string | false;
  /**
   * Read the `Authorization` header. Default true. `false` reads the token only from the other
   * sources configured (`tokenHeader`, `cookie`, an adapter's `getToken`) and leaves
   * `Authorization` alone entirely: for services behind a gateway that uses that header itself
   * (Cloud Run's `X-Serverless-Authorization`, say), or hono/jwt's `headerName`, which replaces
   * it.
   *
   * @example
   * ```ts
   * jwtAuth({ issuer, audience, jwksUri, tokenHeader: 'x-serverless-authorization', authorizationHeader: false });
   * ```
   */
  authorizationHeader?: boolean;
  /**
   * A claim policy every authenticated request must pass (`requireScopes(...)`, `allOf(...)`,
   * ...), evaluated after the token verified (and was checked for revocation), with the request
   * passed to `claimCheck` predicates. A denial rejects with 403 `ERR_INSUFFICIENT_SCOPE`.
   * Anonymous requests of optional mode carry no claims and skip it: to require a token on some
   * routes only, put a route guard on them. Default: none.
   *
   * @example
   * ```ts
   * createAuthenticator({ issuer, audience, jwksUri, policy: requireScopes('orders:read') });
   * ```
   */
  policy?: Policy<TClaims>;
  /**
   * Accept DPoP (RFC 9449): `Authorization: DPoP <token>` with a `DPoP` proof header, checked
   * against the request (method, `externalUrl` and path, `iat`, `ath`, the token's `cnf.jkt`)
   * and recorded once in `replayStore`. `mode: 'required'` (default) refuses Bearer tokens,
   * `'allowed'` takes both. Default: off. In every mode, a DPoP-bound token sent as Bearer is
   * refused (401 `ERR_DPOP_BOUND_TOKEN`).
   *
   * @example
   * ```ts
   * jwtAuth({ issuer, audience, jwksUri, dpop: { externalUrl: 'https://api.example.com', replayStore: createRedisReplayStore({ client }) } });
   * ```
   */
  dpop?: DPoPOptions | false;
}

/** Options of {@link createAuthenticator}: verifier options (or a ready `verifier`) plus request options. */
export type AuthenticatorOptions<TClaims extends JWTPayload = JWTPayload> =
  | (VerifierOptions & AuthenticateOptions<TClaims> & { verifier?: undefined })
  | (AuthenticateOptions<TClaims> & { verifier: Verifier<TClaims> });

/** Authenticates requests. Build one per middleware, at start-up. */
export interface Authenticator<TClaims extends JWTPayload = JWTPayload> {
  /**
   * Authenticates a request: the verified token, `null` for an anonymous request (optional
   * mode), or a rejection with an {@link AuthError}. Every method is treated alike: a CORS
   * preflight (`OPTIONS`) carries no credentials, so answer it with CORS middleware in front.
   * `supplied` is a token the application found itself (an adapter's `getToken`): one more
   * transport, and two transports carrying a token is a 400.
   */
  authenticate(request: RequestView, supplied?: string | null): Promise<AuthResult<TClaims> | null>;
  /** The verifier in use. */
  readonly verifier: Verifier<TClaims>;
  /** The realm of its challenges. */
  readonly realm: string;
  /** Whether anonymous requests pass. */
  readonly optional: boolean;
}

export const AUTHENTICATE_OPTIONS: readonly string[] = ['optional', 'cookie', 'tokenHeader', 'authorizationHeader', 'policy', 'dpop'];
/** An HTTP token (RFC 9110 §5.6.2): what a cookie or header name may be. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isVerifier(value: unknown): value is Verifier {
  return typeof value === 'object' && value !== null && typeof (value as Verifier).verify === 'function' && typeof (value as Verifier).ready === 'function';
}

/** @internal An authenticator and its synchronous entry, for the middleware kit. */
export interface BuiltAuthenticator<TClaims extends JWTPayload> {
  readonly authenticator: Authenticator<TClaims>;
  /**
   * `authenticate`'s own steps, answering without a promise where nothing had to be awaited and
   * throwing its refusals; `authenticate` is this, wrapped in a promise.
   */
  readonly now: (request: RequestView, supplied?: string | null) => AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null>;
  /**
   * How a refusal after this authentication (a route guard's) names DPoP, given what was
   * accepted (`null` for an anonymous request); undefined where DPoP is off.
   */
  readonly dpopChallenge: (result: AuthResult | null) => DPoPChallenge | undefined;
}

/**
 * Creates an authenticator from verifier options, or around a verifier you already have.
 * Configuration mistakes throw now, naming `where` (the function the user called).
 *
 * @example
 * ```ts
 * const auth = createAuthenticator({ issuer, audience, jwksUri, optional: true });
 * const result = await auth.authenticate(headersRequestView(request.headers, request.method));
 * ```
 */
export function createAuthenticator<TClaims extends JWTPayload = JWTPayload>(
  options: AuthenticatorOptions<TClaims> | Verifier<TClaims>,
  where = 'createAuthenticator',
): Authenticator<TClaims> {
  return buildAuthenticator(options, where).authenticator;
}

/** A verifier the caller made, alone: its options belong to `createVerifier`. */
function readyVerifier<TClaims extends JWTPayload>(ready: unknown, rest: object, where: string): Verifier<TClaims> {
  if (!isVerifier(ready)) throw new TypeError(`${where}: verifier must come from createVerifier`);
  if (Object.keys(rest).length > 0) throw new TypeError(`${where}: with a ready verifier, give its options to createVerifier, not here (${Object.keys(rest).join(', ')})`);
  return ready as Verifier<TClaims>;
}

/** @internal {@link createAuthenticator}, with its synchronous entry. */
export function buildAuthenticator<TClaims extends JWTPayload = JWTPayload>(
  options: AuthenticatorOptions<TClaims> | Verifier<TClaims>,
  where: string,
): BuiltAuthenticator<TClaims> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs options or a verifier`);
  const given = isVerifier(options) ? { verifier: options } : ownOptions(options, where, [...VERIFIER_OPTIONS, ...AUTHENTICATE_OPTIONS, 'verifier']);
  const { optional = false, cookie = false, tokenHeader = false, authorizationHeader = true, policy, dpop = false, verifier: ready, ...verifierOptions } = given as AuthenticateOptions<TClaims> &
    VerifierOptions & { verifier?: Verifier<TClaims> };
  if (typeof optional !== 'boolean') throw new TypeError(`${where}: optional must be a boolean`);
  if (typeof authorizationHeader !== 'boolean') throw new TypeError(`${where}: authorizationHeader must be a boolean`);
  if (cookie !== false && (typeof cookie !== 'string' || !HTTP_TOKEN.test(cookie))) throw new TypeError(`${where}: cookie must be a cookie name (an HTTP token) or false`);
  if (tokenHeader !== false && (typeof tokenHeader !== 'string' || !HTTP_TOKEN.test(tokenHeader) || tokenHeader.toLowerCase() === 'authorization' || tokenHeader.toLowerCase() === 'cookie')) {
    throw new TypeError(`${where}: tokenHeader must be a header name other than authorization and cookie (read anyway), or false`);
  }
  const enforce = policy === undefined ? undefined : compilePolicy(policy, `${where}: policy`);
  const verifier = ready === undefined ? buildVerifier<TClaims>(verifierOptions, defaultBackend(), where) : readyVerifier<TClaims>(ready, verifierOptions, where);
  const realm = verifier.realm;
  const extract: ExtractOptions = { authorization: authorizationHeader, cookie, header: tokenHeader === false ? false : (tokenHeader as string).toLowerCase(), realm };

  const own = verifyNowOf(verifier);
  const verifyNow: VerifyNow<TClaims> = own ?? ((token, context) => Promise.resolve(verifier.verify(token, context)));
  if (dpop !== false && authorizationHeader === false) throw new TypeError(`${where}: dpop needs the Authorization header (authorizationHeader: true)`);
  const gate: DPoPGate | undefined = dpop === false ? undefined : createDPoPGate(dpop, realm, where);
  // Where the Authorization header is the only place a token may come from, the bearer token's
  // syntax is checked by the verifier, and only for a token not in its cache of verified tokens
  // (a token that verified is always well formed). The answer is the same either way.
  const lateSyntax = own !== undefined && gate === undefined && authorizationHeader && extract.cookie === false && extract.header === false;
  const checkSyntax = (token: string): void => checkBearerToken(token, realm);

  function bearerNow(request: RequestView, supplied?: string | null): AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null> {
    const alone = supplied === undefined || supplied === null;
    const late = lateSyntax && alone;
    const token = late ? bearerToken(request, realm) : extractToken(request, alone ? extract : { ...extract, supplied });
    if (token === null) {
      if (optional) return null;
      throw new AuthError('ERR_TOKEN_MISSING', { realm });
    }
    if (gate !== undefined) {
      // A proof beside a Bearer token is a confused client: refused rather than silently ignored.
      if (gate.proofSent(request)) throw new AuthError('ERR_INVALID_REQUEST', { realm, reason: 'dpop_proof_with_bearer' });
      if (gate.required) throw new AuthError('ERR_DPOP_REQUIRED', { realm });
    }
    const verified = verifyNow(token, { request }, late ? checkSyntax : undefined);
    if (verified instanceof Promise) return verified.then((result) => checked(unbound(result), request));
    return checked(unbound(verified), request);
  }

  // RFC 9449 §7.2: a token bound to a key is worthless to a thief only if it is never accepted without a proof.
  function unbound(verified: AuthResult<TClaims>): AuthResult<TClaims> {
    if (boundThumbprint(verified.claims) !== undefined) throw new AuthError('ERR_DPOP_BOUND_TOKEN', { realm, issuer: verified.issuer });
    return verified;
  }

  async function dpopNow(request: RequestView, token: string, gate: DPoPGate): Promise<AuthResult<TClaims>> {
    const { proof, commit } = await gate.inspect(request, token);
    const verified = await verifyNow(token, { request });
    const jkt = boundThumbprint(verified.claims);
    if (jkt !== proof.jkt) throw new AuthError('ERR_DPOP_KEY_MISMATCH', { realm, issuer: verified.issuer, reason: jkt === undefined ? 'unbound' : 'jkt' });
    // Recorded last, so a proof refused for any other reason does not use up its jti.
    await commit();
    return checked(verified, request);
  }

  function now(request: RequestView, supplied?: string | null): AuthResult<TClaims> | null | Promise<AuthResult<TClaims> | null> {
    if (gate === undefined) return bearerNow(request, supplied);
    let scheme: 'Bearer' | 'DPoP' = 'Bearer';
    const challenged = (error: unknown): never => {
      throw isAuthError(error) && error.status !== 500 && error.status !== 503 ? error.withDPoP({ ...gate.challenge(scheme), ...(error.dpop?.nonce === undefined ? {} : { nonce: error.dpop.nonce }) }) : error;
    };
    try {
      const token = gate.token(request);
      if (token === null) {
        const result = bearerNow(request, supplied);
        return result instanceof Promise ? result.catch(challenged) : result;
      }
      scheme = 'DPoP';
      // One transport only: a DPoP token and another token (cookie, header, getToken) is a 400.
      if ((supplied !== undefined && supplied !== null) || extractToken(request, { ...extract, authorization: false }) !== null) throw new AuthError('ERR_MULTIPLE_TOKENS', { realm });
      return dpopNow(request, token, gate).catch(challenged);
    } catch (error) {
      return challenged(error);
    }
  }

  function checked(verified: AuthResult<TClaims>, request: RequestView): AuthResult<TClaims> | Promise<AuthResult<TClaims>> {
    const denied = enforce?.(verified as AuthResult, request, realm);
    return denied instanceof Promise ? denied.then(() => verified) : verified;
  }

  function authenticate(request: RequestView, supplied?: string | null): Promise<AuthResult<TClaims> | null> {
    try {
      return Promise.resolve(now(request, supplied));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // A bound token is accepted only under the DPoP scheme and the DPoP scheme only with a bound
  // token, so the binding tells which scheme the request used (RFC 9449 §7.1: its challenge carries the error).
  const dpopChallenge = (result: AuthResult | null): DPoPChallenge | undefined =>
    gate?.challenge(result !== null && boundThumbprint(result.claims) !== undefined ? 'DPoP' : 'Bearer');

  return { authenticator: Object.freeze({ verifier, realm, optional, authenticate }), now, dpopChallenge };
}
