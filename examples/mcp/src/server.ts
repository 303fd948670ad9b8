// An MCP server (Streamable HTTP) whose tools are protected by jwt-gate: every request to /mcp
// needs an access token issued for this server (its audience is the MCP endpoint's URL, RFC
// 8707) with the mcp:tools scope; the admin tool needs the admin scope too. Clients discover
// where to get tokens from the RFC 9728 metadata every 401 names. The server signs tokens itself
// (POST /login), like the other examples; in production they come from your authorization server.
import { buildChallenge, createIssuer, createProtectedResourceMetadata, generateSigningKey } from '@jwt-gate/core';
import { jwtAuth, protectedResourceMetadata, requireToolScopes, type McpRequest } from '@jwt-gate/mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';

interface User {
  password: string;
  scope: string;
}

// alice may call every tool; bob every tool but the admin one.
const USERS: Record<string, User> = {
  alice: { password: 'alice-password', scope: 'mcp:tools admin' },
  bob: { password: 'bob-password', scope: 'mcp:tools' },
};
const findUser = (username: unknown) => (typeof username === 'string' && Object.hasOwn(USERS, username) ? USERS[username] : undefined);

// The scopes each tool needs beyond mcp:tools, checked before the tool runs.
const TOOL_SCOPES: Record<string, string[]> = { 'list-users': ['admin'] };

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3005);
// Listening on every interface (HOST=0.0.0.0 or ::), the server names itself by loopback unless
// JWT_ISSUER and RESOURCE_URL give the URL its clients use.
const origin = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
const issuerId = process.env.JWT_ISSUER ?? origin;
// The MCP endpoint's URL is this server's resource identifier, and the audience of its tokens.
const resource = process.env.RESOURCE_URL ?? `${origin}/mcp`;
const audience = process.env.JWT_AUDIENCE ?? resource;
const realm = 'jwt-gate-mcp';
const secret = process.env.JWT_SECRET;

// Keys: HS256 with JWT_SECRET, or a fresh ES256 key pair for this run.
const key = secret === undefined ? await generateSigningKey('ES256') : undefined;
const issuer = createIssuer({ issuer: issuerId, audience, ...(key ? { privateKey: key.privateKey } : { secret: secret as string }) });

// RFC 9728: which authorization server issues tokens for this MCP server, at
// /.well-known/oauth-protected-resource/mcp (the path of the resource after the well-known one).
const metadata = createProtectedResourceMetadata({
  resource,
  authorizationServers: [issuerId],
  scopesSupported: ['mcp:tools', 'admin'],
  bearerMethodsSupported: ['header'],
  resourceName: 'jwt-gate example MCP server',
});

// Every request to /mcp: a token for this audience with mcp:tools; req.auth is then the SDK's
// AuthInfo, which the transport hands each tool as extra.authInfo.
const auth = jwtAuth({
  issuer: issuerId,
  audience,
  ...(key ? { publicKey: key.publicJwk } : { secret: secret as string, algorithms: ['HS256' as const] }),
  tokenType: 'at+jwt',
  realm,
  resource,
  requiredScopes: ['mcp:tools'],
  resourceMetadata: metadata.url,
});

// A tool call needing more scopes than the token has is refused with 403 insufficient_scope
// naming them, before the tool runs, so that a client can ask for them (MCP step-up).
const toolScopes = requireToolScopes(TOOL_SCOPES, { realm, resourceMetadata: metadata.url });

// The tools, for one request: the server is stateless, a fresh McpServer and transport each time.
function mcpServer(): McpServer {
  const server = new McpServer({ name: 'jwt-gate-example', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who the access token says you are, and its scopes' }, async ({ authInfo }) => {
    const claims = (authInfo?.extra?.['claims'] ?? {}) as Record<string, unknown>;
    const text = JSON.stringify({ sub: claims['sub'], scopes: authInfo?.scopes, clientId: authInfo?.clientId, expiresAt: authInfo?.expiresAt });
    return { content: [{ type: 'text', text }] };
  });
  server.registerTool(
    'list-users',
    { description: 'The demo users and their scopes (needs the admin scope)', inputSchema: { prefix: z.string().max(64).optional() } },
    async ({ prefix }) => {
      const users = Object.entries(USERS)
        .filter(([name]) => prefix === undefined || name.startsWith(prefix))
        .map(([name, user]) => ({ name, scope: user.scope }));
      return { content: [{ type: 'text', text: JSON.stringify(users) }] };
    },
  );
  return server;
}

const app = express();
app.disable('x-powered-by');
app.use(protectedResourceMetadata(metadata));

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

// Log in: a 15-minute access token for this MCP server, with the user's scopes.
app.post('/login', express.json({ limit: '4kb' }), async (req, res) => {
  const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
  const user = findUser(username);
  if (typeof username !== 'string' || typeof password !== 'string') {
    res.status(400).json({ error: 'invalid_request', error_description: 'username and password are required' });
    return;
  }
  if (user === undefined || user.password !== password) {
    res.status(401).set('WWW-Authenticate', buildChallenge({ realm, resourceMetadata: metadata.url })).json({ error: 'invalid_grant', error_description: 'Wrong username or password' });
    return;
  }
  const accessToken = await issuer.sign({ sub: username, scope: user.scope, client_id: 'jwt-gate-example-login' });
  res.set('Cache-Control', 'no-store').json({ access_token: accessToken, token_type: 'Bearer', expires_in: 900, scope: user.scope });
});

app.get('/.well-known/jwks.json', async (_req, res) => {
  res.set('Cache-Control', 'public, max-age=300').json(await issuer.jwks());
});

// The MCP endpoint: the token first, then the tool's scopes, then the SDK's transport (JSON
// responses rather than an event stream, which curl reads as it is).
app.post('/mcp', auth, express.json({ limit: '1mb' }), toolScopes, async (req, res) => {
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
  res.on('close', () => void transport.close().then(() => server.close()));
  await server.connect(transport);
  await transport.handleRequest(req as McpRequest, res, req.body);
});
// Stateless: no event stream to open (GET) and no session to end (DELETE).
app.all('/mcp', auth, (_req, res) => {
  res.status(405).set('Allow', 'POST').json({ error: 'method_not_allowed', error_description: 'POST JSON-RPC messages to /mcp' });
});

// Errors: a body that is not JSON, or too large, gets a JSON error without its text.
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (res.headersSent) return next(error);
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: 'invalid_request', error_description: 'The request body could not be read' });
    return;
  }
  console.error(error);
  res.status(500).json({ error: 'server_error', error_description: 'Internal server error' });
});

app.listen(port, host, () => {
  console.log(`jwt-gate MCP example on http://${host}:${port}/mcp (${key ? 'ES256, fresh key pair' : 'HS256, JWT_SECRET'})`);
});
