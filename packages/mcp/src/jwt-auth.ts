import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError, allOf, isAuthError, protectedResourceMetadataUrl, requireScopes, type JWTPayload, type Policy } from '@jwt-gate/core';
import { createMiddleware, markAuthentication, nodeRequestView, type MiddlewareOptions } from '@jwt-gate/core/adapter';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { toAuthInfo } from './auth-info.js';
import { readTokenVerifierOptions, type AudienceOrResource } from './token-verifier.js';

/** The request the SDK's `StreamableHTTPServerTransport.handleRequest` takes: `auth` is what {@link jwtAuth} sets. */
export type McpRequest = IncomingMessage & { auth?: AuthInfo };

/**
 * Options of {@link jwtAuth}: those of every jwt-gate `jwtAuth()` (verifier options, or a ready
 * `verifier`; `errors`, `onError`, `policy`, ...), plus `resource` and `requiredScopes`. The
 * audience defaults to `resource`, and is never `null`.
 */
export type JwtAuthOptions = AudienceOrResource<MiddlewareOptions<JWTPayload, McpRequest>> & {
  /**
   * This MCP server's resource identifier (RFC 8707), e.g. `https://example.com/mcp`: the
   * audience when `audience` is not given (required with a ready `verifier`), reported as
   * `req.auth.resource`, and, unless `resourceMetadata` says otherwise, where the challenges
   * point clients: its RFC 9728 metadata URL.
   */
  resource?: string | URL;
  /** OAuth scopes every token must carry; a token without them gets 403 `insufficient_scope`. */
  requiredScopes?: readonly string[];
};

/** A Node (and Express) middleware: `(req, res, next)`. */
export type McpAuthMiddleware = (req: McpRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

function send(res: ServerResponse, error: AuthError): void {
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(error.body));
}

/**
 * Node middleware for MCP servers that route requests themselves: it verifies the bearer token
 * with jwt-gate and sets `req.auth` to the MCP SDK's `AuthInfo` (what
 * `StreamableHTTPServerTransport` hands tool handlers as `extra.authInfo`), then calls `next()`.
 * Refusals get the RFC 6750 response, every challenge naming the RFC 9728 metadata
 * (`resource_metadata`, from `resource` unless `resourceMetadata` is given): 401 without or with
 * a bad token (including one for another audience), 403 `insufficient_scope` without
 * `requiredScopes`, 503 when keys cannot be fetched. The audience is always checked:
 * `audience: null` is a TypeError. Works as Express middleware and with plain `node:http`.
 *
 * @example
 * ```ts
 * const auth = jwtAuth({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks', resource: 'https://example.com/mcp', requiredScopes: ['mcp:tools'] });
 * app.post('/mcp', auth, (req, res) => transport.handleRequest(req, res, req.body));
 * ```
 */
export function jwtAuth(options: JwtAuthOptions): McpAuthMiddleware {
  const where = 'jwtAuth';
  const { verifier, verifierOptions, resource } = readTokenVerifierOptions(options, where);
  const { requiredScopes, policy, resourceMetadata, ...rest } = verifierOptions as { requiredScopes?: unknown; policy?: Policy; resourceMetadata?: string | URL } & Record<string, unknown>;
  if (requiredScopes !== undefined && (!Array.isArray(requiredScopes) || requiredScopes.some((scope) => typeof scope !== 'string' || scope.length === 0))) {
    throw new TypeError(`${where}: requiredScopes must be an array of scope names`);
  }
  const scopes = (requiredScopes ?? []) as string[];
  const scopePolicy = scopes.length > 0 ? requireScopes(scopes) : undefined;
  const combined = scopePolicy === undefined ? policy : policy === undefined ? scopePolicy : allOf(policy, scopePolicy);
  const metadataUrl = resourceMetadata ?? (resource === undefined ? undefined : protectedResourceMetadataUrl(resource));
  const middleware = createMiddleware<JWTPayload, McpRequest>(
    {
      ...rest,
      ...(verifier === undefined ? {} : { verifier }),
      ...(combined === undefined ? {} : { policy: combined }),
      ...(metadataUrl === undefined ? {} : { resourceMetadata: metadataUrl }),
    } as MiddlewareOptions<JWTPayload, McpRequest>,
    where,
  );
  const refuse = (error: unknown, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (!isAuthError(error) || middleware.errors === 'next') return next(error);
    send(res, error);
  };
  return markAuthentication(function mcpJwtAuth(req: McpRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    void middleware.handle(
      () => nodeRequestView(req, where),
      req,
      (session) => {
        if (session.result === null) return next();
        const info = toAuthInfo(session.result, { resource });
        // The SDK refuses an AuthInfo without expiresAt; so does this, as an invalid token.
        if (info === undefined) {
          const missing = new AuthError('ERR_CLAIM_MISSING', { claim: 'exp', reason: 'missing', realm: session.realm, ...(metadataUrl === undefined ? {} : { resourceMetadata: String(metadataUrl) }) });
          middleware.report(missing, req);
          return refuse(missing, res, next);
        }
        req.auth = info;
        return next();
      },
      (error) => refuse(error, res, next),
    );
  });
}
