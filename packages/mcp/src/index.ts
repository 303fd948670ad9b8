/**
 * jwt-gate for MCP servers: `createTokenVerifier()` gives the MCP SDK's `requireBearerAuth` a
 * token verifier with every jwt-gate check (audience always); `jwtAuth()` is the same as Node
 * middleware that sets the SDK's `req.auth`; `protectedResourceMetadata()` serves the RFC 9728
 * document MCP clients discover the authorization server from.
 *
 * @module
 */

export { createTokenVerifier } from './token-verifier.js';
export type { AudienceOrResource, TokenVerifierOptions } from './token-verifier.js';
export { jwtAuth } from './jwt-auth.js';
export type { JwtAuthOptions, McpAuthMiddleware, McpRequest } from './jwt-auth.js';
export { requireToolScopes } from './tool-scopes.js';
export type { ToolScopesOptions } from './tool-scopes.js';
export { toAuthInfo } from './auth-info.js';
export type { AuthInfoOptions } from './auth-info.js';
export { protectedResourceMetadata } from './metadata.js';
export {
  AuthError,
  createIssuer,
  createProtectedResourceMetadata,
  createVerifier,
  isAuthError,
  protectedResourceMetadataUrl,
  requireScopes,
} from '@jwt-gate/core';
export type {
  AuthErrorCode,
  AuthResult,
  JWTPayload,
  ProtectedResourceMetadata,
  ProtectedResourceMetadataDocument,
  ProtectedResourceMetadataOptions,
  Verifier,
  VerifierOptions,
} from '@jwt-gate/core';
