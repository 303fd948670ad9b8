import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata } from '@jwt-gate/core/adapter';
import type { MiddlewareHandler } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';

/**
 * Hono middleware serving the RFC 9728 protected-resource metadata document at its well-known
 * path (`/.well-known/oauth-protected-resource`, or `/.well-known/oauth-protected-resource/<path>`
 * for a resource with a path) as JSON, readable from any origin; every other request goes on.
 * Takes `createProtectedResourceMetadata`'s options or its result, checked now. Use it before
 * `jwtAuth()`, and pass `metadata.url` to `jwtAuth({ resourceMetadata })` so challenges point
 * clients at it.
 *
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://auth.example.com'] });
 * app.use(protectedResourceMetadata(metadata));
 * app.use('/api/*', jwtAuth({ issuer, audience: 'https://api.example.com', jwksUri, resourceMetadata: metadata.url }));
 * ```
 */
export function protectedResourceMetadata(metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata): MiddlewareHandler {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  return async function protectedResourceMetadataMiddleware(c, next) {
    const answer = answerMetadataRequest(ready, c.req.method, c.req.path);
    if (answer === undefined) return next();
    return new Response(answer.body, { status: answer.status as StatusCode, headers: answer.headers });
  };
}
