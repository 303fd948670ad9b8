/**
 * jwt-gate for Hono 4: `jwtAuth()` verifies the bearer token and sets `c.var.auth`; route
 * guards (`requireScopes`, `requireRoles`, `claimCheck`, `allOf`, ...) authorize by its claims;
 * `assertGuarded(app)` checks at start-up that every guard has `jwtAuth()` in front. Runs on
 * Node (through `@hono/node-server`), Bun, Deno and Workers. What an application needs from
 * `@jwt-gate/core` (verifiers, issuers, DPoP, stores, keys) comes along, so this package is the only
 * dependency to add.
 *
 * @module
 */

export { getAuth, jwtAuth } from './jwt-auth.js';
export { protectedResourceMetadata } from './metadata.js';
export type { AuthVariables, JwtAuthOptions, OptionalAuthVariables } from './jwt-auth.js';
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
export { assertGuarded } from './assert-guarded.js';
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
