import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { extractToken } from './extract.js';
import { headersRequestView, nodeRequestView, type NodeRequestLike } from './request-view.js';

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return error.code;
  }
}

describe('nodeRequestView on the shapes requests come in', () => {
  it('refuses something without a headers object as a configuration error (500)', () => {
    for (const request of [null, undefined, {}, { headers: null }, { headers: 'authorization: x' }]) {
      let status: number | undefined;
      try {
        nodeRequestView(request as unknown as NodeRequestLike);
      } catch (error) {
        expect(isAuthError(error) && error.code).toBe('ERR_CONFIG_INVALID');
        status = (error as { status: number }).status;
      }
      expect(status, JSON.stringify(request)).toBe(500);
    }
  });

  it('gives the method upper case, GET when there is none, and the target the client sent', () => {
    expect(nodeRequestView({ headers: {}, method: 'post' }).method).toBe('POST');
    expect(nodeRequestView({ headers: {} }).method).toBe('GET');
    expect(nodeRequestView({ headers: {}, originalUrl: '/api/orders?x=1', url: '/orders?x=1' }).url).toBe('/api/orders?x=1');
    expect(nodeRequestView({ headers: {}, url: '/orders' }).url).toBe('/orders');
    expect(nodeRequestView({ headers: {} }).url).toBeUndefined();
    // A target that is not a string is no target.
    expect(nodeRequestView({ headers: {}, url: 42 as unknown as string }).url).toBeUndefined();
    expect(nodeRequestView({ headers: {}, originalUrl: null as unknown as string, url: '/orders' }).url).toBe('/orders');
  });

  it('with raw lines, reads only lower-case own header names, as Node parsed them', () => {
    const headers = Object.assign(Object.create({ authorization: 'Bearer inherited' }) as Record<string, string>, { Authorization: 'Bearer upper' });
    const view = nodeRequestView({ headers, rawHeaders: ['Host', 'api'] });
    expect(view.header('authorization')).toBeUndefined();
    expect(extractToken(view)).toBeNull();
    expect(nodeRequestView({ headers: { 'x-token': 'a' }, rawHeaders: ['X-Token', 'a'] }).header('x-token')).toBe('a');
  });

  it('without raw lines, reads own names in any case and hands back every value of a name given in two cases', () => {
    const view = nodeRequestView({ headers: { 'X-Token': 'a', 'x-TOKEN': ['b', 'c'], 'X-Tok': 'no', 'x-tokens': 'no' } });
    expect(view.header('x-token')).toEqual(['a', 'b', 'c']);
    expect(nodeRequestView({ headers: { 'X-Token': undefined, 'x-token': 'a' } }).header('x-token')).toEqual(['a']);
    expect(nodeRequestView({ headers: { 'X-Token': ['a'] } }).header('x-token')).toEqual(['a']);
    expect(nodeRequestView({ headers: { 'X-Token': 'ab' } }).header('x-token')).toBe('ab');
    expect(nodeRequestView({ headers: { 'X-Token': 'ab', 'x-token': 'cd' } }).header('x-token')).toEqual(['ab', 'cd']);
    expect(nodeRequestView({ headers: {} }).header('x-token')).toBeUndefined();
    const inherited = nodeRequestView({ headers: Object.create({ authorization: 'Bearer inherited' }) as Record<string, string> });
    expect(extractToken(inherited)).toBeNull();
  });

  it('without raw lines, reads a name only from keys spelling it, not from others of its length', () => {
    // Cache-Control has as many characters as Authorization.
    const view = nodeRequestView({ headers: { Authorization: 'Bearer a.b.c', 'Cache-Control': 'no-cache', 'X-Other': 'b' } });
    expect(extractToken(view)).toBe('a.b.c');
    expect(extractToken(nodeRequestView({ headers: { 'X-Token': 'a', 'X-Other': 'b' } }), { header: 'x-token' })).toBe('a');
  });

  it('without raw lines, takes no key for a name that lower-casing only lengthens it into', () => {
    // 'İ' (U+0130) lower-cases to 'i' and a combining dot: 'X-İd' lower-cased is 'x-i\u0307d', one character longer.
    const view = nodeRequestView({ headers: { 'X-İd': 'a', 'X-ID': 'b' } });
    expect(view.header('x-i\u0307d')).toBeUndefined();
    expect(view.header('x-id')).toBe('b');
  });

  it('refuses Authorization sent twice in raw lines, counting only whole names and pairs', () => {
    const twice = { headers: { authorization: 'Bearer a' }, rawHeaders: ['authorization', 'Bearer a', 'AUTHORIZATION', 'Bearer b'] };
    expect(code(() => extractToken(nodeRequestView(twice)))).toBe('ERR_MULTIPLE_TOKENS');
    expect(nodeRequestView(twice).header('authorization')).toEqual(['Bearer a', 'Bearer b']);
    // Three lines: every value, for the refusal.
    const thrice = { headers: { authorization: 'Bearer a' }, rawHeaders: ['Authorization', 'Bearer a', 'authorization', 'Bearer b', 'authorization', 'Bearer c'] };
    expect(nodeRequestView(thrice).header('authorization')).toEqual(['Bearer a', 'Bearer b', 'Bearer c']);
    // A name that only looks like it, or a value standing where a name would be, is not a second line.
    const lookalikes = { headers: { authorization: 'Bearer a' }, rawHeaders: ['Authorization', 'Bearer a', 'Authorizations', 'x', 'Proxy-Authorization', 'Basic y', 'X', 'authorization'] };
    expect(extractToken(nodeRequestView(lookalikes))).toBe('a');
    // A trailing name without a value is no line.
    expect(extractToken(nodeRequestView({ headers: { authorization: 'Bearer a' }, rawHeaders: ['Authorization', 'Bearer a', 'authorization'] }))).toBe('a');
    // The repeat check is for Authorization only.
    expect(nodeRequestView({ headers: { 'x-token': 'a' }, rawHeaders: ['X-Token', 'a', 'X-Token', 'b'] }).header('x-token')).toBe('a');
    // Another line of Authorization's length is not a second Authorization.
    expect(extractToken(nodeRequestView({ headers: { authorization: 'Bearer a' }, rawHeaders: ['Authorization', 'Bearer a', 'Cache-Control', 'no-cache'] }))).toBe('a');
  });

  it('reads other headers as they are when Authorization is repeated in raw lines', () => {
    const request = { headers: { authorization: 'Bearer a', 'x-token': 'b', cookie: 'at=c' }, rawHeaders: ['Authorization', 'Bearer a', 'Authorization', 'Bearer z', 'X-Token', 'b', 'Cookie', 'at=c'] };
    expect(code(() => extractToken(nodeRequestView(request)))).toBe('ERR_MULTIPLE_TOKENS');
    expect(extractToken(nodeRequestView(request), { authorization: false, header: 'x-token' })).toBe('b');
    expect(extractToken(nodeRequestView(request), { authorization: false, cookie: 'at' })).toBe('c');
  });

  it('skips raw lines whose name is not a string instead of failing', () => {
    const request = { headers: { authorization: 'Bearer a' }, rawHeaders: [null, 'x', 7, 'y', 'Authorization', 'Bearer a'] as unknown as string[] };
    expect(extractToken(nodeRequestView(request))).toBe('a');
  });

  it('ignores raw lines that are not an array', () => {
    const request = { headers: { authorization: 'Bearer a' }, rawHeaders: 'Authorization' as unknown as string[] };
    expect(extractToken(nodeRequestView(request))).toBe('a');
  });
});

describe('headersRequestView', () => {
  it('reads Fetch Headers, with the method upper case and the URL as given', () => {
    const view = headersRequestView(new Headers({ Authorization: 'Bearer a.b.c' }), 'put', 'jwtAuth', 'https://api.example/x');
    expect(extractToken(view)).toBe('a.b.c');
    expect(view.method).toBe('PUT');
    expect(view.url).toBe('https://api.example/x');
    expect(headersRequestView(new Headers()).method).toBe('GET');
  });

  it('refuses something that is not Headers as a configuration error', () => {
    for (const headers of [null, undefined, {}, { get: 'x' }, 'authorization']) {
      expect(code(() => headersRequestView(headers as unknown as Headers)), String(headers)).toBe('ERR_CONFIG_INVALID');
    }
    expect(code(() => headersRequestView({ get: () => null } as unknown as Headers))).toBeUndefined();
  });

  it('refuses two Authorization values that Fetch joined', () => {
    const headers = new Headers();
    headers.append('authorization', 'Bearer a');
    headers.append('authorization', 'Bearer b');
    expect(code(() => extractToken(headersRequestView(headers)))).toBe('ERR_MULTIPLE_TOKENS');
  });
});
