import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceTarget } from './conformance/harness.js';
import { createTestKey, signToken, type TestKey } from './keys.js';

/** The resource whose metadata the suite's apps serve at the root well-known path. */
export const METADATA_RESOURCE = 'https://api.example.test';
/** A second resource, with a path, served at the path-suffixed well-known path (RFC 9728 §3.1). */
export const METADATA_PATH_RESOURCE = 'https://api.example.test/mcp';
const ISSUER = 'https://auth.example.test';
const AUDIENCE = METADATA_RESOURCE;
const ROOT_URL = `${METADATA_RESOURCE}/.well-known/oauth-protected-resource`;

/** What an adapter's app is built from, for {@link resourceMetadataSuite}. */
export interface MetadataSuiteSetup {
  /** `createProtectedResourceMetadata`'s options for {@link METADATA_RESOURCE}, to pass to `protectedResourceMetadata()`. */
  readonly rootMetadata: { resource: string; authorizationServers: string[]; scopesSupported: string[]; bearerMethodsSupported: 'header'[] };
  /** The options for {@link METADATA_PATH_RESOURCE}. */
  readonly pathMetadata: { resource: string; authorizationServers: string[]; resourceName: string };
  /** `jwtAuth()` options naming the root document in challenges: for `/me` and, behind `requireScopes('admin')`, `/admin`. */
  readonly auth: { issuer: string; audience: string; secret: string; algorithms: ['HS256']; resourceMetadata: string };
}

/**
 * The RFC 9728 behaviour every adapter shares, over its real transport: the metadata document
 * served at both well-known forms (GET, HEAD, a CORS preflight, 405 for other methods), other
 * paths left to the app, and `resource_metadata` in every challenge of `jwtAuth()` and its guards.
 * `start` builds an app with both `protectedResourceMetadata()`s in front, `GET /me` behind
 * `jwtAuth(setup.auth)`, `GET /admin` behind it and `requireScopes('admin')`, and `GET /open` with
 * no authentication answering `{"open":true}`.
 */
export function resourceMetadataSuite(name: string, start: (setup: MetadataSuiteSetup) => Promise<ConformanceTarget>): void {
  describe(`${name}: RFC 9728 protected-resource metadata`, () => {
    let key: TestKey;
    let target: ConformanceTarget;
    const get = (path: string, headers: [string, string][] = [], method = 'GET') => target.request({ method, path, headers });

    beforeAll(async () => {
      key = await createTestKey('HS256');
      target = await start({
        rootMetadata: { resource: METADATA_RESOURCE, authorizationServers: [ISSUER], scopesSupported: ['profile:read', 'admin'], bearerMethodsSupported: ['header'] },
        pathMetadata: { resource: METADATA_PATH_RESOURCE, authorizationServers: [ISSUER], resourceName: 'MCP tools' },
        auth: { issuer: ISSUER, audience: AUDIENCE, secret: key.secret as string, algorithms: ['HS256'], resourceMetadata: ROOT_URL },
      });
    });
    afterAll(() => target?.close());

    it('serves the document at /.well-known/oauth-protected-resource as JSON, readable from any origin', async () => {
      const res = await get('/.well-known/oauth-protected-resource');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json\b/);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(JSON.parse(res.text)).toEqual({
        resource: METADATA_RESOURCE,
        authorization_servers: [ISSUER],
        scopes_supported: ['profile:read', 'admin'],
        bearer_methods_supported: ['header'],
      });
    });

    it('serves a resource with a path at the path-suffixed form (RFC 9728 §3.1)', async () => {
      const res = await get('/.well-known/oauth-protected-resource/mcp');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ resource: METADATA_PATH_RESOURCE, authorization_servers: [ISSUER], resource_name: 'MCP tools' });
    });

    it('answers HEAD without a body, a CORS preflight with 204, other methods with 405', async () => {
      const head = await get('/.well-known/oauth-protected-resource', [], 'HEAD');
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      const preflight = await get('/.well-known/oauth-protected-resource', [['origin', 'https://client.example'], ['access-control-request-method', 'GET']], 'OPTIONS');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      const post = await get('/.well-known/oauth-protected-resource', [], 'POST');
      expect(post.status).toBe(405);
      expect(post.headers['allow']).toBe('GET, HEAD, OPTIONS');
    });

    it('leaves every other path to the app', async () => {
      expect(JSON.parse((await get('/open')).text)).toEqual({ open: true });
      const other = await get('/.well-known/oauth-protected-resource/other');
      expect(other.status).not.toBe(200);
      expect(other.text).not.toContain('authorization_servers');
    });

    it('names the document in every challenge: no token, a bad token, a token for another audience, a missing scope', async () => {
      const param = `resource_metadata="${ROOT_URL}"`;
      const missing = await get('/me');
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe(`Bearer realm="api", ${param}`);
      const other = await signToken(key, { iss: ISSUER, aud: 'https://other.example.test', sub: 'alice' });
      for (const token of ['not.a.token', other]) {
        const refused = await get('/me', [['authorization', `Bearer ${token}`]]);
        expect(refused.status).toBe(401);
        expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token", /);
        expect(String(refused.headers['www-authenticate']).endsWith(`, ${param}`)).toBe(true);
      }
      const reader = await signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'bob', scope: 'profile:read' });
      expect((await get('/me', [['authorization', `Bearer ${reader}`]])).status).toBe(200);
      const denied = await get('/admin', [['authorization', `Bearer ${reader}`]]);
      expect(denied.status).toBe(403);
      expect(denied.headers['www-authenticate']).toBe(`Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="admin", ${param}`);
      const admin = await signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'alice', scope: 'profile:read admin' });
      expect((await get('/admin', [['authorization', `Bearer ${admin}`]])).status).toBe(200);
    });
  });
}
