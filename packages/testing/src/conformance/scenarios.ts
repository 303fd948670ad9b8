import { REALM, type TokenName } from './fixture.js';
import type { GuardedRouteName } from './guarded-routes.js';
import type { ConformanceRoute } from './harness.js';

/**
 * One request and everything its response must show. `{name}` in a header value or a path
 * stands for the token of that name.
 */
export interface Scenario {
  readonly name: string;
  /** `all`: every adapter and every example server. `adapters`: the in-process apps only. */
  readonly on: 'all' | 'adapters';
  readonly request: {
    readonly method?: string;
    readonly path: string;
    readonly headers?: readonly (readonly [string, string])[];
    readonly body?: string;
  };
  readonly expect: {
    readonly status: number;
    /** The exact `WWW-Authenticate` value, or null for none. */
    readonly challenge: string | null;
    /** The body's `error` on a rejection. */
    readonly error?: string;
    /** The handler that ran, or null when the request was refused before it. */
    readonly handled: ConformanceRoute | null;
    /** `/me` answers with the result of this token attached. */
    readonly result?: TokenName;
    /**
     * True where the adapter answers whatever its error mode: a guard with no `jwtAuth()` in
     * front has no session to read the mode from, so it answers its 500 itself (JSON).
     */
    readonly answeredByAdapter?: true;
    /** The exact JSON body of a success on the other routes. */
    readonly body?: unknown;
  };
}

const bare = `Bearer realm="${REALM}"`;
const invalidRequest = (description: string) => `Bearer realm="${REALM}", error="invalid_request", error_description="${description}"`;
const invalidToken = (description: string) => `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`;
const insufficientScope = (scope?: string) =>
  `Bearer realm="${REALM}", error="insufficient_scope", error_description="Insufficient scope"${scope === undefined ? '' : `, scope="${scope}"`}`;

const bearer = (token: TokenName) => [['authorization', `Bearer {${token}}`]] as const;
const missing = { status: 401, challenge: bare, error: 'unauthorized', handled: null } as const;
const malformedHeader = { status: 400, challenge: invalidRequest('Malformed Authorization header'), error: 'invalid_request', handled: null } as const;
const multipleTokens = { status: 400, challenge: invalidRequest('More than one access token in the request'), error: 'invalid_request', handled: null } as const;
const refused = (description: string) => ({ status: 401, challenge: invalidToken(description), error: 'invalid_token', handled: null }) as const;
const keysUnavailable = { status: 503, challenge: null, error: 'temporarily_unavailable', handled: null } as const;
const forbidden = (scope?: string) => ({ status: 403, challenge: insufficientScope(scope), error: 'insufficient_scope', handled: null }) as const;
const guarded = (route: GuardedRouteName, sub: string) => ({ status: 200, challenge: null, handled: route, body: { route, sub } }) as const;
const misconfigured = { status: 500, challenge: null, error: 'server_error', handled: null, answeredByAdapter: true } as const;

/** Every scenario of the suite. */
export const SCENARIOS: readonly Scenario[] = [
  // Required authentication, the contract's GET /me.
  { name: 'GET /me with a valid token attaches its result', on: 'all', request: { path: '/me', headers: bearer('alice') }, expect: { status: 200, challenge: null, handled: 'me', result: 'alice' } },
  { name: "GET /me with another user's token attaches that user", on: 'all', request: { path: '/me', headers: bearer('bob') }, expect: { status: 200, challenge: null, handled: 'me', result: 'bob' } },
  { name: 'the Bearer scheme is case-insensitive', on: 'all', request: { path: '/me', headers: [['authorization', 'bearer {alice}']] }, expect: { status: 200, challenge: null, handled: 'me', result: 'alice' } },
  { name: 'no credentials: 401 with a bare challenge', on: 'all', request: { path: '/me' }, expect: missing },
  { name: 'a token in the query string is ignored', on: 'all', request: { path: '/me?access_token={alice}' }, expect: missing },
  { name: 'a token in a cookie is ignored', on: 'all', request: { path: '/me', headers: [['cookie', 'access_token={alice}']] }, expect: missing },
  { name: 'another scheme counts as no bearer credentials', on: 'all', request: { path: '/me', headers: [['authorization', 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=']] }, expect: missing },
  { name: 'Bearer without a token is a malformed request', on: 'all', request: { path: '/me', headers: [['authorization', 'Bearer']] }, expect: malformedHeader },
  { name: 'two spaces after Bearer is a malformed request', on: 'all', request: { path: '/me', headers: [['authorization', 'Bearer  {alice}']] }, expect: malformedHeader },
  {
    name: 'two Authorization headers are refused with 400 invalid_request',
    on: 'all',
    request: { path: '/me', headers: [['authorization', 'Bearer {alice}'], ['authorization', 'Bearer {bob}']] },
    expect: { status: 400, challenge: invalidRequest('More than one access token in the request'), error: 'invalid_request', handled: null },
  },
  { name: 'a token that is not a JWS: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('malformed') }, expect: refused('The access token is malformed') },
  { name: 'an expired token: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('expired') }, expect: refused('The access token expired') },
  { name: 'a token not yet valid: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('notYetValid') }, expect: refused('The access token is not yet valid') },
  { name: 'a token for another audience: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('wrongAudience') }, expect: refused('The token audience is not accepted') },
  { name: 'a token of an untrusted issuer: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('untrustedIssuer') }, expect: refused('The token issuer is not trusted') },
  { name: 'a token of another type than at+jwt: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('wrongType') }, expect: refused('The token type is not accepted') },
  { name: 'a token signed with another secret: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('forged') }, expect: refused('The token signature is invalid') },
  { name: "another user's claims under a valid signature: 401 invalid_token", on: 'all', request: { path: '/me', headers: bearer('tampered') }, expect: refused('The token signature is invalid') },
  { name: 'an unsigned (alg none) token: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('algNone') }, expect: refused('The access token is malformed') },
  { name: 'a token in an algorithm the issuer does not use: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('wrongAlgorithm') }, expect: refused('The token algorithm is not allowed') },
  { name: 'a token over 8192 characters: 401 invalid_token', on: 'all', request: { path: '/me', headers: bearer('oversized') }, expect: refused('The access token is too large') },
  { name: "keys unavailable (the second issuer's JWKS answers 500): 503", on: 'all', request: { path: '/me', headers: bearer('trustedIssuer') }, expect: keysUnavailable },

  // Authorization by claims, the contract's GET /admin.
  { name: 'GET /admin lets an admin in', on: 'all', request: { path: '/admin', headers: bearer('alice') }, expect: { status: 200, challenge: null, handled: 'admin', body: { message: 'Hello, admin alice' } } },
  { name: 'GET /admin refuses a user without the admin role with 403 insufficient_scope', on: 'all', request: { path: '/admin', headers: bearer('bob') }, expect: forbidden() },
  { name: 'GET /admin without credentials: 401', on: 'all', request: { path: '/admin' }, expect: missing },
  { name: 'GET /admin with an expired token: 401 invalid_token', on: 'all', request: { path: '/admin', headers: bearer('expired') }, expect: refused('The access token expired') },
  { name: 'GET /admin takes a roles claim holding one string as that one role', on: 'all', request: { path: '/admin', headers: bearer('rolesAsString') }, expect: { status: 200, challenge: null, handled: 'admin', body: { message: 'Hello, admin rita' } } },
  { name: 'GET /admin refuses roles nested in an array', on: 'all', request: { path: '/admin', headers: bearer('rolesNested') }, expect: forbidden() },
  { name: 'GET /admin refuses an array-like roles object', on: 'all', request: { path: '/admin', headers: bearer('rolesArrayLike') }, expect: forbidden() },

  // Optional authentication, GET /hello.
  { name: 'optional authentication lets an anonymous request through', on: 'all', request: { path: '/hello' }, expect: { status: 200, challenge: null, handled: 'hello', body: { message: 'Hello, stranger' } } },
  { name: 'optional authentication attaches a valid token', on: 'all', request: { path: '/hello', headers: bearer('bob') }, expect: { status: 200, challenge: null, handled: 'hello', body: { message: 'Hello, bob' } } },
  { name: 'optional authentication still refuses an invalid token', on: 'all', request: { path: '/hello', headers: bearer('forged') }, expect: refused('The token signature is invalid') },
  { name: 'optional authentication still refuses an expired token', on: 'all', request: { path: '/hello', headers: bearer('expired') }, expect: refused('The access token expired') },
  { name: 'optional authentication still refuses a malformed header', on: 'all', request: { path: '/hello', headers: [['authorization', 'Bearer']] }, expect: malformedHeader },
  { name: 'optional authentication does not turn unavailable keys into anonymous access', on: 'all', request: { path: '/hello', headers: bearer('trustedIssuer') }, expect: keysUnavailable },

  // Route guards and policies (in-process apps): GUARDED_ROUTES, through each adapter's own guards.
  { name: 'requireScopes lets a token with the scope in', on: 'adapters', request: { path: '/write', headers: bearer('carol') }, expect: guarded('write', 'carol') },
  { name: 'requireScopes reads a scope claim given as an array', on: 'adapters', request: { path: '/write', headers: bearer('scopeAsArray') }, expect: guarded('write', 'sid') },
  { name: 'requireScopes refuses a token without the scope with 403 and scope="write"', on: 'adapters', request: { path: '/write', headers: bearer('bob') }, expect: forbidden('write') },
  { name: 'requireScopes matches whole scopes, never prefixes', on: 'adapters', request: { path: '/write', headers: bearer('scopeLookalike') }, expect: forbidden('write') },
  { name: 'a route guard refuses an anonymous request with 401', on: 'adapters', request: { path: '/write' }, expect: missing },
  { name: 'requireAnyScope lets in a token with one of the scopes', on: 'adapters', request: { path: '/edit', headers: bearer('carol') }, expect: guarded('edit', 'carol') },
  { name: 'requireAnyScope lets in a token with another of the scopes', on: 'adapters', request: { path: '/edit', headers: bearer('alice') }, expect: guarded('edit', 'alice') },
  { name: 'requireAnyScope refuses with 403 naming every scope', on: 'adapters', request: { path: '/edit', headers: bearer('bob') }, expect: forbidden('write admin') },
  { name: 'requireRoles on a nested path reads realm_access.roles', on: 'adapters', request: { path: '/realm', headers: bearer('alice') }, expect: forbidden() },
  { name: 'requireRoles on a nested path lets a Keycloak-style token in', on: 'adapters', request: { path: '/realm', headers: bearer('keycloak') }, expect: guarded('realm', 'kim') },
  { name: 'requireRoles on a URL-named claim reads that one claim', on: 'adapters', request: { path: '/namespaced', headers: bearer('namespaced') }, expect: guarded('namespaced', 'nina') },
  { name: 'requireRoles on a URL-named claim ignores the roles claim', on: 'adapters', request: { path: '/namespaced', headers: bearer('alice') }, expect: forbidden() },
  { name: 'claimEquals lets true in', on: 'adapters', request: { path: '/verified', headers: bearer('verified') }, expect: guarded('verified', 'vera') },
  { name: 'claimEquals refuses "true" where true is required', on: 'adapters', request: { path: '/verified', headers: bearer('verifiedAsString') }, expect: forbidden() },
  { name: 'claimEquals refuses a token without the claim', on: 'adapters', request: { path: '/verified', headers: bearer('bob') }, expect: forbidden() },
  { name: 'anyOf lets in through its first alternative', on: 'adapters', request: { path: '/combined', headers: bearer('alice') }, expect: guarded('combined', 'alice') },
  { name: 'anyOf lets in through allOf(scope, not(role))', on: 'adapters', request: { path: '/combined', headers: bearer('carol') }, expect: guarded('combined', 'carol') },
  { name: 'not() refuses a token holding the role it excludes', on: 'adapters', request: { path: '/combined', headers: bearer('suspended') }, expect: forbidden() },
  { name: 'anyOf refuses naming the scopes of its alternatives', on: 'adapters', request: { path: '/combined', headers: bearer('bob') }, expect: forbidden('write') },
  {
    name: 'claimCheck sees the claims and the request',
    on: 'adapters',
    request: { path: '/tenant', headers: [...bearer('tenant'), ['x-tenant', 'acme']] },
    expect: guarded('tenant', 'tess'),
  },
  { name: 'claimCheck refuses when its predicate answers false', on: 'adapters', request: { path: '/tenant', headers: [...bearer('tenant'), ['x-tenant', 'globex']] }, expect: forbidden() },
  { name: 'claimCheck refuses without the header it compares', on: 'adapters', request: { path: '/tenant', headers: bearer('tenant') }, expect: forbidden() },
  { name: 'allOf(requirePermissions, claimIncludes, claimMatches) lets a token holding all in', on: 'adapters', request: { path: '/orders', headers: bearer('orderClerk') }, expect: guarded('orders', 'olga') },
  { name: 'allOf refuses a token missing its permissions', on: 'adapters', request: { path: '/orders', headers: bearer('alice') }, expect: forbidden() },
  { name: 'claimIncludes refuses a list without the value', on: 'adapters', request: { path: '/orders', headers: bearer('withoutMfa') }, expect: forbidden() },
  { name: 'claimMatches refuses an array where a string is expected', on: 'adapters', request: { path: '/orders', headers: bearer('emailAsArray') }, expect: forbidden() },
  { name: 'role names such as toString and constructor are held only when listed', on: 'adapters', request: { path: '/builtin-roles', headers: bearer('builtinRoles') }, expect: guarded('builtin-roles', 'ivy') },
  { name: 'role names such as toString and constructor are never found on the prototype', on: 'adapters', request: { path: '/builtin-roles', headers: bearer('alice') }, expect: forbidden() },
  { name: 'a claim named constructor is never read from the prototype', on: 'adapters', request: { path: '/inherited', headers: bearer('alice') }, expect: forbidden() },
  { name: "a global policy in jwtAuth's options lets a token that passes in", on: 'adapters', request: { path: '/global', headers: bearer('bob') }, expect: guarded('global', 'bob') },
  { name: "a global policy in jwtAuth's options refuses with 403 and scope", on: 'adapters', request: { path: '/global', headers: bearer('carol') }, expect: forbidden('profile:read') },
  { name: "a global policy in jwtAuth's options leaves anonymous requests to jwtAuth: 401", on: 'adapters', request: { path: '/global' }, expect: missing },
  { name: 'a guard behind optional authentication refuses an anonymous request with 401', on: 'adapters', request: { path: '/members' }, expect: missing },
  { name: 'a guard behind optional authentication lets a token that passes in', on: 'adapters', request: { path: '/members', headers: bearer('bob') }, expect: guarded('members', 'bob') },
  { name: 'a guard behind optional authentication refuses a token that fails with 403', on: 'adapters', request: { path: '/members', headers: bearer('alice') }, expect: forbidden() },
  { name: 'a 5000-entry roles array is refused whole, the role it holds first included', on: 'adapters', request: { path: '/many-roles', headers: bearer('manyRoles') }, expect: forbidden() },
  { name: 'a route accepting large tokens lets an ordinary admin in', on: 'adapters', request: { path: '/many-roles', headers: bearer('alice') }, expect: guarded('many-roles', 'alice') },
  { name: 'a guard with no jwtAuth in front refuses a valid token with 500, never a pass', on: 'adapters', request: { path: '/misconfigured', headers: bearer('alice') }, expect: misconfigured },
  { name: 'a guard with no jwtAuth in front refuses an anonymous request with 500', on: 'adapters', request: { path: '/misconfigured' }, expect: misconfigured },

  // A header an earlier middleware set or replaced is the one verified (in-process apps).
  {
    name: 'a token an earlier middleware moved into Authorization is the one verified',
    on: 'adapters',
    request: { path: '/forwarded', headers: [['x-forwarded-token', '{alice}']] },
    expect: { status: 200, challenge: null, handled: 'forwarded', result: 'alice' },
  },
  {
    name: "an Authorization an earlier middleware replaced is the one verified, not the client's",
    on: 'adapters',
    request: { path: '/forwarded', headers: [...bearer('forged'), ['x-forwarded-token', '{bob}']] },
    expect: { status: 200, challenge: null, handled: 'forwarded', result: 'bob' },
  },
  {
    name: 'the route without the forwarded header verifies what the client sent',
    on: 'adapters',
    request: { path: '/forwarded', headers: bearer('forged') },
    expect: refused('The token signature is invalid'),
  },

  // Other token sources, each one more transport: tokenHeader and getToken (in-process apps).
  { name: 'tokenHeader: a token in the named header is verified', on: 'adapters', request: { path: '/header-token', headers: [['x-access-token', '{alice}']] }, expect: { status: 200, challenge: null, handled: 'header-token', result: 'alice' } },
  { name: 'tokenHeader: the named header may carry the Bearer scheme', on: 'adapters', request: { path: '/header-token', headers: [['x-access-token', 'Bearer {bob}']] }, expect: { status: 200, challenge: null, handled: 'header-token', result: 'bob' } },
  { name: 'tokenHeader: a token there and in Authorization is two transports: 400', on: 'adapters', request: { path: '/header-token', headers: [['x-access-token', '{alice}'], ...bearer('alice')] }, expect: multipleTokens },
  { name: 'tokenHeader: a token of the wrong syntax there is a malformed request', on: 'adapters', request: { path: '/header-token', headers: [['x-access-token', '{alice} extra']] }, expect: malformedHeader },
  { name: 'tokenHeader: Authorization alone still works', on: 'adapters', request: { path: '/header-token', headers: bearer('alice') }, expect: { status: 200, challenge: null, handled: 'header-token', result: 'alice' } },
  { name: 'the named header is read only where tokenHeader names it', on: 'adapters', request: { path: '/me', headers: [['x-access-token', '{alice}']] }, expect: missing },
  { name: 'authorizationHeader: false: a token in the named header is verified', on: 'adapters', request: { path: '/header-only', headers: [['x-access-token', 'Bearer {alice}']] }, expect: { status: 200, challenge: null, handled: 'header-only', result: 'alice' } },
  { name: 'authorizationHeader: false: a token in Authorization alone is no credentials', on: 'adapters', request: { path: '/header-only', headers: bearer('alice') }, expect: missing },
  {
    name: 'authorizationHeader: false: whatever Authorization holds is left alone, not a second transport',
    on: 'adapters',
    request: { path: '/header-only', headers: [...bearer('forged'), ['x-access-token', '{bob}']] },
    expect: { status: 200, challenge: null, handled: 'header-only', result: 'bob' },
  },
  {
    name: 'authorizationHeader: false: a malformed Authorization is not refused',
    on: 'adapters',
    request: { path: '/header-only', headers: [['authorization', 'Bearer a b'], ['x-access-token', '{alice}']] },
    expect: { status: 200, challenge: null, handled: 'header-only', result: 'alice' },
  },
  { name: "getToken: a token the app's own function finds (here in the query string) is verified", on: 'adapters', request: { path: '/query-token?access_token={alice}' }, expect: { status: 200, challenge: null, handled: 'query-token', result: 'alice' } },
  { name: 'getToken: a token there and in Authorization is two transports: 400', on: 'adapters', request: { path: '/query-token?access_token={alice}', headers: bearer('alice') }, expect: multipleTokens },
  { name: 'getToken: a forged token found there is refused like any other', on: 'adapters', request: { path: '/query-token?access_token={forged}' }, expect: refused('The token signature is invalid') },
  { name: 'getToken: nothing found and no header is no credentials', on: 'adapters', request: { path: '/query-token' }, expect: missing },
  { name: 'getToken: an AuthError it throws is the answer (a repeated parameter: 400)', on: 'adapters', request: { path: '/query-token?access_token={alice}&access_token={bob}' }, expect: multipleTokens },

  // Methods, bodies and CORS preflight (in-process apps).
  {
    name: 'POST with a JSON body and a valid token attaches its result',
    on: 'adapters',
    request: { method: 'POST', path: '/me', headers: [...bearer('carol'), ['content-type', 'application/json']], body: '{"note":"hello"}' },
    expect: { status: 200, challenge: null, handled: 'me', result: 'carol' },
  },
  { name: 'POST without credentials: 401', on: 'adapters', request: { method: 'POST', path: '/me', headers: [['content-type', 'application/json']], body: '{}' }, expect: missing },
  {
    name: 'a CORS preflight without credentials is refused like any request (CORS middleware answers preflights, in front)',
    on: 'adapters',
    request: { method: 'OPTIONS', path: '/me', headers: [['origin', 'https://app.example'], ['access-control-request-method', 'GET'], ['access-control-request-headers', 'authorization']] },
    expect: missing,
  },
  {
    name: 'a CORS preflight with a forged token never reaches a handler that answers OPTIONS',
    on: 'adapters',
    request: { method: 'OPTIONS', path: '/me', headers: [['origin', 'https://app.example'], ['access-control-request-method', 'DELETE'], ...bearer('forged')] },
    expect: refused('The token signature is invalid'),
  },
  { name: 'an OPTIONS request that is no preflight needs credentials', on: 'adapters', request: { method: 'OPTIONS', path: '/me', headers: [['origin', 'https://app.example']] }, expect: missing },
];
