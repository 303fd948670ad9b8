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

  it('answer a getToken that throws or returns something else with 500, never a pass', async () => {
    const throwing = middleware({ getToken: () => { throw new Error('oops'); }, optional: true });
    await expect(throwing.authenticate(view({}), { query: {} })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    const wrongType = middleware({ getToken: () => 42, optional: true });
    await expect(wrongType.authenticate(view({}), { query: {} })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' });
  });
});
