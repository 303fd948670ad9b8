import { createTestKey, signToken, startJwksServer, type TestKey } from '@jwt-gate/testing';
import { InsufficientScopeError, InvalidRequestError, InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, createVerifier, isAuthError } from '../src/index.js';
import { connect, refused, startMcpApp } from './server.js';

const issuer = 'https://auth.example.test';
const resource = 'https://mcp.example.test/mcp';
const metadataUrl = 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp';

describe('createTokenVerifier', () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await createTestKey('HS256');
  });
  const options = () => ({ issuer, secret: key.secret as string, resource });

  it('maps a verified token to the SDK AuthInfo', async () => {
    const verifier = createTokenVerifier(options());
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await signToken(key, { iss: issuer, aud: resource, sub: 'alice', client_id: 'cli-1', azp: 'other', scope: 'mcp:tools admin', exp });
    const info = await verifier.verifyAccessToken(token);
    expect(info).toMatchObject({ token, clientId: 'cli-1', scopes: ['mcp:tools', 'admin'], expiresAt: exp });
    expect(info.resource).toEqual(new URL(resource));
    expect(info.extra).toMatchObject({ claims: { sub: 'alice', client_id: 'cli-1' }, issuer, header: { alg: 'HS256' } });

    const azp = await verifier.verifyAccessToken(await signToken(key, { iss: issuer, aud: resource, azp: 'spa', scp: ['a', 'b'] }));
    expect(azp).toMatchObject({ clientId: 'spa', scopes: ['a', 'b'] });
    expect(typeof azp.expiresAt).toBe('number');
  });

  it('refuses a token for another audience, an expired or forged one, as an invalid token', async () => {
    const verifier = createTokenVerifier(options());
    const other = await createTestKey('HS256');
    const cases = [
      await signToken(key, { iss: issuer, aud: 'https://other.example.test/mcp' }),
      await signToken(key, { iss: issuer, aud: resource }, { expiresIn: -600 }),
      await signToken(other, { iss: issuer, aud: resource }),
      'not-a-token',
    ];
    for (const token of cases) {
      const error = await verifier.verifyAccessToken(token).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(isAuthError((error as Error).cause)).toBe(true);
      expect((error as Error).message).not.toContain(token);
    }
  });

  it('reports keys that cannot be fetched as a server error, never as an invalid token', async () => {
    const jwks = await startJwksServer();
    try {
      jwks.behaviour = { kind: 'status', status: 500 };
      const es = await createTestKey('ES256');
      const verifier = createTokenVerifier({ issuer, jwksUri: jwks.jwksUri, resource });
      const error = await verifier.verifyAccessToken(await signToken(es, { iss: issuer, aud: resource })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ServerError);
      expect(error).not.toBeInstanceOf(InvalidTokenError);
      expect((error as Error).cause).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    } finally {
      await jwks.close();
    }
  });

  it('takes a ready verifier, and then requires every token to name the resource in aud', async () => {
    const shared = createVerifier({ issuer, audience: ['orders-api', resource], secret: key.secret as string });
    const verifier = createTokenVerifier({ verifier: shared, resource });
    await expect(verifier.verifyAccessToken(await signToken(key, { iss: issuer, aud: resource }))).resolves.toMatchObject({ resource: new URL(resource) });
    await expect(verifier.verifyAccessToken(await signToken(key, { iss: issuer, aud: 'orders-api' }))).rejects.toBeInstanceOf(InvalidTokenError);
    const open = createVerifier({ issuer, audience: null, secret: key.secret as string });
    await expect(createTokenVerifier({ verifier: open, resource }).verifyAccessToken(await signToken(key, { iss: issuer, aud: 'anything' }))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses to be created without an audience, or with the audience or expiry turned off', () => {
    const secret = 's'.repeat(32);
    const shared = createVerifier({ issuer, audience: resource, secret });
    const bad: unknown[] = [
      undefined,
      { issuer, secret },
      { issuer, secret, audience: null, resource },
      { issuer, secret, resource, requireExpiration: false },
      { verifier: shared },
      { verifier: shared, resource, issuer },
      { issuer, secret, resource: 'not a url' },
      { issuer, secret, resource: 'https://mcp.example.test/mcp#frag' },
      { issuer, secret, resource, requiredScopes: ['x'] },
      { issuer, secret, issuers: [{ issuer, secret, audience: null }], resource },
    ];
    for (const options of bad) expect(() => createTokenVerifier(options as never), JSON.stringify(options)).toThrow(TypeError);
  });
});

describe("the SDK's requireBearerAuth with createTokenVerifier, through the SDK's own client", () => {
  let key: TestKey;
  let app: Awaited<ReturnType<typeof startMcpApp>>;
  beforeAll(async () => {
    key = await createTestKey('HS256');
    const verifier = createTokenVerifier({ issuer, secret: key.secret as string, resource });
    app = await startMcpApp(requireBearerAuth({ verifier, requiredScopes: ['mcp:tools'], resourceMetadataUrl: metadataUrl, expectedResource: new URL(resource) }) as unknown as RequestHandler);
  });
  afterAll(() => app?.close());

  it('calls a tool with a valid token, the AuthInfo reaching the tool', async () => {
    const token = await signToken(key, { iss: issuer, aud: resource, sub: 'alice', client_id: 'cli', scope: 'mcp:tools' });
    const { client } = await connect(app.origin, token);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const text = (result.content as { type: string; text: string }[])[0]?.text as string;
      expect(JSON.parse(text)).toMatchObject({ clientId: 'cli', scopes: ['mcp:tools'], resource, extra: { claims: { sub: 'alice' } } });
    } finally {
      await client.close();
    }
  });

  it('refuses a token for another audience with 401 invalid_token naming the metadata', async () => {
    const { error, seen } = await refused(app.origin, await signToken(key, { iss: issuer, aud: 'https://other.example.test/mcp', scope: 'mcp:tools' }));
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    expect(seen[0]?.challenge).toMatch(/^Bearer error="invalid_token", /);
    expect(seen[0]?.challenge).toContain(`resource_metadata="${metadataUrl}"`);
  });

  it('refuses a token without the required scope with 403 insufficient_scope', async () => {
    const { error, seen } = await refused(app.origin, await signToken(key, { iss: issuer, aud: resource, scope: 'profile:read' }));
    expect((error as StreamableHTTPError).code).toBe(403);
    expect(seen[0]?.challenge).toMatch(/^Bearer error="insufficient_scope", /);
  });
});

describe('SDK error classes', () => {
  it('are the ones requireBearerAuth tells apart', () => {
    // The mapping relies on these being distinct classes: a 400 must not become a 401 or a 500.
    expect(new InvalidRequestError('x')).not.toBeInstanceOf(InvalidTokenError);
    expect(new InsufficientScopeError('x')).not.toBeInstanceOf(InvalidTokenError);
    expect(new ServerError('x')).not.toBeInstanceOf(InvalidTokenError);
  });
});
