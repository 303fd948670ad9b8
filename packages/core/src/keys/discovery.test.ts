import { createTestKey, signToken, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../verification/verifier.js';
import { metadataUrls } from './discovery.js';

const audience = 'orders-api';

describe('discovery', () => {
  let server: JwksServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function setup(options: { rfc8414?: boolean; issuerPath?: string } = {}): Promise<{ server: JwksServer; key: TestKey }> {
    const key = await createTestKey('RS256');
    server = await startJwksServer({ keys: [key.publicJwk!], ...options });
    return { server, key };
  }

  it('builds the OIDC and RFC 8414 metadata URLs', () => {
    expect(metadataUrls('https://id.example.com')).toEqual([
      'https://id.example.com/.well-known/openid-configuration',
      'https://id.example.com/.well-known/oauth-authorization-server',
    ]);
    expect(metadataUrls('https://id.example.com/tenants/a/')).toEqual([
      'https://id.example.com/tenants/a/.well-known/openid-configuration',
      'https://id.example.com/.well-known/oauth-authorization-server/tenants/a',
    ]);
  });

  it('finds the JWKS through OpenID Connect discovery', async () => {
    const { server, key } = await setup({ issuerPath: '/realms/main' });
    const verifier = createVerifier({ issuer: server.issuer, audience, discovery: true });
    const token = await signToken(key, { iss: server.issuer, aud: audience });
    await expect(verifier.verify(token)).resolves.toMatchObject({ issuer: server.issuer });
    await verifier.verify(token);
    expect(server.hits.get('/realms/main/.well-known/openid-configuration')).toBe(1);
    expect(server.hits.get('/jwks.json')).toBe(1);
  });

  it('falls back to RFC 8414 authorization server metadata', async () => {
    const { server, key } = await setup({ rfc8414: true, issuerPath: '/as' });
    const verifier = createVerifier({ issuer: server.issuer, audience, discovery: true });
    await expect(verifier.verify(await signToken(key, { iss: server.issuer, aud: audience }))).resolves.toMatchObject({ issuer: server.issuer });
    expect(server.hits.get('/as/.well-known/openid-configuration')).toBe(1);
    expect(server.hits.get('/.well-known/oauth-authorization-server/as')).toBe(1);
  });

  it('takes no keys from metadata that names another issuer', async () => {
    const { server, key } = await setup();
    const configured = server.issuer;
    server.issuer = 'https://evil.example.com';
    const verifier = createVerifier({ issuer: configured, audience, discovery: true });
    await expect(verifier.verify(await signToken(key, { iss: configured, aud: audience }))).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    expect(server.hits.get('/jwks.json')).toBeUndefined();
  });

  it('makes no request at all for a token from an untrusted issuer', async () => {
    const { server, key } = await setup();
    const verifier = createVerifier({ issuer: server.issuer, audience, discovery: true });
    for (const iss of ['https://attacker.example', `${server.issuer}/`, server.issuer.toUpperCase()]) {
      await expect(verifier.verify(await signToken(key, { iss, aud: audience }))).rejects.toMatchObject({ code: 'ERR_ISSUER_INVALID' });
    }
    await expect(verifier.verify(await signToken(key, { aud: audience }))).rejects.toMatchObject({ code: 'ERR_ISSUER_INVALID', claim: 'iss', reason: 'missing' });
    expect(server.total()).toBe(0);
  });

  it('answers 503 while discovery fails and recovers after the cooldown', async () => {
    const { server, key } = await setup();
    server.behaviour = { kind: 'status', status: 500 };
    let now = Date.now();
    const verifier = createVerifier({ issuer: server.issuer, audience, discovery: true, clock: () => now, remote: { cooldown: 5_000 } });
    const token = await signToken(key, { iss: server.issuer, aud: audience });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(server.total()).toBe(1);
    server.behaviour = { kind: 'ok' };
    now += 6_000;
    await expect(verifier.verify(token)).resolves.toMatchObject({ issuer: server.issuer });
  });

  it('sends configured headers to the configured origin only, never to a jwks_uri on another host', async () => {
    const { server, key } = await setup();
    const keyHost = await startJwksServer({ keys: [key.publicJwk!] });
    try {
      const headers = { 'x-api-key': 'for-the-issuer-origin-only' };
      const token = await signToken(key, { iss: server.issuer, aud: audience });
      const sameOrigin = createVerifier({ issuer: server.issuer, audience, discovery: true, remote: { headers } });
      await expect(sameOrigin.verify(token)).resolves.toMatchObject({ issuer: server.issuer });
      expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual([headers['x-api-key'], headers['x-api-key']]);

      server.metadata = JSON.stringify({ issuer: server.issuer, jwks_uri: keyHost.jwksUri });
      const elsewhere = createVerifier({ issuer: server.issuer, audience, discovery: true, remote: { headers } });
      await expect(elsewhere.verify(token)).resolves.toMatchObject({ issuer: server.issuer });
      expect(keyHost.requests).toHaveLength(1);
      expect(keyHost.requests[0]?.headers['x-api-key']).toBeUndefined();
    } finally {
      await keyHost.close();
    }
  });

  it('refuses https metadata that names a jwks_uri over http', async () => {
    const key = await createTestKey('ES256');
    const issuer = 'https://id.example.com';
    const fetched: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      fetched.push(String(input));
      const body = String(input).endsWith('/openid-configuration') ? { issuer, jwks_uri: 'http://keys.example.net/jwks.json' } : { keys: [key.publicJwk] };
      return Response.json(body);
    };
    const verifier = createVerifier({ issuer, audience, discovery: true, remote: { fetch: fetchImpl } });
    await expect(verifier.verify(await signToken(key, { iss: issuer, aud: audience }))).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    expect(fetched).toEqual([`${issuer}/.well-known/openid-configuration`]);
  });

  it('accepts an explicit metadata URL', async () => {
    const { server, key } = await setup();
    const verifier = createVerifier({ issuer: server.issuer, audience, discovery: `${server.origin}/.well-known/openid-configuration` });
    await expect(verifier.verify(await signToken(key, { iss: server.issuer, aud: audience }))).resolves.toMatchObject({ issuer: server.issuer });
  });

  it('exports metadata and keys, and starts from them without fetching', async () => {
    const { server, key } = await setup();
    const token = await signToken(key, { iss: server.issuer, aud: audience });
    const first = createVerifier({ issuer: server.issuer, audience, discovery: true });
    await first.verify(token);
    const snapshot = JSON.parse(JSON.stringify(first.exportCache()));
    expect(snapshot.metadata[server.issuer]).toMatchObject({ issuer: server.issuer, jwks_uri: server.jwksUri });
    const before = server.total();
    const warm = createVerifier({ issuer: server.issuer, audience, discovery: true, cache: snapshot });
    await expect(warm.verify(token)).resolves.toMatchObject({ issuer: server.issuer });
    expect(server.total()).toBe(before);
  });
});
