import { AuthError, createVerifier, isAuthError, type JWTPayload, type VerifiedToken, type Verifier, type VerifierOptions, type VerifyContext } from '@jwt-gate/core';
import { InsufficientScopeError, InvalidRequestError, InvalidTokenError, ServerError, type OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { toAuthInfo } from './auth-info.js';

/**
 * Options of {@link createTokenVerifier}: the core's verifier options with an audience (never
 * `audience: null`) plus the `resource` served, or a ready `verifier` and the `resource` its
 * tokens must name in `aud`.
 */
export type TokenVerifierOptions =
  | (AudienceOrResource<VerifierOptions> & {
      /**
       * This MCP server's resource identifier (RFC 8707, RFC 9728 `resource`), e.g.
       * `https://example.com/mcp`: reported as `AuthInfo.resource`, and the audience when
       * `audience` is not given.
       */
      resource?: string | URL;
      verifier?: never;
    })
  | {
      /** A verifier from `createVerifier`, shared with the rest of the app. */
      verifier: Verifier;
      /** This MCP server's resource identifier: every token's `aud` must name it. */
      resource: string | URL;
    };

/**
 * jwt-gate options with `audience` optional, since it defaults to `resource`, and never `null`
 * (an MCP server checks that each token was issued for it): each member of the union `T`.
 */
export type AudienceOrResource<T> = T extends unknown ? Omit<T, 'audience'> & { audience?: string | readonly string[] } : never;

/** Which SDK error answers a refusal, so `requireBearerAuth` sends the right status. */
function sdkError(error: unknown): OAuthError {
  const refusal = isAuthError(error) ? error : new AuthError('ERR_CONFIG_INVALID', { cause: error });
  // The SDK writes the message into WWW-Authenticate and the body: only the fixed description.
  const description = refusal.description;
  const translated =
    refusal.status === 401
      ? new InvalidTokenError(description)
      : refusal.status === 403
        ? new InsufficientScopeError(description)
        : refusal.status === 400
          ? new InvalidRequestError(description)
          : // Keys or token status unavailable, or a configuration fault: never an invalid token.
            new ServerError(description);
  return Object.assign(translated, { cause: refusal });
}

function readResource(where: string, value: unknown): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError(`${where}: resource must be a URL (this MCP server's resource identifier)`);
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : value);
  } catch {
    throw new TypeError(`${where}: resource must be an absolute URL`);
  }
  if (url.hash !== '') throw new TypeError(`${where}: resource must not have a fragment`);
  return url;
}

function audienceNames(claims: JWTPayload): readonly unknown[] {
  const aud = Object.hasOwn(claims, 'aud') ? claims.aud : undefined;
  return Array.isArray(aud) ? aud : [aud];
}

/** A ready verifier that also requires `aud` to name `expected` (RFC 8707). */
function requiringAudience(verifier: Verifier, expected: string): Verifier {
  return Object.freeze({
    realm: verifier.realm,
    issuers: verifier.issuers,
    ready: () => verifier.ready(),
    exportCache: () => verifier.exportCache(),
    async verify(token: string, context?: VerifyContext): Promise<VerifiedToken> {
      const verified = await verifier.verify(token, context);
      if (!audienceNames(verified.claims).includes(expected)) throw new AuthError('ERR_AUDIENCE_INVALID', { claim: 'aud', reason: 'mismatch', realm: verifier.realm });
      return verified;
    },
  });
}

/**
 * The options of {@link TokenVerifierOptions} checked, the audience never left open: the verifier
 * options with `audience` defaulted to the resource (or the ready verifier wrapped to require it),
 * the rest of the options, and the resource.
 */
export function readTokenVerifierOptions(options: object, where: string): { verifier: Verifier | undefined; verifierOptions: Record<string, unknown>; resource: URL | undefined } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} needs options: { issuer, audience, jwksUri | ..., resource } or { verifier, resource }`);
  const { resource: given, verifier, ...rest } = options as { resource?: unknown; verifier?: unknown } & Record<string, unknown>;
  const resource = given === undefined ? undefined : readResource(where, given);
  const expected = given === undefined ? undefined : typeof given === 'string' ? given : (resource as URL).href;
  if (verifier !== undefined) {
    if (!isVerifier(verifier)) throw new TypeError(`${where}: verifier must come from createVerifier`);
    if (expected === undefined) throw new TypeError(`${where}: with a ready verifier, resource is required: every token's aud must name this server`);
    return { verifier: requiringAudience(verifier, expected), verifierOptions: rest, resource };
  }
  if (rest['audience'] === null) throw new TypeError(`${where}: audience: null would accept tokens issued for any server; give this server's resource identifier`);
  if (Array.isArray(rest['issuers']) && (rest['issuers'] as unknown[]).some((entry) => typeof entry === 'object' && entry !== null && (entry as Record<string, unknown>)['audience'] === null)) {
    throw new TypeError(`${where}: an issuer with audience: null would accept tokens issued for any server`);
  }
  if (rest['requireExpiration'] === false) throw new TypeError(`${where}: requireExpiration: false cannot be used: MCP clients and the SDK need every token to expire`);
  if (rest['audience'] === undefined && !Array.isArray(rest['issuers'])) {
    if (expected === undefined) throw new TypeError(`${where}: audience (or resource) is required: tokens must be issued for this server`);
    rest['audience'] = expected;
  }
  return { verifier: undefined, verifierOptions: rest, resource };
}

function isVerifier(value: unknown): value is Verifier {
  return typeof value === 'object' && value !== null && typeof (value as Verifier).verify === 'function' && typeof (value as Verifier).ready === 'function';
}

/**
 * The MCP SDK's `OAuthTokenVerifier`, checking tokens with jwt-gate: signature, issuer, audience
 * (always: `audience: null` is refused here), expiry and the core's other rules. Give it to the
 * SDK's `requireBearerAuth({ verifier, requiredScopes, resourceMetadataUrl })`. Refusals become
 * the SDK's errors: an invalid, expired or wrongly addressed token `InvalidTokenError` (401), a
 * denial `InsufficientScopeError` (403), a malformed request `InvalidRequestError` (400), keys
 * that cannot be fetched `ServerError` (the SDK answers 500; use {@link jwtAuth} for a 503),
 * each with the jwt-gate `AuthError` as `cause`. Configuration mistakes are TypeErrors now.
 *
 * @example
 * ```ts
 * import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
 *
 * const verifier = createTokenVerifier({ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks', resource: 'https://example.com/mcp' });
 * app.post('/mcp', requireBearerAuth({ verifier, requiredScopes: ['mcp:tools'], resourceMetadataUrl: 'https://example.com/.well-known/oauth-protected-resource/mcp' }), handle);
 * ```
 */
export function createTokenVerifier(options: TokenVerifierOptions): OAuthTokenVerifier {
  const { verifier: ready, verifierOptions, resource } = readTokenVerifierOptions(options, 'createTokenVerifier');
  if (ready !== undefined && Object.keys(verifierOptions).length > 0) throw new TypeError('createTokenVerifier: with a ready verifier, give only { verifier, resource }');
  const verifier = ready ?? createVerifier(verifierOptions as unknown as VerifierOptions);
  return Object.freeze({
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let info: AuthInfo | undefined;
      try {
        info = toAuthInfo(await verifier.verify(token), { resource });
      } catch (error) {
        throw sdkError(error);
      }
      if (info === undefined) throw sdkError(new AuthError('ERR_CLAIM_MISSING', { claim: 'exp', reason: 'missing' }));
      return info;
    },
  });
}
