import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import express, { type RequestHandler } from 'express';

/** An MCP server whose `whoami` tool reports the AuthInfo the transport handed it. */
export function createMcpServer(): McpServer {
  const server = new McpServer({ name: 'jwt-gate-test', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who the token says you are' }, async (extra) => {
    const info = extra.authInfo as AuthInfo | undefined;
    const text = JSON.stringify({ clientId: info?.clientId, scopes: info?.scopes, expiresAt: info?.expiresAt, resource: info?.resource?.href, extra: info?.extra });
    return { content: [{ type: 'text', text }] };
  });
  return server;
}

/** Express serving the MCP endpoint at `/mcp` behind `auth`, stateless: one server and transport per request. */
export async function startMcpApp(auth: RequestHandler, before: RequestHandler[] = []): Promise<{ origin: string; close(): Promise<void> }> {
  const app = express();
  app.use(...(before.length > 0 ? before : [(_req, _res, next) => next()] as RequestHandler[]));
  app.post('/mcp', express.json(), auth, async (req, res) => {
    const server = createMcpServer();
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req as never, res, req.body);
  });
  const listening: Server = await new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  const { port } = listening.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  };
}

/** What the server answered, for assertions on status and challenge. */
export interface Seen {
  status: number;
  challenge: string | null;
}

/** Connects the SDK's own client with `token` as a Bearer header, recording each HTTP answer. */
export async function connect(origin: string, token: string | undefined): Promise<{ client: Client; seen: Seen[] }> {
  const seen: Seen[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      seen.push({ status: response.status, challenge: response.headers.get('www-authenticate') });
      return response;
    },
  });
  const client = new Client({ name: 'jwt-gate-test-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, seen };
}

/** Connecting fails: the recorded answer to the first request. */
export async function refused(origin: string, token: string | undefined): Promise<{ error: unknown; seen: Seen[] }> {
  const seen: Seen[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      seen.push({ status: response.status, challenge: response.headers.get('www-authenticate') });
      return response;
    },
  });
  const client = new Client({ name: 'jwt-gate-test-client', version: '1.0.0' });
  const error = await client.connect(transport).then(
    () => undefined,
    (e: unknown) => e,
  );
  await client.close();
  return { error, seen };
}
