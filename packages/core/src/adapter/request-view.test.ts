import { describe, expect, it } from 'vitest';
import { extractToken } from './extract.js';
import { headersRequestView, nodeRequestView } from './request-view.js';

describe('nodeRequestView', () => {
  const message = (headers: Record<string, string>, rawHeaders?: string[]) => ({ method: 'get', headers, ...(rawHeaders === undefined ? {} : { rawHeaders }) });

  it('reads headers from `headers`, so a value an earlier middleware set or replaced is the one read', () => {
    expect(extractToken(nodeRequestView(message({ authorization: 'Bearer a.b.c' }, ['Authorization', 'Bearer a.b.c'])))).toBe('a.b.c');
    // The client sent no Authorization; a middleware moved a token from a custom header into it.
    expect(extractToken(nodeRequestView(message({ authorization: 'Bearer moved.by.middleware' }, ['X-Token', 'moved.by.middleware'])))).toBe('moved.by.middleware');
    // The client sent one; a middleware replaced it.
    expect(extractToken(nodeRequestView(message({ authorization: 'Bearer replaced.x.y' }, ['authorization', 'Bearer original.x.y'])))).toBe('replaced.x.y');
    expect(nodeRequestView(message({ host: 'api' })).method).toBe('GET');
  });

  it('refuses a repeated Authorization line, in any letter case, from rawHeaders', () => {
    for (const names of [['Authorization', 'authorization'], ['AUTHORIZATION', 'Authorization']]) {
      const view = nodeRequestView(message({ authorization: 'Bearer a.b.c' }, [names[0] as string, 'Bearer a.b.c', 'Host', 'api', names[1] as string, 'Bearer d.e.f']));
      expect(() => extractToken(view)).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS', status: 400 }));
    }
  });

  it('works without rawHeaders: serverless adapters and request doubles with only headers', () => {
    // serverless-http fills `headers` and leaves `rawHeaders` empty; node-mocks-http and plain
    // objects have no rawHeaders at all.
    expect(extractToken(nodeRequestView(message({ authorization: 'Bearer a.b.c' }, [])))).toBe('a.b.c');
    expect(extractToken(nodeRequestView(message({ authorization: 'Bearer a.b.c' })))).toBe('a.b.c');
    expect(extractToken(nodeRequestView({ headers: {} }))).toBeNull();
  });

  it('reads the headers of objects Node did not parse in any letter case, and refuses Authorization twice in two cases', () => {
    // A Lambda event's headers used as the request, as express-jwt allows.
    expect(extractToken(nodeRequestView(message({ Authorization: 'Bearer a.b.c' })))).toBe('a.b.c');
    expect(extractToken(nodeRequestView(message({ AUTHORIZATION: 'Bearer a.b.c' }, [])))).toBe('a.b.c');
    expect(extractToken(nodeRequestView(message({ 'X-Access-Token': 'a.b.c' })), { header: 'x-access-token' })).toBe('a.b.c');
    expect(() => extractToken(nodeRequestView(message({ authorization: 'Bearer a.b.c', Authorization: 'Bearer d.e.f' })))).toThrow(
      expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS', status: 400 }),
    );
    // Node lower-cases every name it parsed: with raw lines, only lower-case names are headers.
    expect(extractToken(nodeRequestView(message({ Authorization: 'Bearer a.b.c' }, ['Host', 'api'])))).toBeNull();
  });

  it('finds only headers the request carried, never what a plain object inherits', () => {
    for (const raw of [undefined, ['Host', 'api']]) {
      const view = nodeRequestView(message({ host: 'api' }, raw));
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(view.header(name)).toBeUndefined();
    }
  });

  it('answers a request without headers with a configuration error naming the caller, not a TypeError', () => {
    for (const request of [undefined, null, {}, { headers: null }, { headers: 'x' }]) {
      expect(() => nodeRequestView(request as never, 'jwtAuth')).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', status: 500, message: expect.stringContaining('jwtAuth') }));
    }
  });
});

describe('headersRequestView', () => {
  it('reads Fetch headers, where a repeated Authorization arrives comma-joined and is refused', () => {
    expect(extractToken(headersRequestView(new Headers({ authorization: 'Bearer a.b.c' }), 'post'))).toBe('a.b.c');
    const joined = new Headers();
    joined.append('authorization', 'Bearer a.b.c');
    joined.append('authorization', 'Bearer d.e.f');
    expect(() => extractToken(headersRequestView(joined))).toThrow(expect.objectContaining({ code: 'ERR_MULTIPLE_TOKENS' }));
    expect(headersRequestView(new Headers(), 'post').method).toBe('POST');
    expect(() => headersRequestView({} as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
  });
});
