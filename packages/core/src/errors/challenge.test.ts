import { describe, expect, it } from 'vitest';
import { AuthError } from './auth-error.js';
import { buildChallenge } from './challenge.js';

const metadata = 'https://api.example.com/.well-known/oauth-protected-resource';

describe('resource_metadata in challenges (RFC 9728 §5.1)', () => {
  it('is the last parameter of every form of the challenge', () => {
    expect(buildChallenge({ realm: 'api', resourceMetadata: metadata })).toBe(`Bearer realm="api", resource_metadata="${metadata}"`);
    expect(buildChallenge({ realm: 'api', error: 'insufficient_scope', errorDescription: 'Insufficient scope', scope: ['a', 'b'], resourceMetadata: metadata })).toBe(
      `Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="a b", resource_metadata="${metadata}"`,
    );
  });

  it('is left out when empty or when it would break the quoted string', () => {
    for (const bad of ['', 'https://a/"x', 'https://a/?x\\y', 'https://a/\r\nSet-Cookie: x=y', 'https://a/\u00e9']) {
      expect(buildChallenge({ realm: 'api', resourceMetadata: bad }), JSON.stringify(bad)).toBe('Bearer realm="api"');
    }
  });

  it('is carried by AuthError, kept by withRealm, and added by withResourceMetadata', () => {
    const error = new AuthError('ERR_TOKEN_EXPIRED', { realm: 'orders', resourceMetadata: metadata });
    expect(error.resourceMetadata).toBe(metadata);
    expect(error.headers['WWW-Authenticate']).toBe(`Bearer realm="orders", error="invalid_token", error_description="The access token expired", resource_metadata="${metadata}"`);
    expect(error.withRealm('api').challenge).toBe(`Bearer realm="api", error="invalid_token", error_description="The access token expired", resource_metadata="${metadata}"`);

    const plain = new AuthError('ERR_INSUFFICIENT_SCOPE', { scope: ['admin'], claim: 'scope', cause: new Error('x') });
    expect(plain.withResourceMetadata(undefined)).toBe(plain);
    const named = plain.withResourceMetadata(metadata);
    expect(named).not.toBe(plain);
    expect(named).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403, claim: 'scope', scope: ['admin'], cause: plain.cause, resourceMetadata: metadata });
    expect(named.challenge).toBe(`Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="admin", resource_metadata="${metadata}"`);
    expect(plain.resourceMetadata).toBeUndefined();
  });

  it('never appears where there is no challenge (500, 503)', () => {
    expect(new AuthError('ERR_KEYS_UNAVAILABLE', { resourceMetadata: metadata }).headers).toEqual({});
  });
});
