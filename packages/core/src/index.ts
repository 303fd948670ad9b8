/**
 * jwt-gate core: verify JSON Web Tokens, evaluate claim policies and issue tokens, on any
 * runtime with WebCrypto. Framework adapters (`@jwt-gate/express`, `@jwt-gate/koa`,
 * `@jwt-gate/hono`) build on this entry point alone.
 *
 * @module
 */

export { AuthError, isAuthError, AUTH_ERROR_CODES } from './errors.js';
export type { AuthErrorCode, AuthErrorOptions, BearerErrorValue } from './errors.js';
export { buildChallenge } from './challenge.js';
export type { ChallengeParams } from './challenge.js';
export { extractToken, incomingRequestView } from './extract.js';
export type { ExtractOptions, IncomingMessageLike, RequestView } from './extract.js';
export { createAuthenticator } from './authenticate.js';
export type { AuthenticateOptions, Authenticator, AuthenticatorOptions, AuthResult } from './authenticate.js';
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
} from './policy.js';
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
} from './policy.js';
export { createRouteGuards } from './route-guards.js';
export type { RouteGuards } from './route-guards.js';
export { createVerifier } from './verifier.js';
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
} from './verifier.js';
export { createIssuer } from './issuer.js';
export type { Issuer, IssuerOptions, SignOptions } from './issuer.js';
export { createRevocationStore } from './stores/revocation.js';
export type { FamilyAdvance, RevocableToken, RevocationStore, RevocationStoreOptions } from './stores/revocation.js';
export { createRemoteJwks } from './keys/remote-jwks.js';
export type { JwksCacheSnapshot, JwksState, RemoteJwks, RemoteJwksOptions } from './keys/remote-jwks.js';
export { createDiscovery } from './keys/discovery.js';
export type { Discovery, DiscoveryOptions, IssuerMetadata } from './keys/discovery.js';
export { createKeySet } from './keys/key-set.js';
export type { KeyInfo, KeySet, KeySetEntry } from './keys/key-set.js';
export { exportPrivateKey, exportPublicKey, generateSigningKey, importSigningKey, publicJwk } from './keys/signing-key.js';
export type { KeyObjectLike } from './internal/crypto/backend.js';
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
} from './jwe.js';
export { createRefreshTokens } from './refresh-tokens.js';
export type { IssuedRefreshToken, RedeemedRefreshToken, RefreshTokens, RefreshTokensOptions } from './refresh-tokens.js';
export type { JSONWebKeySet, JWK, JWTHeaderParameters, JWTPayload } from 'jose';
export { createLoginThrottle, createMemoryFailureStore } from './stores/login-throttle.js';
export type { FailureCount, FailureStore, LoginThrottle, LoginThrottleOptions, MemoryFailureStoreOptions } from './stores/login-throttle.js';
