import { describe, expect, it } from 'vitest';
import { createMiddleware } from './middleware.js';

const issuer = 'https://auth.example.com';
const secret = 's'.repeat(32);

function messageOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration mistakes, answered when jwtAuth() is created', () => {
  it('name jwtAuth, say what is wrong, and what to write instead', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /^jwtAuth needs options: jwtAuth\(\{ issuer, audience/],
      [{ issuer, audience: 'api', secret: undefined }, /^jwtAuth: secret is undefined; is the environment variable/],
      [{ issuer: ['https://a/', 'https://b/'], audience: 'api', secret }, /^jwtAuth: .*issuers: \[/],
      [{ issuer, audiance: 'api', secret }, /^jwtAuth: unknown option "audiance"; did you mean "audience"\?/],
      [{ issuer, audience: 'api', jwksUrl: 'https://auth.example.com/jwks' }, /^jwtAuth: unknown option "jwksUrl"; did you mean "jwksUri"\?/],
      [{ issuer, audience: 'api', secret, credentialsRequired: false }, /^jwtAuth: unknown option "credentialsRequired"; use `optional: true`/],
      [{ issuer, secret }, /^jwtAuth: audience is required/],
      [{ issuer, audience: 'api', secret, jwksUri: 'https://auth.example.com/jwks' }, /^jwtAuth: give exactly one key source.*\(got secret and jwksUri\)/],
      [{ issuer, audience: 'api', secret, errors: 'auto' }, /^jwtAuth: errors must be "respond" or "next"/],
      [{ issuer, audience: 'api', secret, getToken: 'header' }, /^jwtAuth: getToken must be a function/],
      [{ issuer, audience: 'api', secret, cookie: { name: 'a b' } }, /^jwtAuth: cookie.name/],
      [{ issuer, audience: 'api', secret, tokenHeader: 'authorization' }, /^jwtAuth: tokenHeader/],
      [{ issuer, audience: 'api', secret, authorizationHeader: false }, /^jwtAuth: authorizationHeader: false leaves no place to read a token from/],
      [{ issuer, audience: 'api', secret, authorizationHeader: 'no' }, /^jwtAuth: authorizationHeader must be a boolean/],
      [{ issuer, audience: 'api', secret, headerName: 'x-token' }, /^jwtAuth: unknown option "headerName"; use `tokenHeader`.*`authorizationHeader: false`/],
      [{ issuer, audience: 'api', secret, allow_anon: true }, /^jwtAuth: unknown option "allow_anon"; use `optional: true`/],
      [{ issuer, audience: 'api', secret, alg: 'HS256' }, /^jwtAuth: unknown option "alg"; use `algorithms/],
    ];
    for (const [options, expected] of cases) expect(messageOf(() => createMiddleware(options as never)), JSON.stringify(options)).toMatch(expected);
  });

  it('refuse verifier options beside a ready verifier', () => {
    const verifier = { verify: async () => ({}), ready: async () => undefined, realm: 'api', issuers: [], exportCache: () => ({}) };
    expect(messageOf(() => createMiddleware({ verifier, issuer } as never))).toMatch(/^jwtAuth: with a ready verifier/);
  });
});

describe('token sources', () => {
  const view = (headers: Record<string, string>) => ({ header: (name: string) => headers[name] });
  const middleware = (extra: object) => createMiddleware<{ sub: string }, { query: Record<string, string> }>({ issuer, audience: 'api', secret, ...extra });

  it('take a token from getToken (sync or async) or a named header, one transport at a time', async () => {
    for (const getToken of [(request: { query: Record<string, string> }) => request.query['token'], async (request: { query: Record<string, string> }) => request.query['token']]) {
      const fromQuery = middleware({ getToken });
      await expect(fromQuery.authenticate(view({}), { query: { token: 'a.b.c' } })).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED', status: 401 });
      await expect(fromQuery.authenticate(view({}), { query: {} })).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
      await expect(fromQuery.authenticate(view({ authorization: 'Bearer a.b.c' }), { query: { token: 'a.b.c' } })).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS', status: 400 });
    }
    const fromHeader = middleware({ tokenHeader: 'X-Access-Token' });
    await expect(fromHeader.authenticate(view({ 'x-access-token': 'a.b.c' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
    await expect(fromHeader.authenticate(view({ 'x-access-token': 'Bearer a.b.c' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
    await expect(fromHeader.authenticate(view({ 'x-access-token': 'not a token' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST', status: 400 });
    await expect(fromHeader.authenticate(view({ 'x-access-token': 'a.b.c', authorization: 'Bearer a.b.c' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS' });
  });

  it('read only the configured sources with authorizationHeader: false', async () => {
    const headerOnly = middleware({ tokenHeader: 'x-access-token', authorizationHeader: false });
    await expect(headerOnly.authenticate(view({ authorization: 'Bearer a.b.c' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING', status: 401 });
    await expect(headerOnly.authenticate(view({ authorization: 'Bearer x.y.z', 'x-access-token': 'a.b.c' }), { query: {} })).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
    const fromQuery = middleware({ getToken: (request: { query: Record<string, string> }) => request.query['token'], authorizationHeader: false });
    await expect(fromQuery.authenticate(view({ authorization: 'Basic YTpi' }), { query: { token: 'a.b.c' } })).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('answer an AuthError getToken throws or rejects with as the refusal, in the middleware realm', async () => {
    const { AuthError } = await import('../errors/auth-error.js');
    for (const getToken of [() => { throw new AuthError('ERR_MULTIPLE_TOKENS'); }, async () => { throw new AuthError('ERR_MULTIPLE_TOKENS'); }]) {
      const refusing = createMiddleware({ issuer, audience: 'api', secret, realm: 'orders', optional: true, getToken });
      await expect(refusing.authenticate(view({}), {})).rejects.toMatchObject({ code: 'ERR_MULTIPLE_TOKENS', status: 400, realm: 'orders' });
    }
  });

  it('answer a getToken that throws or returns something else with 500, never a pass', async () => {
    const throwing = middleware({ getToken: () => { throw new Error('oops'); }, optional: true });
    await expect(throwing.authenticate(view({}), { query: {} })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    const wrongType = middleware({ getToken: () => 42, optional: true });
    await expect(wrongType.authenticate(view({}), { query: {} })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });
});

// HS256 is verified without a promise only through node:crypto, on Node; Bun and Deno verify
// through WebCrypto, where every first verification is awaited.
const nodeCrypto = (globalThis as { process?: { release?: { name?: string } } }).process?.release?.name === 'node' && !('Bun' in globalThis) && !('Deno' in globalThis);

describe('handle, the one synchronous path, answers as authenticate does', async () => {
  const { createTestKey, signToken } = await import('@jwt-gate/testing');
  const { tracingChannel } = await import('node:diagnostics_channel');
  const { claimCheck, requireScopes } = await import('../policies/rules.js');
  const { AuthError } = await import('../errors/auth-error.js');
  const audience = 'api';
  const key = await createTestKey('HS256');
  const es = await createTestKey('ES256');
  const hsSecret = key.secret as string;
  const sign = (claims: object, options = {}) => signToken(key, { iss: issuer, aud: audience, sub: 'alice', scope: 'read', ...claims }, options);
  const good = await sign({});
  const reader = await sign({ scope: 'read', sub: 'bob' });
  const writer = await sign({ scope: 'write', sub: 'carol' });
  const revoked = await sign({ sub: 'mallory' });
  const expired = await sign({}, { expiresIn: -60 });
  const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(43)}`;
  const esToken = await signToken(es, { iss: issuer, aud: audience, sub: 'erin' });

  type Request = { headers: Record<string, string>; query: Record<string, string> };
  const viewOf = (request: Request) => ({ method: 'GET', header: (name: string) => request.headers[name] });
  const bearer = (token: string): Request => ({ headers: { authorization: `Bearer ${token}` }, query: {} });
  const requests: Request[] = [
    bearer(good), bearer(good), bearer(reader), bearer(writer), bearer(revoked), bearer(expired), bearer(forged), bearer('garbage'), bearer(esToken),
    { headers: {}, query: {} },
    { headers: { authorization: 'Basic YTpi' }, query: {} },
    { headers: { authorization: 'Bearer  x' }, query: {} },
    { headers: { 'x-access-token': good }, query: {} },
    { headers: { authorization: `Bearer ${good}` }, query: { token: good } },
    { headers: {}, query: { token: reader } },
    { headers: {}, query: { token: 'throw' } },
  ];

  const syncRevocation = (token: { claims: { sub?: string } }) => token.claims.sub === 'mallory';
  const asyncRevocation = async (token: { claims: { sub?: string } }) => token.claims.sub === 'mallory';
  const getToken = (request: Request) => {
    if (request.query['token'] === 'throw') throw new Error('broken');
    return request.query['token'];
  };
  const configurations: [string, object][] = [
    ['HS256, defaults', { secret: hsSecret }],
    ['optional, token header, sync getToken and revocation', { secret: hsSecret, optional: true, tokenHeader: 'x-access-token', getToken, isRevoked: syncRevocation }],
    ['async getToken, revocation and policy', { secret: hsSecret, getToken: async (request: Request) => getToken(request), isRevoked: asyncRevocation, policy: claimCheck(async (claims: { sub?: string }) => claims.sub !== 'carol') }],
    ['a synchronous policy, no token cache', { secret: hsSecret, policy: requireScopes('read'), tokenCache: false }],
    ['ES256 public key', { publicKey: es.publicJwk, algorithms: ['ES256'] }],
  ];

  type Outcome = { session?: unknown; refusal?: unknown };
  const summary = (session: { result: { claims: object } | null; realm: string; errors: string }) => ({ claims: session.result?.claims ?? null, realm: session.realm, errors: session.errors });
  const refusal = (error: unknown) => (error instanceof AuthError ? { code: error.code, status: error.status, headers: error.headers } : { thrown: String(error) });

  for (const [name, options] of configurations) {
    it(`gives the same sessions, refusals and reports: ${name}`, async () => {
      const build = () => {
        const reported: unknown[] = [];
        const middleware = createMiddleware<JWTPayloadLike, Request>({ issuer, audience, ...options, onError: (error: unknown) => reported.push(refusal(error)) } as never);
        return { middleware, reported };
      };
      const plain = build();
      const fast = build();
      for (const request of requests) {
        const expected: Outcome = await plain.middleware.authenticate(viewOf(request), request).then(
          (session) => ({ session: summary(session) }),
          (error: unknown) => {
            plain.middleware.report(error, request);
            return { refusal: refusal(error) };
          },
        );
        const answer = fast.middleware.handle(() => viewOf(request), request, (session): Outcome => ({ session: summary(session) }), (error): Outcome => ({ refusal: refusal(error) }));
        expect(await answer, JSON.stringify(request)).toEqual(expected);
      }
      expect(fast.reported).toEqual(plain.reported);
      expect(fast.reported.length).toBeGreaterThan(2);
    });
  }

  it.runIf(nodeCrypto)('answers a cached HS256 token without a promise, and an uncached or async one through one', async () => {
    const middleware = createMiddleware<JWTPayloadLike, Request>({ issuer, audience, secret: hsSecret });
    const accept = (session: { result: unknown }) => session.result;
    const refuse = (error: unknown) => error;
    expect(middleware.handle(() => viewOf(bearer(good)), bearer(good), accept, refuse)).toMatchObject({ claims: { sub: 'alice' } });
    expect(middleware.handle(() => viewOf(bearer(expired)), bearer(expired), accept, refuse)).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    const slowView = middleware.handle(async () => viewOf(bearer(good)), bearer(good), accept, refuse);
    expect(slowView).toBeInstanceOf(Promise);
    await expect(slowView).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it.runIf(nodeCrypto)('reports a request view that cannot be read as a refusal, and never a throwing accept', async () => {
    const reported: unknown[] = [];
    const middleware = createMiddleware<JWTPayloadLike, Request>({ issuer, audience, secret: hsSecret, onError: (error) => reported.push(error.code) });
    const unreadable = () => {
      throw new AuthError('ERR_CONFIG_INVALID', { message: 'no view' });
    };
    expect(middleware.handle<unknown>(unreadable, bearer(good), () => 'accepted', (error) => refusal(error))).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    const boom = () => {
      throw new Error('downstream');
    };
    expect(() => middleware.handle(() => viewOf(bearer(good)), bearer(good), boom, () => 'refused')).toThrow('downstream');
    await expect(middleware.handle(async () => viewOf(bearer(good)), bearer(good), boom, () => 'refused')).rejects.toThrow('downstream');
    expect(reported).toEqual(['ERR_CONFIG_INVALID']);
  });

  it('lets no verification escape jwt-gate:verify while it is traced', async () => {
    const channel = tracingChannel('jwt-gate:verify');
    const started: unknown[] = [];
    const handlers = { start: (context: unknown) => started.push(context), end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
    const middleware = createMiddleware<JWTPayloadLike, Request>({ issuer, audience, secret: hsSecret });
    await middleware.authenticate(viewOf(bearer(good)), bearer(good));
    channel.subscribe(handlers);
    try {
      const answer = middleware.handle(() => viewOf(bearer(good)), bearer(good), (session) => session.result, (error) => error);
      expect(answer).toBeInstanceOf(Promise);
      await expect(answer).resolves.toMatchObject({ claims: { sub: 'alice' } });
      expect(started).toHaveLength(1);
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});

type JWTPayloadLike = { sub?: string; scope?: string };

describe('withOptional, for routes that choose optional authentication', async () => {
  const { createTestKey, signToken } = await import('@jwt-gate/testing');
  const key = await createTestKey('HS256');
  const token = await signToken(key, { iss: issuer, aud: 'api', sub: 'alice' });
  const view = (headers: Record<string, string>) => ({ method: 'GET', header: (name: string) => headers[name] });

  it('keeps the verifier, realm, error mode and hooks, and changes only whether anonymous requests pass', async () => {
    const reported: string[] = [];
    const required = createMiddleware({ issuer, audience: 'api', secret: key.secret as string, realm: 'orders', errors: 'next', tokenHeader: 'x-access-token', onError: (error) => reported.push(error.code) });
    const optional = required.withOptional(true);
    expect(required.withOptional(false)).toBe(required);
    expect(optional.withOptional(true)).toBe(optional);
    expect(optional.authenticator.verifier).toBe(required.authenticator.verifier);
    expect([optional.authenticator.optional, optional.authenticator.realm, optional.errors]).toEqual([true, 'orders', 'next']);
    expect(optional.withOptional(false).authenticator.optional).toBe(false);

    await expect(optional.authenticate(view({}), {})).resolves.toMatchObject({ result: null, realm: 'orders', errors: 'next' });
    await expect(required.authenticate(view({}), {})).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING', realm: 'orders' });
    await expect(optional.authenticate(view({ 'x-access-token': token }), {})).resolves.toMatchObject({ result: { claims: { sub: 'alice' } } });
    await expect(optional.authenticate(view({ authorization: 'Bearer a.b.c' }), {})).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
    optional.report(await optional.authenticate(view({ authorization: 'Bearer a.b.c' }), {}).catch((error: unknown) => error), {});
    expect(reported).toEqual(['ERR_TOKEN_MALFORMED']);
  });

  it('works around a ready verifier too', async () => {
    const { createVerifier } = await import('../verification/verifier.js');
    const verifier = createVerifier({ issuer, audience: 'api', secret: key.secret as string });
    const optional = createMiddleware(verifier).withOptional(true);
    expect(optional.authenticator.verifier).toBe(verifier);
    await expect(optional.authenticate(view({}), {})).resolves.toMatchObject({ result: null });
  });
});
