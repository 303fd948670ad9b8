import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata } from '@jwt-gate/core/adapter';
import type { Middleware } from 'koa';

/**
 * Koa middleware serving the RFC 9728 protected-resource metadata document at its well-known
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
 * app.use(jwtAuth({ issuer, audience: 'https://api.example.com', jwksUri, resourceMetadata: metadata.url }));
 * ```
 */
export function protectedResourceMetadata(metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata): Middleware {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  return function protectedResourceMetadataMiddleware(ctx, next) {
    const answer = answerMetadataRequest(ready, ctx.method, ctx.path);
    if (answer === undefined) return next();
    ctx.status = answer.status;
    ctx.set(answer.headers);
    if (answer.body !== null) ctx.body = answer.body;
    return undefined;
  };
}
