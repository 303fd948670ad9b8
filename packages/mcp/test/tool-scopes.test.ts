import { createTestKey, signToken, type TestKey } from '@jwt-gate/testing';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth, requireToolScopes } from '../src/index.js';
import { connect, startMcpApp } from './server.js';

const issuer = 'https://auth.example.test';
const resource = 'https://mcp.example.test/mcp';
const metadataUrl = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';

describe('requireToolScopes, through the SDK client', () => {
  let key: TestKey;
  let app: Awaited<ReturnType<typeof startMcpApp>>;
  beforeAll(async () => {
    key = await createTestKey('HS256');
    const auth = jwtAuth({ issuer, secret: key.secret as string, resource, realm: 'tools' });
    const scopes = requireToolScopes({ whoami: ['profile:read', 'whoami'] }, { realm: 'tools', resourceMetadata: metadataUrl });
    // startMcpApp parses the body before the handler it is given; the scope check runs after it.
    app = await startMcpApp(((req, res, next) => auth(req as never, res, (error?: unknown) => (error === undefined ? scopes(req as never, res, next) : next(error)))) as RequestHandler);
  });
  afterAll(() => app?.close());

  it('refuses a call of a listed tool without its scopes with 403 naming them, before the tool runs', async () => {
    const token = await signToken(key, { iss: issuer, aud: resource, scope: 'profile:read' });
    const { client, seen } = await connect(app.origin, token);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['whoami']);
      const error = await client.callTool({ name: 'whoami', arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(403);
      expect(seen.at(-1)).toEqual({
        status: 403,
        challenge: `Bearer realm="tools", error="insufficient_scope", error_description="Insufficient scope", scope="profile:read whoami", resource_metadata="${metadataUrl}"`,
      });
    } finally {
      await client.close();
    }
  });

  it('lets the call through with every scope the tool needs', async () => {
    const token = await signToken(key, { iss: issuer, aud: resource, sub: 'alice', scp: ['whoami', 'profile:read'] });
    const { client } = await connect(app.origin, token);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.parse((result.content as { text: string }[])[0]?.text as string)).toMatchObject({ scopes: ['whoami', 'profile:read'] });
    } finally {
      await client.close();
    }
  });

  it('checks every message of a batch, and answers 500 when no body parser ran before it', async () => {
    const scopes = requireToolScopes({ admin: ['admin'] });
    const answers: { status: number; challenge: unknown }[] = [];
    const server = express()
      .post('/raw', (req, res) => scopes(req as never, res, () => res.status(204).end()))
      .post('/mcp', express.json(), (req, res) => {
        (req as { auth?: unknown }).auth = { token: 't', clientId: '', scopes: ['mcp'], expiresAt: 1 };
        scopes(req as never, res, () => res.status(204).end());
      })
      .listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    try {
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        answers.push({ status: res.status, challenge: res.headers.get('www-authenticate') });
      };
      await post('/mcp', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'admin' } }]);
      await post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'other' } });
      await post('/raw', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'admin' } });
      expect(answers).toEqual([
        { status: 403, challenge: 'Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="admin"' },
        { status: 204, challenge: null },
        { status: 500, challenge: null },
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('checks its configuration at creation', () => {
    for (const [map, options] of [
      [{ admin: [] }, {}],
      [{ admin: 'admin' }, {}],
      [{ admin: ['two words'] }, {}],
      [{ admin: ['admin'] }, { resourceMetadata: 'not a url' }],
      [{ admin: ['admin'] }, { resourceMetadata: 'https://x.example/a#b' }],
      [null, {}],
    ] as const) {
      expect(() => requireToolScopes(map as never, options as never), JSON.stringify(map)).toThrow(TypeError);
    }
  });
});
