import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata } from '@jwt-gate/core/adapter';
import type { RequestHandler } from 'express';

/**
 * Serves the RFC 9728 protected-resource metadata document at its well-known path
 * (`/.well-known/oauth-protected-resource`, or `/.well-known/oauth-protected-resource/<path>` for
 * a resource with a path) as JSON, readable from any origin; every other request goes on to
 * `next()`. Takes `createProtectedResourceMetadata`'s options or its result, checked now. Mount
 * it at the app's root, in front of `jwtAuth()`, and pass `metadata.url` to
 * `jwtAuth({ resourceMetadata })` so challenges point clients at it.
 *
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://auth.example.com'] });
 * app.use(protectedResourceMetadata(metadata));
 * app.use('/api', jwtAuth({ issuer, audience: 'https://api.example.com', jwksUri, resourceMetadata: metadata.url }));
 * ```
 */
export function protectedResourceMetadata(metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata): RequestHandler {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  return (req, res, next) => {
    const answer = answerMetadataRequest(ready, req.method, req.path);
    if (answer === undefined) return next();
    res.status(answer.status).set(answer.headers);
    if (answer.body === null) res.end();
    else res.send(answer.body);
  };
}
