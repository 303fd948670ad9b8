import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { describe, expectTypeOf, it } from 'vitest';
import { createTokenVerifier, createVerifier, jwtAuth, toAuthInfo, type AuthResult, type McpRequest } from '../src/index.js';

const issuer = 'https://auth.example.com';
const resource = 'https://mcp.example.com/mcp';

describe('@jwt-gate/mcp types', () => {
  it('createTokenVerifier is the SDK verifier, the audience optional beside resource and never null', () => {
    expectTypeOf(createTokenVerifier({ issuer, jwksUri: `${issuer}/jwks`, resource })).toEqualTypeOf<OAuthTokenVerifier>();
    expectTypeOf(createTokenVerifier({ verifier: createVerifier({ issuer, audience: resource, secret: 'x' }), resource })).toEqualTypeOf<OAuthTokenVerifier>();
    // @ts-expect-error audience: null would accept tokens for any server
    createTokenVerifier({ issuer, jwksUri: `${issuer}/jwks`, audience: null, resource });
  });

  it('jwtAuth is a Node middleware whose request carries the SDK AuthInfo', () => {
    const auth = jwtAuth({ issuer, secret: 'x', resource, requiredScopes: ['mcp:tools'] });
    expectTypeOf(auth).parameter(0).toEqualTypeOf<McpRequest>();
    expectTypeOf(auth).parameter(1).toEqualTypeOf<ServerResponse>();
    expectTypeOf<McpRequest['auth']>().toEqualTypeOf<AuthInfo | undefined>();
    expectTypeOf<McpRequest>().toMatchTypeOf<IncomingMessage>();
    // @ts-expect-error requiredScopes are scope names
    jwtAuth({ issuer, secret: 'x', resource, requiredScopes: 'mcp:tools' });
  });

  it('toAuthInfo takes any jwt-gate result', () => {
    expectTypeOf(toAuthInfo).parameter(0).toEqualTypeOf<AuthResult>();
    expectTypeOf(toAuthInfo).returns.toEqualTypeOf<AuthInfo | undefined>();
  });
});
