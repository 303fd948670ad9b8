/**
 * `createRefreshTokens`: one-time refresh tokens with rotation and reuse detection
 * (RFC 9700 §4.14). Each login starts a token family; redeeming a refresh token marks it used
 * and returns its successor in the same family; a used token that comes back means a copy
 * leaked, so the whole family is revoked and every token of it stops working.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import type { Issuer } from './issuer.js';
import { keySetState } from '../keys/key-set.js';
import { createRevocationStore, type RevocationStore } from '../stores/revocation.js';
import { createVerifier, type Verifier, type VerifierOptions, type VerifiedToken } from '../verification/verifier.js';
import { randomBase64url } from '../jose/base64url.js';
import { normalizeMediaType } from '../jose/media-type.js';
import { ownOptions } from '../internal/options.js';
import { boundThumbprint } from '../dpop/resource.js';

/** Options of {@link createRefreshTokens}. */
export interface RefreshTokensOptions {
  /** Signs the refresh tokens with its active key; its key set (retired keys included) verifies them. */
  issuer: Issuer;
  /**
   * Where used tokens and revoked families are kept. Default: a new in-memory store (one
   * process). A store you pass must be created with the same `familyClaim`; this is checked now.
   */
  store?: RevocationStore;
  /** The claim naming a token's family. Default `sid` (a login session). */
  familyClaim?: string;
  /**
   * The `aud` of refresh tokens: the token endpoint, never an API. Default: the issuer
   * identifier. Must differ from the issuer's access-token audiences.
   */
  audience?: string;
  /** Refresh token lifetime in seconds; each redemption starts a new one. Default 1209600 (14 days). */
  expiresIn?: number;
  /** The `typ` header of refresh tokens. Default `rt+jwt`; never `at+jwt`. */
  tokenType?: string;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** The first refresh token of a family. */
export interface IssuedRefreshToken {
  /** The refresh token, to return to the client. */
  readonly refreshToken: string;
  /** The token family (login session); put it in the access tokens too (as the family claim) to end them with it. */
  readonly family: string;
}

/** A redeemed refresh token and its successor. */
export interface RedeemedRefreshToken<TClaims extends JWTPayload = JWTPayload> {
  /** The verified claims of the redeemed token: `sub`, the family and what `issue` was given. */
  readonly claims: TClaims;
  /** The token family (login session). */
  readonly family: string;
  /** The new refresh token, same family and claims, fresh lifetime. Return it to the client. */
  readonly refreshToken: string;
}

/** The DPoP key of a login or refresh, for {@link RefreshTokens.issue} and {@link RefreshTokens.redeem}. */
export interface RefreshBinding {
  /**
   * The thumbprint of the DPoP proof's key that came with the request (`proof.jkt` from
   * `createDPoPVerifier`), or undefined when it came without a proof.
   */
  jkt?: string | undefined;
}

/** Issues, redeems and revokes refresh tokens. */
export interface RefreshTokens<TClaims extends JWTPayload = JWTPayload> {
  /**
   * Issues the first refresh token of a new family (at login). `claims` need `sub`. With
   * `binding.jkt` (a login with a DPoP proof), every refresh token of the family is bound to
   * that key (`cnf.jkt`) and is redeemed only with a proof of it.
   */
  issue(claims: JWTPayload, binding?: RefreshBinding): Promise<IssuedRefreshToken>;
  /**
   * Redeems a refresh token once. Rejects with an {@link AuthError}: the verifier's codes for a
   * bad, expired or foreign token (`ERR_TOKEN_TYPE_INVALID` for an access token), and
   * `ERR_TOKEN_REVOKED` for a revoked family or a reused token (reason `reused`), whose whole
   * family is revoked at that moment. A token of a DPoP login needs `binding.jkt` of the same
   * key: without it `ERR_DPOP_PROOF_INVALID` (reason `missing`), with another
   * `ERR_DPOP_KEY_MISMATCH`; neither uses the token up.
   */
  redeem(token: string, binding?: RefreshBinding): Promise<RedeemedRefreshToken<TClaims>>;
  /** Revokes the family of a valid refresh token (at logout). Rejects with an AuthError otherwise. */
  revoke(token: string): Promise<void>;
  /**
   * Revokes a family by its id (at logout, with the family claim of a verified access token):
   * its refresh tokens, and the access tokens naming it wherever the verifier checks this
   * store, until its last refresh token expires. Rejects with `ERR_REVOCATION_UNAVAILABLE`
   * (503) when the store cannot take the write.
   *
   * @example Logging out with the access token
   * ```ts
   * const { claims } = req.auth;
   * if (typeof claims.sid === 'string') await refresh.revokeFamily(claims.sid);
   * ```
   */
  revokeFamily(family: string): Promise<void>;
  /** The claim naming a token's family (`sid` by default). */
  readonly familyClaim: string;
  /** The store of family generations and revoked families; pass it to the access-token verifier's `isRevoked` too. */
  readonly store: RevocationStore;
}

const REGISTERED = ['iss', 'sub', 'aud', 'iat', 'exp', 'nbf', 'jti'];
/**
 * The claim holding a refresh token's place in its family: 0 for the first token of a login,
 * one more for each successor. The store keeps only the family's current generation, so reuse
 * detection costs one record per live session, however often its tokens are redeemed.
 */
const GENERATION = 'gen';

/**
 * Creates the refresh-token flow for an issuer. Refresh tokens are JWTs with their own `typ`
 * (`rt+jwt`) and audience, so an access-token verifier refuses them and this flow refuses
 * access tokens. They are never encrypted: the issuer reads them back itself.
 *
 * @example A token endpoint
 * ```ts
 * const refresh = createRefreshTokens({ issuer });
 * // POST /login
 * const { refreshToken, family } = await refresh.issue({ sub: user.id });
 * const accessToken = await issuer.sign({ sub: user.id, scope: user.scope, sid: family });
 * // POST /token/refresh
 * const redeemed = await refresh.redeem(body.refresh_token);
 * const next = await issuer.sign({ sub: redeemed.claims.sub, scope: scopeOf(redeemed.claims.sub), sid: redeemed.family });
 * // respond with { access_token: next, refresh_token: redeemed.refreshToken, ... }
 * ```
 */
export function createRefreshTokens<TClaims extends JWTPayload = JWTPayload>(input: RefreshTokensOptions): RefreshTokens<TClaims> {
  if (typeof input !== 'object' || input === null) throw new TypeError('createRefreshTokens needs an options object');
  const options = ownOptions(input, 'createRefreshTokens', ['issuer', 'store', 'familyClaim', 'audience', 'expiresIn', 'tokenType', 'clock']);
  const given = options.issuer;
  if (typeof given !== 'object' || given === null || typeof given.sign !== 'function' || given.keys === undefined) {
    throw new TypeError('issuer must be an issuer made by createIssuer');
  }
  const issuer: Issuer = given;
  keySetState(issuer.keys).catch(() => undefined);
  const familyClaim = options.familyClaim ?? 'sid';
  if (typeof familyClaim !== 'string' || familyClaim.length === 0 || REGISTERED.includes(familyClaim) || familyClaim === GENERATION) {
    throw new TypeError(`familyClaim must be a claim name other than the registered ones (iss, sub, aud, iat, exp, nbf, jti) and ${GENERATION}`);
  }
  const audience = options.audience ?? issuer.issuer;
  if (typeof audience !== 'string' || audience.length === 0) throw new TypeError('audience must be a non-empty string');
  if (issuer.audience.includes(audience)) {
    throw new TypeError('the refresh token audience must differ from the access token audiences, so an API never accepts a refresh token');
  }
  const expiresIn = options.expiresIn ?? 1_209_600;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw new RangeError('expiresIn must be a positive number of seconds');
  const tokenType = options.tokenType ?? 'rt+jwt';
  if (typeof tokenType !== 'string' || tokenType.length === 0 || normalizeMediaType(tokenType) === 'at+jwt' || normalizeMediaType(tokenType) === 'jwt') {
    throw new TypeError('tokenType must be a refresh token type such as "rt+jwt", never "at+jwt" or "JWT"');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  const store = options.store ?? createRevocationStore({ familyClaim });
  if (options.store !== undefined) checkStore(store, familyClaim);

  // Verifiers are rebuilt only when the issuer's key set changed (a rotation), never per token.
  let cached: { version: number; verifier: Verifier<TClaims> } | undefined;
  async function verifier(): Promise<Verifier<TClaims>> {
    const state = await keySetState(issuer.keys);
    if (cached?.version === state.version) return cached.verifier;
    const keys: Partial<VerifierOptions> = state.hmac
      ? { secret: state.keys.map((key) => ({ kid: key.kid, key: key.secret as Uint8Array })), algorithms: [...new Set(state.keys.map((key) => key.algorithm))] }
      : { jwks: { keys: state.keys.flatMap((key) => (key.publicJwk === undefined ? [] : [key.publicJwk])) } };
    const built = createVerifier<TClaims>({
      issuer: issuer.issuer,
      audience,
      tokenType,
      requiredClaims: ['sub', 'jti', 'iat', familyClaim, GENERATION],
      clock,
      ...keys,
    });
    cached = { version: state.version, verifier: built };
    return built;
  }

  async function verified(token: string): Promise<{ token: VerifiedToken<TClaims>; family: string; generation: number }> {
    const result = await (await verifier()).verify(token);
    const claims = result.claims as Record<string, unknown>;
    const family = claims[familyClaim];
    if (typeof family !== 'string' || family.length === 0) throw new AuthError('ERR_CLAIM_INVALID', { claim: familyClaim, reason: 'type' });
    const generation = claims[GENERATION];
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) throw new AuthError('ERR_CLAIM_INVALID', { claim: GENERATION, reason: 'type' });
    return { token: result, family, generation };
  }

  function familyExpiry(): number {
    // Every token of a family expires at most `expiresIn` after the latest one was issued (now at
    // the latest), plus the largest clock tolerance a verifier allows.
    return Math.ceil(clock() / 1000) + expiresIn + 300;
  }

  function unavailable(cause: unknown): AuthError {
    return new AuthError('ERR_REVOCATION_UNAVAILABLE', { cause });
  }

  function carried(claims: JWTPayload): JWTPayload {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(claims)) if (!REGISTERED.includes(name) && name !== familyClaim && name !== GENERATION) out[name] = value;
    return out;
  }

  async function sign(claims: JWTPayload, sub: string, family: string, generation: number): Promise<string> {
    return issuer.sign({ ...claims, sub, [familyClaim]: family, [GENERATION]: generation }, { audience, expiresIn, tokenType, encrypt: false });
  }

  async function endFamily(issuerId: string, family: string): Promise<void> {
    try {
      await store.revokeFamily(issuerId, family, familyExpiry());
    } catch (error) {
      throw unavailable(error);
    }
  }

  return Object.freeze({
    store,
    familyClaim,
    async issue(claims: JWTPayload, binding: RefreshBinding = {}): Promise<IssuedRefreshToken> {
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('claims must be an object');
      const jkt = bindingOf(binding);
      const sub = claims.sub;
      if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('refresh tokens need a sub');
      for (const name of [familyClaim, GENERATION]) {
        if (Object.hasOwn(claims, name)) throw new TypeError(`claims must not set ${name}: each issue() starts a new family`);
      }
      const { sub: _sub, ...rest } = claims;
      if (jkt !== undefined && Object.hasOwn(claims, 'cnf')) throw new TypeError('give the DPoP key as binding.jkt or the claims a cnf, not both');
      const family = randomBase64url();
      return Object.freeze({ refreshToken: await sign(jkt === undefined ? rest : { ...rest, cnf: { jkt } }, sub, family, 0), family });
    },
    async redeem(token: string, binding: RefreshBinding = {}): Promise<RedeemedRefreshToken<TClaims>> {
      const jkt = bindingOf(binding);
      const { token: result, family, generation } = await verified(token);
      // A family bound at login is redeemed only with a proof of its key, checked before the
      // family moves on, so a stolen token tried without that key does not use it up.
      const bound = boundThumbprint(result.claims);
      if (bound !== undefined && jkt === undefined) throw new AuthError('ERR_DPOP_PROOF_INVALID', { reason: 'missing', issuer: result.issuer });
      if (bound !== undefined && bound !== jkt) throw new AuthError('ERR_DPOP_KEY_MISMATCH', { issuer: result.issuer });
      // One atomic step in the store: of two redemptions of one token, however concurrent and
      // on whichever instance, one advances the family and the other finds it reused.
      let outcome: Awaited<ReturnType<RevocationStore['advanceFamily']>>;
      try {
        outcome = await store.advanceFamily(result.issuer, family, generation, familyExpiry());
      } catch (error) {
        throw unavailable(error);
      }
      // A used token came back: a copy is in someone else's hands, and the store ended the family.
      if (outcome === 'reused') throw new AuthError('ERR_TOKEN_REVOKED', { reason: 'reused' });
      if (outcome !== 'advanced') throw new AuthError('ERR_TOKEN_REVOKED', { reason: 'family_revoked' });
      const claims = result.claims;
      const refreshToken = await sign(carried(claims), claims.sub as string, family, generation + 1);
      return Object.freeze({ claims, family, refreshToken });
    },
    async revoke(token: string): Promise<void> {
      const { token: result, family } = await verified(token);
      await endFamily(result.issuer, family);
    },
    async revokeFamily(family: string): Promise<void> {
      if (typeof family !== 'string' || family.length === 0) throw new TypeError('revokeFamily needs a family id');
      await endFamily(issuer.issuer, family);
    },
  });
}

function bindingOf(binding: RefreshBinding): string | undefined {
  if (typeof binding !== 'object' || binding === null) throw new TypeError('binding must be { jkt }');
  const { jkt } = ownOptions(binding, 'binding', ['jkt']);
  if (jkt !== undefined && (typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt))) throw new TypeError("binding.jkt must be a SHA-256 JWK thumbprint in base64url (a DPoP proof's jkt)");
  return jkt;
}

// A store revokes families by the claim it was created with; if that is not ours, reuse
// detection would silently revoke nothing.
function checkStore(store: RevocationStore, familyClaim: string): void {
  if (typeof store !== 'object' || store === null || typeof store.isRevoked !== 'function' || typeof store.revokeFamily !== 'function' || typeof store.advanceFamily !== 'function') {
    throw new TypeError('store must be a revocation store (createRevocationStore({ familyClaim }))');
  }
  if (store.familyClaim !== familyClaim) {
    throw new TypeError(`store revokes families by another claim (or none); create it with createRevocationStore({ familyClaim: '${familyClaim}' })`);
  }
}
