import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { extractToken, hasBearerScheme, type ExtractOptions, type RequestView } from './extract.js';

const view = (headers: Record<string, string | readonly string[] | undefined>, cookie?: RequestView['cookie']): RequestView => ({
  header: (name) => headers[name],
  ...(cookie === undefined ? {} : { cookie }),
});

/** The token, null, or the refusal's code. */
function answer(request: RequestView, options?: ExtractOptions): string | null {
  try {
    return extractToken(request, options);
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return error.code;
  }
}

const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f'];

describe('extractToken: comma-joined Authorization values', () => {
  it('refuses a second credential after a comma, whatever ASCII whitespace surrounds it', () => {
    for (const ws of WHITESPACE) {
      expect(answer(view({ authorization: `Basic x,${ws}Bearer b` })), JSON.stringify(ws)).toBe('ERR_MULTIPLE_TOKENS');
      expect(answer(view({ authorization: `Basic x${ws},Bearer b` })), JSON.stringify(ws)).toBe('ERR_MULTIPLE_TOKENS');
      expect(answer(view({ authorization: `Bearer a,${ws}${ws}Basic b` })), JSON.stringify(ws)).toBe('ERR_MULTIPLE_TOKENS');
    }
  });

  it('refuses a Bearer scheme named after a comma with any whitespace, never ignores it', () => {
    for (const ws of WHITESPACE.slice(1)) {
      expect(answer(view({ authorization: `Basic x, Bearer${ws}b` })), JSON.stringify(ws)).toBe('ERR_INVALID_REQUEST');
      expect(answer(view({ authorization: `Basic x, bEaReR${ws}b` })), JSON.stringify(ws)).toBe('ERR_INVALID_REQUEST');
    }
    // "Bearer" alone or as the start of another word is not the scheme.
    expect(answer(view({ authorization: 'Basic x, Bearer' }))).toBeNull();
    expect(answer(view({ authorization: 'Basic x, Bearerx b' }))).toBeNull();
    expect(answer(view({ authorization: 'Basic x, Beare b' }))).toBeNull();
    // Nor is "Bearer" with only whitespace after it, at the end of the value or before a comma.
    for (const ws of WHITESPACE) {
      expect(answer(view({ authorization: `Basic x, Bearer${ws}` })), JSON.stringify(ws)).toBeNull();
      expect(answer(view({ authorization: `Basic x, Bearer${ws}${ws}, Digest y` })), JSON.stringify(ws)).toBeNull();
    }
  });

  it('treats other schemes, alone or joined, as no bearer token', () => {
    expect(answer(view({ authorization: 'Basic x, Digest y' }))).toBeNull();
    expect(answer(view({ authorization: 'Basic' }))).toBeNull();
    expect(answer(view({ authorization: 'DPoP a.b.c' }))).toBeNull();
    expect(answer(view({ authorization: '(Basic) x' }))).toBe('ERR_INVALID_REQUEST');
    expect(answer(view({ authorization: [] }))).toBeNull();
  });
});

describe('hasBearerScheme', () => {
  it('needs "bearer", one space and at least one more character', () => {
    expect(hasBearerScheme('Bearer x')).toBe(true);
    expect(hasBearerScheme('BEARER x')).toBe(true);
    expect(hasBearerScheme('Bearer ')).toBe(false);
    expect(hasBearerScheme('Bearer\tx')).toBe(false);
    expect(hasBearerScheme('Bearerxx')).toBe(false);
    expect(hasBearerScheme('Beare x')).toBe(false);
    expect(hasBearerScheme('Basic xx')).toBe(false);
  });
});

describe('extractToken: a named header', () => {
  const options = { header: 'x-token' } as const;

  it('takes the token alone or after "Bearer ", and refuses anything else there', () => {
    expect(answer(view({ 'x-token': 'a.b.c' }), options)).toBe('a.b.c');
    expect(answer(view({ 'x-token': 'bearer a.b.c' }), options)).toBe('a.b.c');
    expect(answer(view({ 'x-token': ['a.b.c'] }), options)).toBe('a.b.c');
    expect(answer(view({ 'x-token': '' }), options)).toBeNull();
    expect(answer(view({ 'x-token': [] }), options)).toBeNull();
    expect(answer(view({}), options)).toBeNull();
    for (const bad of ['a b', 'Bearer  a', 'Basic a', 'a,b', '"a"', 'Bearer ']) expect(answer(view({ 'x-token': bad }), options), bad).toBe('ERR_INVALID_REQUEST');
    expect(answer(view({ 'x-token': ['a', 'b'] }), options)).toBe('ERR_MULTIPLE_TOKENS');
  });

  it('counts as a second transport beside Authorization', () => {
    expect(answer(view({ authorization: 'Bearer a', 'x-token': 'b' }), options)).toBe('ERR_MULTIPLE_TOKENS');
    expect(answer(view({ authorization: 'Basic a', 'x-token': 'b' }), options)).toBe('b');
  });
});

describe('extractToken: a cookie', () => {
  const options = { cookie: 'at' } as const;

  it('reads the named cookie from the Cookie header, quoted or not, names and values trimmed', () => {
    expect(answer(view({ cookie: 'at=abc' }), options)).toBe('abc');
    expect(answer(view({ cookie: 'at="abc"' }), options)).toBe('abc');
    expect(answer(view({ cookie: ' at = abc ; x=1' }), options)).toBe('abc');
    expect(answer(view({ cookie: 'x=1;at=abc' }), options)).toBe('abc');
    expect(answer(view({ cookie: 'at; x=1; at=abc' }), options)).toBe('abc');
    expect(answer(view({ cookie: 'at=a=b' }), options)).toBe('a=b');
    expect(answer(view({ cookie: 'a=b; at=abc' }), { cookie: 'a' })).toBe('b');
    expect(answer(view({ cookie: ['x=1', 'at=abc'] }), options)).toBe('abc');
  });

  it('keeps a lone quote, and takes an empty value or an empty quoted value as none', () => {
    expect(answer(view({ cookie: 'at="' }), options)).toBe('"');
    expect(answer(view({ cookie: 'at="abc' }), options)).toBe('"abc');
    expect(answer(view({ cookie: 'at=' }), options)).toBeNull();
    expect(answer(view({ cookie: 'at=""' }), options)).toBeNull();
    // Only a value quoted at both ends loses its quotes.
    expect(answer(view({ cookie: 'at=abc"' }), options)).toBe('abc"');
  });

  it('does not match another cookie whose name contains or extends the name', () => {
    expect(answer(view({ cookie: 'xat=1; at2=2; a=3' }), options)).toBeNull();
    // A pair without "=" names no cookie, even one that starts with the name.
    expect(answer(view({ cookie: 'atx' }), options)).toBeNull();
    expect(answer(view({ cookie: 'x=1; at_' }), options)).toBeNull();
    expect(answer(view({ cookie: null as unknown as string }), options)).toBeNull();
  });

  it('refuses the cookie sent twice, in one header or two', () => {
    expect(answer(view({ cookie: 'at=a; at=b' }), options)).toBe('ERR_MULTIPLE_TOKENS');
    expect(answer(view({ cookie: ['at=a', 'at=b'] }), options)).toBe('ERR_MULTIPLE_TOKENS');
  });

  it("prefers the framework's cookie getter over the header", () => {
    const getter = (name: string) => (name === 'at' ? 'from-getter' : undefined);
    expect(answer(view({ cookie: 'at=from-header' }, getter), options)).toBe('from-getter');
    expect(answer(view({ cookie: 'at=from-header' }, () => ''), options)).toBeNull();
    expect(answer(view({ cookie: 'at=from-header' }, () => null), options)).toBeNull();
  });

  it('counts a cookie getter that finds nothing as no second transport', () => {
    for (const missing of [undefined, null, '']) {
      expect(answer(view({ authorization: 'Bearer a.b.c' }, () => missing), options), String(missing)).toBe('a.b.c');
    }
  });

  it('is not read without a cookie name', () => {
    expect(answer(view({ cookie: 'at=abc' }), { cookie: false })).toBeNull();
    expect(answer(view({ cookie: 'at=abc' }), { cookie: '' })).toBeNull();
    // Nor through the framework's getter, whatever it answers for any name.
    const anyName = () => 'from-getter';
    for (const cookie of [false, '', undefined] as const) {
      expect(answer(view({}, anyName), cookie === undefined ? {} : { cookie })).toBeNull();
      expect(answer(view({ authorization: 'Bearer a.b.c' }, anyName), cookie === undefined ? {} : { cookie })).toBe('a.b.c');
    }
  });
});

describe('extractToken: a supplied token', () => {
  it('counts as one more transport; an empty one is none', () => {
    expect(answer(view({}), { supplied: 'abc' })).toBe('abc');
    expect(answer(view({}), { supplied: '' })).toBeNull();
    expect(answer(view({}), { supplied: null })).toBeNull();
    expect(answer(view({ authorization: 'Bearer a' }), { supplied: '' })).toBe('a');
    expect(answer(view({ authorization: 'Bearer a' }), { supplied: 'a' })).toBe('ERR_MULTIPLE_TOKENS');
  });
});

describe('extractToken: challenges', () => {
  it('names the default realm without one configured, and the configured one otherwise', () => {
    const challenge = (options?: ExtractOptions) => {
      try {
        extractToken(view({ authorization: ['Bearer a', 'Bearer b'] }), options);
      } catch (error) {
        return (error as { challenge: string }).challenge;
      }
      throw new Error('accepted');
    };
    expect(challenge()).toMatch(/^Bearer realm="api", error="invalid_request"/);
    expect(challenge({ realm: 'orders' })).toMatch(/^Bearer realm="orders", error="invalid_request"/);
  });
});
