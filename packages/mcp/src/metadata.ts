import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '@jwt-gate/core';
import { answerMetadataRequest, readMetadata } from '@jwt-gate/core/adapter';

/**
 * Node (and Express) middleware serving the RFC 9728 protected-resource metadata document at its
 * well-known path (`/.well-known/oauth-protected-resource/mcp` for `https://example.com/mcp`) as
 * JSON, readable from any origin, where MCP clients look for it; every other request goes on to
 * `next()`. Takes `createProtectedResourceMetadata`'s options or its result, checked now.
 *
 * @example
 * ```ts
 * app.use(protectedResourceMetadata({ resource: 'https://example.com/mcp', authorizationServers: ['https://auth.example.com'], scopesSupported: ['mcp:tools'] }));
 * ```
 */
export function protectedResourceMetadata(
  metadata: ProtectedResourceMetadataOptions | ProtectedResourceMetadata,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const ready = readMetadata(metadata, 'protectedResourceMetadata');
  return (req, res, next) => {
    const path = (req.url ?? '').split('?', 1)[0] as string;
    const answer = answerMetadataRequest(ready, req.method ?? 'GET', path);
    if (answer === undefined) return next();
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? undefined);
  };
}
