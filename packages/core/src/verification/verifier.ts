/**
 * `createVerifier`: JSON Web Token verification with every security default on.
 *
 * @module
 */

import type { JWTPayload } from 'jose';
import type { SignatureBackend } from '../crypto/backend.js';
import { defaultBackend } from '../crypto/select.js';
import type { IssuerMetadata } from '../keys/discovery.js';
import type { JwksCacheSnapshot } from '../keys/remote-jwks.js';
import { traceVerify, tracingVerify } from '../observability/channels.js';
import { verifyToken } from './pipeline.js';
import { planVerification, type VerificationPlan } from './plan.js';
import { isRemoteJwks } from './trusted-issuers.js';
import type { VerifiedToken, Verifier, VerifierCacheSnapshot, VerifierOptions, VerifyContext } from './types.js';

export type {
  Algorithm,
  IssuerResolver,
  IssuerRules,
  KeySource,
  ManyIssuersOptions,
  PublicKeyInput,
  ResolvedIssuersOptions,
  SingleIssuerOptions,
  VerificationRules,
  VerifyContext,
  RemoteOptions,
  RevocationCheck,
  SecretInput,
  TrustedIssuer,
  VerifiedToken,
  Verifier,
  VerifierCacheSnapshot,
  VerifierOptions,
} from './types.js';

/**
 * Creates a verifier. All options are validated and copied now; keys are imported now (and
 * remote key sets fetched on first use), so `verify` does only per-token work.
 *
 * @example An HMAC secret
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'orders-api', secret: process.env.JWT_SECRET });
 * const { claims } = await verifier.verify(token);
 * ```
 *
 * @example An identity provider, through discovery
 * ```ts
 * const verifier = createVerifier({ issuer: 'https://example.eu.auth0.com/', audience: 'https://api.example.com', discovery: true, profile: 'rfc9068' });
 * ```
 */
export function createVerifier<TClaims extends JWTPayload = JWTPayload>(options: VerifierOptions): Verifier<TClaims> {
  return buildVerifier<TClaims>(options, defaultBackend(), 'createVerifier');
}

/**
 * @internal The key of a verifier's own synchronous entry: the same pipeline as `verify`,
 * answering without a promise where nothing had to be awaited (a cached token, keys at hand,
 * node:crypto) and throwing its refusal. Only the adapter kit reads it, to spare a request the
 * ticks of a promise chain; `verify` stays the one public entry.
 */
export const VERIFY_NOW = Symbol('jwt-gate.verifyNow');

/**
 * @internal A verifier's synchronous entry: `checkSyntax` is the caller's check of the token's
 * syntax, run only when the token is not in the cache of verified tokens.
 */
export type VerifyNow<TClaims extends JWTPayload> = (token: string, context?: VerifyContext, checkSyntax?: (token: string) => void) => VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>>;

/** The synchronous entry of a verifier made here, or undefined for any other object. */
export function verifyNowOf<TClaims extends JWTPayload>(verifier: Verifier<TClaims>): VerifyNow<TClaims> | undefined {
  const entry = (verifier as { [VERIFY_NOW]?: unknown })[VERIFY_NOW];
  return typeof entry === 'function' ? (entry as VerifyNow<TClaims>) : undefined;
}

/**
 * @internal The verifier on a chosen signature backend (the differential tests use both), its
 * configuration errors naming `where`, the function the user called.
 */
export function buildVerifier<TClaims extends JWTPayload = JWTPayload>(options: VerifierOptions, backend: SignatureBackend, where = 'createVerifier'): Verifier<TClaims> {
  const plan = planVerification(options, backend, where);
  const trace = Object.freeze({ realm: plan.realm });
  const verify = (token: string, context?: VerifyContext): Promise<VerifiedToken<TClaims>> =>
    traceVerify(trace, () => {
      try {
        return Promise.resolve(verifyToken(plan, token, context) as VerifiedToken<TClaims>);
      } catch (error) {
        return Promise.reject(error);
      }
    });
  const verifyNow: VerifyNow<TClaims> = (token, context, checkSyntax) => {
    if (!tracingVerify()) return verifyToken(plan, token, context, checkSyntax) as VerifiedToken<TClaims> | Promise<VerifiedToken<TClaims>>;
    // While anyone traces verifications, every one goes through `verify`, so none escapes the
    // trace; a token of bad syntax is refused first, outside it, as a request that never reached verification.
    checkSyntax?.(token);
    return verify(token, context);
  };
  const verifier: Verifier<TClaims> = {
    realm: plan.realm,
    issuers: plan.issuers.fixed,
    verify,
    async ready(): Promise<void> {
      await Promise.all([...[...plan.issuers.plans()].map((issuer) => issuer.keys.ready()), plan.decryptor?.ready()]);
    },
    exportCache: () => exportCache(plan),
  };
  Object.defineProperty(verifier, VERIFY_NOW, { value: verifyNow });
  return Object.freeze(verifier);
}

/** The remote state of every issuer: key sets by URL, discovered metadata by issuer. */
function exportCache(plan: VerificationPlan): VerifierCacheSnapshot {
  const jwks: Record<string, JwksCacheSnapshot> = {};
  const metadata: Record<string, IssuerMetadata> = {};
  for (const { issuer, remote } of plan.issuers.plans()) {
    if (remote === undefined || issuer === null) continue;
    const set = isRemoteJwks(remote) ? remote : remote.current;
    if (!isRemoteJwks(remote) && remote.metadata !== undefined) metadata[issuer] = remote.metadata;
    const snapshot = set?.exportCache();
    if (set !== undefined && snapshot !== undefined) jwks[set.url] = snapshot;
  }
  return { jwks, metadata };
}
