import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata, type MetadataResponse } from '@jwt-gate/core/adapter';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';

/**
 * A Fastify plugin serving the RFC 9728 protected-resource metadata document at its well-known
 * path (`/.well-known/oauth-protected-resource`, or `/.well-known/oauth-protected-resource/<path>`
 * for a resource with a path) as JSON, readable from any origin: GET, HEAD, a CORS preflight, and
 * 405 for other methods.
 * Takes `createProtectedResourceMetadata`'s options or its result, checked now. Register it
 * without a prefix, outside the scope `jwtGate` protects (or opt its route out with
 * `config.jwtGate: false`), and pass `metadata.url` to `resourceMetadata` so challenges point
 * clients at it.
 *
 * @example
 * ```ts
 * const metadata = createProtectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://auth.example.com'] });
 * await app.register(protectedResourceMetadata(metadata));
 * await app.register(jwtGate, { issuer, audience: 'https://api.example.com', jwksUri, resourceMetadata: metadata.url });
 * ```
 */
export function protectedResourceMetadata(metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata): FastifyPluginCallback {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  // Answered in the route's onRequest hook, before Fastify reads a body: a POST without a
  // content type gets its 405, not a 415.
  const answer = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // The route matched the path: the answer depends on the method alone.
    const { status, headers, body } = answerMetadataRequest(ready, request.method, ready.path) as MetadataResponse;
    return reply.code(status).headers(headers).send(body ?? undefined);
  };
  return function protectedResourceMetadataPlugin(fastify, _options, done) {
    // HEAD comes with GET (exposeHeadRoutes); the other methods are answered 405, as in every adapter.
    fastify.route({
      method: ['GET', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: ready.path,
      config: { jwtGate: false },
      onRequest: answer,
      handler: answer,
    });
    done();
  };
}
