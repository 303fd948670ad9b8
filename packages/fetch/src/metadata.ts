import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata } from '@jwt-gate/core/adapter';

/**
 * A request handler serving the RFC 9728 protected-resource metadata document at its well-known
 * path (`/.well-known/oauth-protected-resource`, or `/.well-known/oauth-protected-resource/<path>`
 * for a resource with a path) as JSON, readable from any origin. It returns `undefined` for every
 * other request, so it goes in front of your handler. Takes `createProtectedResourceMetadata`'s
 * options or its result, checked now; pass `metadata.url` to `withAuth` or `jwtAuth`'s
 * `resourceMetadata` so challenges point clients at it.
 *
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://auth.example.com'] });
 * const serveMetadata = protectedResourceMetadata(metadata);
 * const api = withAuth(handler, { issuer, audience: 'https://api.example.com', jwksUri, resourceMetadata: metadata.url });
 * export default { fetch: (request: Request) => serveMetadata(request) ?? api(request) };
 * ```
 */
export function protectedResourceMetadata(metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata): (request: Request) => Response | undefined {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  return (request) => {
    const answer = answerMetadataRequest(ready, request.method, new URL(request.url).pathname);
    return answer === undefined ? undefined : new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
