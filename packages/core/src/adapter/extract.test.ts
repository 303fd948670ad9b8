import { describe, expect, it } from 'vitest';
import { extractToken, type RequestView } from './extract.js';

const view = (headers: Record<string, string | string[]>, method = 'GET'): RequestView => ({
  method,
  header: (name) => headers[name],
});

describe('extractToken', () => {
  it('reads a Bearer token with a case-insensitive scheme and exactly one space', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(extractToken(view({ authorization: `${scheme} abc.def.ghi` }))).toBe('abc.def.ghi');
    }
    expect(extractToken(view({ authorization: 'Bearer a-b_c~d+e/f==' }))).toBe('a-b_c~d+e/f==');
  });

  it('returns null when no bearer credentials were sent, including another scheme', () => {
    expect(extractToken(view({}))).toBeNull();
    expect(extractToken(view({ authorization: '' }))).toBeNull();
    expect(extractToken(view({ authorization: 'Basic YWxpY2U6cGFzcw==' }))).toBeNull();
    expect(extractToken(view({ authorization: 'Digest username="a", realm="b"' }))).toBeNull();
    // A scheme one letter away from Bearer, at each position, is another scheme.
    for (let i = 0; i < 6; i++) {
      const scheme = `${'Bearer'.slice(0, i)}x${'Bearer'.slice(i + 1)}`;
      expect(extractToken(view({ authorization: `${scheme} abc.def.ghi` })), scheme).toBeNull();
    }
  });

  it('refuses a Bearer header that breaks RFC 6750 syntax with 400 invalid_request', () => {
    for (const value of ['Bearer', 'Bearer ', 'Bearer  abc', 'Bearer abc def', 'Bearer abc,def', 'Bearer "abc"', 'Bearer\tabc', ' Bearer abc', 'Bearer abc ', 'Bearer ab=c', 'Bearer é']) {
      let error: unknown;
      try {
        extractToken(view({ authorization: value }));
      } catch (e) {
        error = e;
      }
      expect(error, value).toMatchObject({ code: 'ERR_INVALID_REQUEST', status: 400, error: 'invalid_request' });
    }
  });

  it('refuses two Authorization headers, raw or comma-joined, with 400', () => {
    expect(() => extractToken(view({ authorization: ['Bearer a', 'Bearer b'] }))).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS', status: 400 }));
    expect(() => extractToken(view({ authorization: ['Bearer a', 'Basic b'] }))).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS' }));
    expect(() => extractToken(view({ authorization: 'Bearer a, Bearer b' }))).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS', status: 400 }));
    expect(() => extractToken(view({ authorization: 'Basic x, Bearer b' }))).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS', status: 400 }));
    expect(() => extractToken(view({ authorization: 'Bearer a,b' }))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_REQUEST', status: 400 }));
    expect(extractToken(view({ authorization: ['Bearer only'] }))).toBe('only');
  });

  it('ignores cookies unless a cookie name is configured', () => {
    expect(extractToken(view({ cookie: 'access_token=abc' }))).toBeNull();
    expect(extractToken(view({ cookie: 'theme=dark; access_token=abc' }), { cookie: 'access_token' })).toBe('abc');
    expect(extractToken({ header: () => undefined, cookie: (name) => (name === 'at' ? 'xyz' : undefined) }, { cookie: 'at' })).toBe('xyz');
  });

  it('with authorization: false, leaves the Authorization header alone and reads only the other sources', () => {
    const only = { authorization: false, header: 'x-access-token' } as const;
    expect(extractToken(view({ 'x-access-token': 'abc' }), only)).toBe('abc');
    // A token, another scheme, a malformed value or two of them there: neither read nor refused.
    for (const authorization of ['Bearer def', 'Basic YTpi', 'Bearer a b', ['Bearer a', 'Bearer b']]) {
      expect(extractToken(view({ authorization, 'x-access-token': 'abc' }), only), String(authorization)).toBe('abc');
      expect(extractToken(view({ authorization }), only), String(authorization)).toBeNull();
    }
    expect(extractToken(view({ authorization: 'Bearer def', cookie: 'at=abc' }), { authorization: false, cookie: 'at' })).toBe('abc');
    expect(extractToken(view({ authorization: 'Bearer def' }), { authorization: false, supplied: 'abc' })).toBe('abc');
  });

  it('refuses a token in both the header and the cookie, or a cookie sent twice', () => {
    expect(() => extractToken(view({ authorization: 'Bearer abc', cookie: 'at=abc' }), { cookie: 'at' })).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS' }));
    expect(() => extractToken(view({ cookie: 'at=a; at=b' }), { cookie: 'at' })).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS' }));
  });

  it('answers headers built to backtrack in time linear in their length', () => {
    const mib = 1 << 20;
    const adversarial = [
      `Bearer a${' '.repeat(mib)}b`,
      `Bearer a${' '.repeat(mib)},b`,
      `Bearer a${'\t,'.repeat(mib / 2)}b`,
      `Bearer a${', '.repeat(mib / 2)}Bearer b`,
      `bearer${' '.repeat(mib)}`,
      `x${', bearer '.repeat(mib / 9)}`,
      `Bearer ${'a'.repeat(mib)}!`,
      `${'x, '.repeat(mib / 3)}`,
    ];
    // No clock: a linear pass over a MiB takes milliseconds, while the quadratic split took
    // hours here, so a regression runs far past the test's timeout.
    for (const value of [...adversarial, `${'!'.repeat(mib)} x`]) {
      if (adversarial.includes(value)) expect(() => extractToken(view({ authorization: value }))).toThrow(expect.objectContaining({ status: 400 }));
      else expect(extractToken(view({ authorization: value }))).toBeNull();
    }
  });

  it('puts the configured realm in the challenge', () => {
    try {
      extractToken(view({ authorization: 'Bearer  x' }), { realm: 'orders' });
      expect.unreachable();
    } catch (error) {
      expect((error as { challenge: string }).challenge).toBe('Bearer realm="orders", error="invalid_request", error_description="Malformed Authorization header"');
    }
  });
});
