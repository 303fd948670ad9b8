import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestKey, signToken, startJwksServer, type TestKey } from '@jwt-gate/testing';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, jwtAuth, protectedResourceMetadata, type McpRequest } from '../src/index.js';
import { connect, createMcpServer, refused, startMcpApp } from './server.js';

const issuer = 'https://auth.example.test';
const resource = 'https://mcp.example.test/mcp';
const metadataUrl = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';

describe('jwtAuth for MCP servers on Express, through the SDK client', () => {
  let key: TestKey;
  let app: Awaited<ReturnType<typeof startMcpApp>>;
  beforeAll(async () => {
    key = await createTestKey('HS256');
    const auth = jwtAuth({ issuer, secret: key.secret as string, resource, requiredScopes: ['mcp:tools'] });
    const metadata = protectedResourceMetadata({ resource, authorizationServers: [issuer], scopesSupported: ['mcp:tools'], bearerMethodsSupported: ['header'] });
    app = await startMcpApp(auth as unknown as RequestHandler, [metadata as unknown as RequestHandler]);
  });
  afterAll(() => app?.close());

  it('sets req.auth to the AuthInfo the transport hands the tool', async () => {
    const token = await signToken(key, { iss: issuer, aud: resource, sub: 'alice', azp: 'desktop', scope: 'mcp:tools admin' });
    const { client } = await connect(app.origin, token);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const info = JSON.parse((result.content as { text: string }[])[0]?.text as string) as Record<string, unknown>;
      expect(info).toMatchObject({ clientId: 'desktop', scopes: ['mcp:tools', 'admin'], resource, extra: { claims: { sub: 'alice' }, issuer } });
      expect(typeof info['expiresAt']).toBe('number');
    } finally {
      await client.close();
    }
  });

  it('refuses without a token: 401, a challenge without error naming the metadata', async () => {
    const { error, seen } = await refused(app.origin, undefined);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    expect(seen[0]).toEqual({ status: 401, challenge: `Bearer realm="api", resource_metadata="${metadataUrl}"` });
  });

  it('refuses a token for another audience, and a bad one, with 401 invalid_token', async () => {
    for (const token of [await signToken(key, { iss: issuer, aud: 'https://other.example.test/mcp', scope: 'mcp:tools' }), 'a.b.c']) {
      const { error, seen } = await refused(app.origin, token);
      expect((error as StreamableHTTPError).code).toBe(401);
      expect(seen[0]?.challenge).toMatch(new RegExp(`^Bearer realm="api", error="invalid_token", error_description="[^"]*", resource_metadata="${metadataUrl.replace(/[./]/g, '\\$&')}"$`));
    }
  });

  it('refuses a token without the required scope: 403 insufficient_scope naming the scope', async () => {
    const { error, seen } = await refused(app.origin, await signToken(key, { iss: issuer, aud: resource, scope: 'profile:read' }));
    expect((error as StreamableHTTPError).code).toBe(403);
    expect(seen[0]?.challenge).toBe(`Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="mcp:tools", resource_metadata="${metadataUrl}"`);
  });

  it('serves the metadata document at the path-suffixed well-known URL', async () => {
    const res = await fetch(`${app.origin}/.well-known/oauth-protected-resource/mcp`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ resource, authorization_servers: [issuer], scopes_supported: ['mcp:tools'], bearer_methods_supported: ['header'] });
  });
});

describe('jwtAuth on plain node:http', () => {
  it('answers 503 while keys cannot be fetched, never 401, and lets the transport see req.auth once they can', async () => {
    const jwks = await startJwksServer();
    const key = await createTestKey('ES256');
    jwks.keys = [key.publicJwk!];
    jwks.behaviour = { kind: 'status', status: 500 };
    // The verifier's clock moves the key set's refetch cooldown on without waiting.
    let now = Date.now();
    const auth = jwtAuth({ issuer, jwksUri: jwks.jwksUri, resource, clock: () => now, remote: { cooldown: 1_000 } });
    const server = createServer((req: McpRequest, res) => {
      auth(req, res, async (error) => {
        if (error !== undefined) return void res.writeHead(500).end();
        let body = '';
        for await (const chunk of req) body += String(chunk);
        const mcp = createMcpServer();
        const transport = new StreamableHTTPServerTransport({});
        await mcp.connect(transport);
        await transport.handleRequest(req, res, body === '' ? undefined : JSON.parse(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const token = await signToken(key, { iss: issuer, aud: resource, client_id: 'svc' });
      const down = await refused(origin, token);
      expect((down.error as StreamableHTTPError).code).toBe(503);
      expect(down.seen[0]?.challenge).toBeNull();
      jwks.behaviour = { kind: 'ok' };
      now += 2_000;
      const { client } = await connect(origin, token);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.parse((result.content as { text: string }[])[0]?.text as string)).toMatchObject({ clientId: 'svc', scopes: [] });
      await client.close();
    } finally {
      server.closeAllConnections();
      server.close();
      await jwks.close();
    }
  });
});

describe('jwtAuth configuration', () => {
  it('refuses to leave the audience open, and checks its own options at creation', () => {
    const secret = 's'.repeat(32);
    const shared = createVerifier({ issuer, audience: resource, secret });
    const bad: unknown[] = [
      { issuer, secret },
      { issuer, secret, audience: null, resource },
      { verifier: shared },
      { issuer, secret, resource, requiredScopes: 'mcp:tools' },
      { issuer, secret, resource, requiredScopes: [''] },
      { issuer, secret, resource: 'http://mcp.example.test/mcp' },
      { issuer, secret, resource, resourceMetadata: 'https://mcp.example.test/x#y' },
    ];
    for (const options of bad) expect(() => jwtAuth(options as never), JSON.stringify(options)).toThrow(TypeError);
    expect(() => jwtAuth({ verifier: shared, resource, requiredScopes: ['mcp:tools'] })).not.toThrow();
    expect(() => jwtAuth({ issuer, secret, audience: 'mcp', resourceMetadata: metadataUrl })).not.toThrow();
  });
});
