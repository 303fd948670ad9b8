import type { AuthResult, JWTPayload } from '@jwt-gate/core';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/** Options of {@link toAuthInfo}. */
export interface AuthInfoOptions {
  /** The resource (RFC 8707) the token was checked for, reported as `resource`. */
  resource?: URL | undefined;
}

// The scopes as the core's requireScopes reads them: `scope`, or `scp` when `scope` is absent;
// a space-separated string or an array of strings.
function scopesOf(claims: JWTPayload): string[] {
  const value = Object.hasOwn(claims, 'scope') ? claims['scope'] : Object.hasOwn(claims, 'scp') ? claims['scp'] : undefined;
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope.length > 0);
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope.length > 0);
  return [];
}

function ownString(claims: JWTPayload, name: string): string | undefined {
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The MCP SDK's `AuthInfo` for a token jwt-gate verified: `token`, `clientId` (from `client_id`,
 * else `azp`, else `""`), `scopes` (from `scope`, else `scp`), `expiresAt` (`exp`, seconds),
 * `resource` when given, and `extra` with the verified `claims`, the protected `header` and the
 * `issuer` that matched. Returns `undefined` for a token without `exp`, which the SDK refuses.
 *
 * @example
 * ```ts
 * const info = toAuthInfo(await verifier.verify(token), { resource: new URL('https://example.com/mcp') });
 * ```
 */
export function toAuthInfo<TClaims extends JWTPayload = JWTPayload>(result: AuthResult<TClaims>, options: AuthInfoOptions = {}): AuthInfo | undefined {
  const { claims, header, issuer, token } = result;
  const exp = Object.hasOwn(claims, 'exp') ? claims.exp : undefined;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  return {
    token,
    clientId: ownString(claims, 'client_id') ?? ownString(claims, 'azp') ?? '',
    scopes: scopesOf(claims),
    expiresAt: exp,
    ...(options.resource === undefined ? {} : { resource: new URL(options.resource.href) }),
    extra: { claims, header, issuer },
  };
}
