/**
 * jwt-gate core: verify JSON Web Tokens, evaluate claim policies and issue tokens, on any
 * runtime with WebCrypto. This entry point is what an application uses; framework adapters are
 * built from `@jwt-gate/core/adapter`.
 *
 * @module
 */

export { AuthError, isAuthError, AUTH_ERROR_CODES } from './errors/auth-error.js';
export type { AuthErrorCode, AuthErrorOptions, BearerErrorValue, DPoPChallenge } from './errors/auth-error.js';
export { buildChallenge, buildDPoPChallenge } from './errors/challenge.js';
export type { ChallengeParams, DPoPChallengeParams } from './errors/challenge.js';
export { createDPoPVerifier, DEFAULT_DPOP_ALGORITHMS } from './dpop/proof.js';
export type { DPoPProof, DPoPProofOptions, DPoPRequest, DPoPVerifier, DPoPVerifyOptions } from './dpop/proof.js';
export type { DPoPNonceOptions } from './dpop/nonce.js';
export type { DPoPMode, DPoPOptions } from './dpop/resource.js';
export { createProtectedResourceMetadata, protectedResourceMetadataUrl, PROTECTED_RESOURCE_WELL_KNOWN } from './metadata/protected-resource.js';
export type { ProtectedResourceMetadata, ProtectedResourceMetadataDocument, ProtectedResourceMetadataOptions } from './metadata/protected-resource.js';
export { createVerifier } from './verification/verifier.js';
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
} from './verification/verifier.js';
export type { AuthResult } from './adapter/authenticate.js';
export type { RequestView } from './adapter/request-view.js';
export { isPolicy } from './policies/policy.js';
export type {
  ClaimCheckOptions,
  ClaimOptions,
  ClaimPredicate,
  ClaimValue,
  MatchOptions,
  Policy,
  PolicyDecision,
  PolicyFailure,
  PolicyFailureReason,
  PolicyKind,
  PolicyRule,
} from './policies/policy.js';
export type { ClaimPath } from './policies/claim-reads.js';
export {
  claimCheck,
  claimEquals,
  claimIncludes,
  claimMatches,
  requireAnyScope,
  requirePermissions,
  requireRoles,
  requireScopes,
} from './policies/rules.js';
export { allOf, anyOf, not } from './policies/combinators.js';
export { authorize, evaluatePolicy } from './policies/evaluate.js';
export type { AuthorizeOptions } from './policies/evaluate.js';
export { createIssuer } from './issuing/issuer.js';
export type { Issuer, IssuerOptions, SignOptions } from './issuing/issuer.js';
export { createRefreshTokens } from './issuing/refresh-tokens.js';
export type { IssuedRefreshToken, RedeemedRefreshToken, RefreshBinding, RefreshTokens, RefreshTokensOptions } from './issuing/refresh-tokens.js';
export { createRevocationStore, REVOCATION_MARGIN } from './stores/revocation.js';
export type { FamilyAdvance, RevocableToken, RevocationStore, RevocationStoreOptions } from './stores/revocation.js';
export { createLoginThrottle, createMemoryFailureStore } from './stores/login-throttle.js';
export type { FailureCount, FailureStore, LoginThrottle, LoginThrottleOptions, MemoryFailureStoreOptions } from './stores/login-throttle.js';
export { createMemoryReplayStore } from './stores/replay.js';
export type { MemoryReplayStoreOptions, ReplayStore } from './stores/replay.js';
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
export type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from './jwe/algorithms.js';
export type { DecryptionKeyInput, EncryptionKeyInput } from './jwe/keys.js';
export type { DecryptionOptions } from './jwe/decrypt.js';
export type { EncryptionOptions } from './jwe/encrypt.js';
export type { JSONWebKeySet, JWK, JWTHeaderParameters, JWTPayload } from 'jose';
export { CHANNELS } from './observability/channels.js';
export type { KeysEvent, RefusedEvent, VerifyTrace } from './observability/channels.js';
