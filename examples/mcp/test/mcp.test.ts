import { fileURLToPath } from 'node:url';
import { rawRequest, readmeWalkthrough, signToken, startProcess, type StartedProcess, type TestKey } from '@jwt-gate/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const secret = 'an-example-secret-of-at-least-32-bytes-xxxxxxxx';
// The server's HS256 secret as a key of the test factories, to sign tokens it did not issue.
const serverKey: TestKey = { alg: 'HS256', kid: 'test', privateKey: new TextEncoder().encode(secret), publicKey: undefined, publicPem: undefined, publicJwk: undefined, secret };

/** The SDK's own client over Streamable HTTP, sending the token as a Bearer header. */
function clientFor(server: StartedProcess, token: string | undefined): { client: Client; transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
  return { client: new Client({ name: 'jwt-gate-example-test', version: '1.0.0' }), transport };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('MCP example: tools behind jwt-gate, through the SDK client', () => {
  let server: StartedProcess;
  beforeAll(async () => {
    server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { JWT_SECRET: secret } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const resource = () => `${server.baseUrl}/mcp`;
  const metadataUrl = () => `${server.baseUrl}/.well-known/oauth-protected-resource/mcp`;
  const login = async (username: string) => {
    const res = await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body: JSON.stringify({ username, password: `${username}-password` }) });
    expect(res.status).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };

  it('publishes RFC 9728 metadata for the MCP endpoint at the path-suffixed well-known URL', async () => {
    const res = await rawRequest(metadataUrl());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ resource: resource(), authorization_servers: [server.baseUrl], scopes_supported: ['mcp:tools', 'admin'], bearer_methods_supported: ['header'] });
  });

  it('refuses a client without a token: 401 whose challenge names the metadata', async () => {
    const { client, transport } = clientFor(server, undefined);
    const error = await rejection(client.connect(transport));
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    const raw = await rawRequest(`${server.baseUrl}/mcp`, { method: 'POST' });
    expect(raw.status).toBe(401);
    expect(raw.headers['www-authenticate']).toBe(`Bearer realm="jwt-gate-mcp", resource_metadata="${metadataUrl()}"`);
  });

  it('refuses a token issued for another audience, and one without mcp:tools', async () => {
    const elsewhere = await signToken(serverKey, { iss: server.baseUrl, aud: 'https://other.example.test/mcp', sub: 'alice', scope: 'mcp:tools admin' }, { header: { typ: 'at+jwt' } });
    const first = clientFor(server, elsewhere);
    const wrongAudience = await rejection(first.client.connect(first.transport));
    expect((wrongAudience as StreamableHTTPError).code).toBe(401);
    const raw = await rawRequest(`${server.baseUrl}/mcp`, { method: 'POST', headers: [['authorization', `Bearer ${elsewhere}`]] });
    expect(raw.headers['www-authenticate']).toBe(`Bearer realm="jwt-gate-mcp", error="invalid_token", error_description="The token audience is not accepted", resource_metadata="${metadataUrl()}"`);

    const noScope = await signToken(serverKey, { iss: server.baseUrl, aud: resource(), sub: 'carol', scope: 'profile:read' }, { header: { typ: 'at+jwt' } });
    const second = clientFor(server, noScope);
    expect(((await rejection(second.client.connect(second.transport))) as StreamableHTTPError).code).toBe(403);
  });

  it('calls a tool with a valid token: the tool sees the verified token', async () => {
    const { client, transport } = clientFor(server, await login('bob'));
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['list-users', 'whoami']);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const text = (result.content as { type: string; text: string }[])[0]?.text as string;
      expect(JSON.parse(text)).toMatchObject({ sub: 'bob', scopes: ['mcp:tools'], clientId: 'jwt-gate-example-login', expiresAt: expect.any(Number) });
    } finally {
      await client.close();
    }
  });

  it('refuses the admin tool to a token without the admin scope (403 insufficient_scope), and runs it for one with it', async () => {
    const bob = clientFor(server, await login('bob'));
    await bob.client.connect(bob.transport);
    try {
      const error = await rejection(bob.client.callTool({ name: 'list-users', arguments: {} }));
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(403);
    } finally {
      await bob.client.close();
    }
    const raw = await rawRequest(`${server.baseUrl}/mcp`, {
      method: 'POST',
      headers: [['authorization', `Bearer ${await login('bob')}`], ['content-type', 'application/json'], ['accept', 'application/json, text/event-stream']],
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-users', arguments: {} } }),
    });
    expect(raw.status).toBe(403);
    expect(raw.headers['www-authenticate']).toBe(`Bearer realm="jwt-gate-mcp", error="insufficient_scope", error_description="Insufficient scope", scope="admin", resource_metadata="${metadataUrl()}"`);
    expect(raw.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });

    const alice = clientFor(server, await login('alice'));
    await alice.client.connect(alice.transport);
    try {
      const result = await alice.client.callTool({ name: 'list-users', arguments: { prefix: 'b' } });
      expect(JSON.parse((result.content as { text: string }[])[0]?.text as string)).toEqual([{ name: 'bob', scope: 'mcp:tools' }]);
    } finally {
      await alice.client.close();
    }
  });

  it('answers a wrong password with 401 invalid_grant, and never echoes the token', async () => {
    const res = await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body: JSON.stringify({ username: 'alice', password: 'nope' }) });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const refused = await rawRequest(`${server.baseUrl}/mcp`, { method: 'POST', headers: [['authorization', `Bearer ${token}`]] });
    expect(refused.status).toBe(401);
    expect(`${refused.text}${String(refused.headers['www-authenticate'])}`).not.toContain(token);
  });
});

readmeWalkthrough({ name: 'MCP', cwd });
