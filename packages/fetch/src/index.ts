/**
 * jwt-gate for runtimes whose handlers take a `Request` and return a `Response`: Bun, Deno,
 * Cloudflare Workers, Next.js route handlers, and Node through a fetch server. `withAuth()` wraps
 * a handler so it runs only for a verified bearer token; `jwtAuth()` makes an
 * `authenticate(request)` that resolves to the verified token or a ready RFC 6750 `Response`;
 * route guards (`requireScopes`, `requireRoles`, `claimCheck`, `allOf`, ...) wrap handlers to
 * authorize by claims. No `node:` module on its path. What an application needs from
 * `@jwt-gate/core` (verifiers, issuers, DPoP, stores, keys) comes along, so this package is the only
 * dependency to add.
 *
 * @module
 */

export { getAuth, jwtAuth, withAuth } from './jwt-auth.js';
export { protectedResourceMetadata } from './metadata.js';
export type {
  AuthFailure,
  AuthHandler,
  AuthSuccess,
  Authenticate,
  AuthenticateResult,
  FetchHandler,
  JwtAuthOptions,
  OptionalAuthenticate,
  OptionalAuthenticateResult,
} from './jwt-auth.js';
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
export type { GuardWrapper, RouteGuard } from './guards.js';
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
