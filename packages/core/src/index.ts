/**
 * jwt-gate core: verify JSON Web Tokens, evaluate claim policies and issue tokens, on any
 * runtime with WebCrypto. Framework adapters (`@jwt-gate/express`, `@jwt-gate/koa`,
 * `@jwt-gate/hono`) build on this entry point alone.
 *
 * @module
 */

export { AuthError, isAuthError, AUTH_ERROR_CODES } from './errors/auth-error.js';
export type { AuthErrorCode, AuthErrorOptions, BearerErrorValue } from './errors/auth-error.js';
export { buildChallenge } from './errors/challenge.js';
export type { ChallengeParams } from './errors/challenge.js';
export { extractToken, incomingRequestView } from './adapter/extract.js';
export type { ExtractOptions, IncomingMessageLike, RequestView } from './adapter/extract.js';
export { createAuthenticator } from './adapter/authenticate.js';
export type { AuthenticateOptions, Authenticator, AuthenticatorOptions, AuthResult } from './adapter/authenticate.js';
export {
  allOf,
  anyOf,
  assertGuardOrder,
  authorize,
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  createGuard,
  evaluatePolicy,
  isPolicy,
  markAuthentication,
  not,
  readAuthentication,
  recordAuthentication,
  recordedAuthentication,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
} from './policies/policy.js';
export type {
  AuthorizeOptions,
  ClaimCheckOptions,
  ClaimOptions,
  ClaimPath,
  ClaimPredicate,
  ClaimValue,
  Guard,
  MatchOptions,
  Policy,
  PolicyDecision,
  PolicyFailure,
  PolicyFailureReason,
  PolicyKind,
  PolicyRule,
  RecordOptions,
} from './policies/policy.js';
export { createRouteGuards } from './adapter/route-guards.js';
export type { RouteGuards } from './adapter/route-guards.js';
export { createVerifier } from './verification/verifier.js';
export type {
  Algorithm,
  TrustedIssuer,
  PublicKeyInput,
  RemoteOptions,
  RevocationCheck,
  SecretInput,
  VerifiedToken,
  Verifier,
  VerifierCacheSnapshot,
  VerifierOptions,
} from './verification/verifier.js';
export { createIssuer } from './issuing/issuer.js';
export type { Issuer, IssuerOptions, SignOptions } from './issuing/issuer.js';
export { createRevocationStore } from './stores/revocation.js';
export type { FamilyAdvance, RevocableToken, RevocationStore, RevocationStoreOptions } from './stores/revocation.js';
export { createRemoteJwks } from './keys/remote-jwks.js';
export type { JwksCacheSnapshot, JwksState, RemoteJwks, RemoteJwksOptions } from './keys/remote-jwks.js';
export { createDiscovery } from './keys/discovery.js';
export type { Discovery, DiscoveryOptions, IssuerMetadata } from './keys/discovery.js';
export { createKeySet } from './keys/key-set.js';
export type { KeyInfo, KeySet, KeySetEntry } from './keys/key-set.js';
export { exportPrivateKey, exportPublicKey, generateSigningKey, importSigningKey, publicJwk } from './keys/signing-key.js';
export type { KeyObjectLike } from './crypto/backend.js';
export type {
  AsymmetricAlgorithm,
  GenerateSigningKeyOptions,
  HmacAlgorithm,
  ImportSigningKeyOptions,
  PrivateKeyInput,
  SigningKey,
} from './keys/signing-key.js';
export type {
  ContentEncryptionAlgorithm,
  DecryptionKeyInput,
  DecryptionOptions,
  EncryptionKeyInput,
  EncryptionOptions,
  KeyManagementAlgorithm,
} from './jwe/jwe.js';
export { createRefreshTokens } from './issuing/refresh-tokens.js';
export type { IssuedRefreshToken, RedeemedRefreshToken, RefreshTokens, RefreshTokensOptions } from './issuing/refresh-tokens.js';
export type { JSONWebKeySet, JWK, JWTHeaderParameters, JWTPayload } from 'jose';
export { createLoginThrottle, createMemoryFailureStore } from './stores/login-throttle.js';
export type { FailureCount, FailureStore, LoginThrottle, LoginThrottleOptions, MemoryFailureStoreOptions } from './stores/login-throttle.js';
