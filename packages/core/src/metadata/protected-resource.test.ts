import { describe, expect, it } from 'vitest';
import { createProtectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource.js';
import { answerMetadataRequest, readMetadata } from './serve.js';

describe('createProtectedResourceMetadata (RFC 9728 §2)', () => {
  it('builds the document with the RFC member names, only what was configured', () => {
    const metadata = createProtectedResourceMetadata({
      resource: 'https://api.example.com',
      authorizationServers: ['https://auth.example.com', new URL('https://login.example.org/tenant')],
      scopesSupported: ['orders:read', 'orders:write'],
      bearerMethodsSupported: ['header'],
      dpopSigningAlgValuesSupported: ['ES256', 'EdDSA'],
      dpopBoundAccessTokensRequired: false,
      resourceName: 'Orders API',
      resourceDocumentation: 'https://docs.example.com/orders',
    });
    expect(metadata.document).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://auth.example.com', 'https://login.example.org/tenant'],
      scopes_supported: ['orders:read', 'orders:write'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
      dpop_bound_access_tokens_required: false,
      resource_name: 'Orders API',
      resource_documentation: 'https://docs.example.com/orders',
    });
    expect(JSON.parse(metadata.json)).toEqual(metadata.document);
    expect(metadata.path).toBe('/.well-known/oauth-protected-resource');
    expect(metadata.url).toBe('https://api.example.com/.well-known/oauth-protected-resource');
    expect(Object.isFrozen(metadata.document)).toBe(true);
    expect(Object.isFrozen(metadata.document.scopes_supported)).toBe(true);
    expect(createProtectedResourceMetadata({ resource: 'https://api.example.com' }).document).toEqual({ resource: 'https://api.example.com' });
  });

  it('serves a resource with a path at the path-suffixed well-known URL (§3.1)', () => {
    expect(createProtectedResourceMetadata({ resource: 'https://example.com/mcp' })).toMatchObject({
      path: '/.well-known/oauth-protected-resource/mcp',
      url: 'https://example.com/.well-known/oauth-protected-resource/mcp',
    });
    expect(createProtectedResourceMetadata({ resource: 'https://example.com/tenants/a/' }).path).toBe('/.well-known/oauth-protected-resource/tenants/a');
    expect(protectedResourceMetadataUrl('https://example.com/api?v=1')).toBe('https://example.com/.well-known/oauth-protected-resource/api?v=1');
    expect(protectedResourceMetadataUrl(new URL('http://127.0.0.1:3005/mcp'))).toBe('http://127.0.0.1:3005/.well-known/oauth-protected-resource/mcp');
  });

  it('allows http only for loopback hosts', () => {
    for (const resource of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000', 'http://api.localhost']) {
      expect(createProtectedResourceMetadata({ resource }).document.resource).toBe(resource);
    }
    for (const resource of ['http://api.example.com', 'http://0.0.0.0:3000', 'http://10.0.0.1']) {
      expect(() => createProtectedResourceMetadata({ resource }), resource).toThrow(TypeError);
    }
  });

  it('refuses a bad document at start-up with a TypeError', () => {
    const resource = 'https://api.example.com';
    const bad: unknown[] = [
      undefined,
      {},
      { resource: 'api.example.com' },
      { resource: 'https://api.example.com#top' },
      { resource: 'https://user:pw@api.example.com' },
      { resource: 'ftp://api.example.com' },
      { resource, authorizationServers: 'https://auth.example.com' },
      { resource, authorizationServers: ['http://auth.example.com'] },
      { resource, scopesSupported: ['a', 3] },
      { resource, scopesSupported: ['a', ''] },
      { resource, scopesSupported: ['a', 'a'] },
      { resource, bearerMethodsSupported: ['cookie'] },
      { resource, dpopBoundAccessTokensRequired: 'yes' },
      { resource, resourceName: '' },
      { resource, resourceDocumentation: 'docs' },
      { resource, authorization_servers: ['https://auth.example.com'] },
    ];
    for (const options of bad) expect(() => createProtectedResourceMetadata(options as never), JSON.stringify(options)).toThrow(TypeError);
    expect(() => createProtectedResourceMetadata({ resource, authorization_servers: [] } as never)).toThrow(/unknown option "authorization_servers"; did you mean "authorizationServers"/);
  });

  it('ignores inherited options', () => {
    const options = Object.create({ scopesSupported: ['inherited'] }) as { resource: string };
    options.resource = 'https://api.example.com';
    expect(createProtectedResourceMetadata(options).document).toEqual({ resource: 'https://api.example.com' });
  });
});

describe('answerMetadataRequest', () => {
  const metadata = createProtectedResourceMetadata({ resource: 'https://example.com/mcp', authorizationServers: ['https://auth.example.com'] });

  it('answers GET and HEAD with the JSON document readable from any origin, and OPTIONS as a preflight', () => {
    expect(answerMetadataRequest(metadata, 'GET', '/.well-known/oauth-protected-resource/mcp')).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
      body: metadata.json,
    });
    expect(answerMetadataRequest(metadata, 'head', '/.well-known/oauth-protected-resource/mcp')).toMatchObject({ status: 200, body: null });
    expect(answerMetadataRequest(metadata, 'OPTIONS', '/.well-known/oauth-protected-resource/mcp')).toMatchObject({ status: 204, headers: { 'access-control-allow-origin': '*' }, body: null });
    expect(answerMetadataRequest(metadata, 'POST', '/.well-known/oauth-protected-resource/mcp')).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } });
  });

  it('leaves every other path to the application', () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp/', '/mcp', '/']) {
      expect(answerMetadataRequest(metadata, 'GET', path), path).toBeUndefined();
    }
  });

  it('takes options or a ready document', () => {
    expect(readMetadata(metadata, 'x')).toBe(metadata);
    expect(readMetadata({ resource: 'https://example.com/mcp' }, 'x').path).toBe(metadata.path);
    expect(() => readMetadata(null as never, 'x')).toThrow(TypeError);
  });
});
