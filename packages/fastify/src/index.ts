/**
 * jwt-gate for Fastify 5: the `jwtGate` plugin authenticates every route of its scope (routes
 * opt out or make it optional in their `config`), `jwtAuth()` is the same as a hook for one
 * route; both set `request.auth`. Route guards (`requireScopes`, `requireRoles`, `claimCheck`,
 * `allOf`, ...) authorize by its claims in `preHandler`. What an application needs from
 * `@jwt-gate/core` (verifiers, issuers, DPoP, stores, keys) comes along, so this package is the only
 * dependency to add.
 *
 * @module
 */

export { getAuth, jwtAuth } from './jwt-auth.js';
export { protectedResourceMetadata } from './metadata.js';
export type { AuthClaims, AuthHook, JwtAuthHook, JwtAuthOptions } from './jwt-auth.js';
export { jwtGate } from './plugin.js';
export type { JwtGateOptions, RouteAuthConfig } from './plugin.js';
export { markAuthentication } from '@jwt-gate/core/adapter';
export type { CookieOption, ErrorMode } from '@jwt-gate/core/adapter';
export {
  allOf,
  anyOf,
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  not,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
} from './guards.js';
export type { RouteGuard } from './guards.js';
export {
  AuthError,
  CHANNELS,
  authorize,
  buildChallenge,
  buildDPoPChallenge,
  createDiscovery,
  createDPoPVerifier,
  createIssuer,
  createKeySet,
  createLoginThrottle,
  createMemoryFailureStore,
  createMemoryReplayStore,
  createProtectedResourceMetadata,
  createRefreshTokens,
  createRemoteJwks,
  createRevocationStore,
  createVerifier,
  DEFAULT_DPOP_ALGORITHMS,
  evaluatePolicy,
  exportPrivateKey,
  exportPublicKey,
  generateSigningKey,
  importSigningKey,
  isAuthError,
  isPolicy,
  protectedResourceMetadataUrl,
  publicJwk,
} from '@jwt-gate/core';
export type {
  Algorithm,
  AuthErrorCode,
  AuthResult,
  IssuerResolver,
  KeysEvent,
  RefusedEvent,
  ClaimCheckOptions,
  ClaimOptions,
  ClaimPath,
  ClaimPredicate,
  ClaimValue,
  DPoPChallenge,
  DPoPMode,
  DPoPNonceOptions,
  DPoPOptions,
  DPoPProof,
  DPoPProofOptions,
  DPoPRequest,
  DPoPVerifier,
  DPoPVerifyOptions,
  FailureStore,
  Issuer,
  IssuerOptions,
  JWK,
  JWTPayload,
  KeySet,
  LoginThrottle,
  MatchOptions,
  MemoryReplayStoreOptions,
  PolicyDecision,
  PolicyFailure,
  Policy,
  ProtectedResourceMetadata,
  ProtectedResourceMetadataDocument,
  ProtectedResourceMetadataOptions,
  RefreshTokens,
  ReplayStore,
  RequestView,
  RevocationStore,
  SigningKey,
  TrustedIssuer,
  VerifiedToken,
  Verifier,
  VerifierOptions,
} from '@jwt-gate/core';
