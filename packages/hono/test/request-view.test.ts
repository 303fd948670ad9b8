import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestView } from '../src/request-view.js';

// Its own file: what requestView learned from a real @hono/node-server stays for the process.
describe('requestView: the shape it will not take for node-server', () => {
  const message = { rawHeaders: ['Authorization', 'Bearer from.the.socket'] };
  const context = (raw: Request, env: unknown) => ({ req: { raw, method: raw.method }, env }) as unknown as Context;

  it('reads through Headers when the Headers object lives anywhere but an own property of the request', () => {
    // A server whose requests fetch their headers from a cached Request, as older node-server did.
    const cache = Symbol('cache');
    const proto = Object.create(Request.prototype, {
      headers: {
        get(this: Record<symbol, Request>) {
          return this[cache]!.headers;
        },
      },
      method: { value: 'GET' },
    }) as object;
    const incoming = Symbol('incoming');
    const build = (authorization: string) =>
      Object.assign(Object.create(proto) as Request, { [incoming]: message, [cache]: new Request('http://x/', { headers: { authorization } }) });
    for (let i = 0; i < 3; i++) {
      const raw = build('Bearer from.the.headers');
      expect(requestView(context(raw, { incoming: message })).header('authorization')).toBe('Bearer from.the.headers');
    }
  });

  /** Requests shaped as node-server 2 builds them: the message, and Headers made on first read. */
  const authorizationKey = Symbol('authorization');
  const nodeLike = (keys: { message: symbol; headers: symbol }) =>
    Object.create(Request.prototype, {
      method: { value: 'GET' },
      headers: {
        get(this: Record<symbol, unknown>) {
          return (this[keys.headers] ??= new Headers({ authorization: this[authorizationKey] as string }));
        },
      },
    }) as object;
  const shaped = (proto: object, keys: { message: symbol; headers: symbol }, held: unknown, authorization: string) =>
    Object.assign(Object.create(proto) as Request, { [keys.message]: held, [authorizationKey]: authorization });

  it('reads through Headers when no property holds exactly c.env.incoming', () => {
    const keys = { message: Symbol('incoming'), headers: Symbol('headers') };
    const proto = nodeLike(keys);
    for (const env of [undefined, {}, { incoming: message }, { incoming: { rawHeaders: 'not a list' } }]) {
      for (let i = 0; i < 2; i++) {
        const raw = shaped(proto, keys, { rawHeaders: [...message.rawHeaders] }, 'Bearer from.the.headers');
        expect(requestView(context(raw, env)).header('authorization')).toBe('Bearer from.the.headers');
      }
    }
  });

  it('once the shape is learned, reads the raw lines until the Headers object is taken', () => {
    const keys = { message: Symbol('incoming'), headers: Symbol('headers') };
    const proto = nodeLike(keys);
    const first = shaped(proto, keys, message, 'Bearer from.the.headers');
    expect(requestView(context(first, { incoming: message })).header('authorization')).toBe('Bearer from.the.headers');

    const untouched = shaped(proto, keys, message, 'Bearer from.the.headers');
    expect(requestView(context(untouched, { incoming: message })).header('authorization')).toBe('Bearer from.the.socket');
    const repeated = { rawHeaders: ['authorization', 'Bearer a.b.c', 'Host', 'api', 'Authorization', 'Bearer d.e.f'] };
    expect(requestView(context(shaped(proto, keys, repeated, 'x'), { incoming: repeated })).header('authorization')).toEqual(['Bearer a.b.c', 'Bearer d.e.f']);

    const taken = shaped(proto, keys, message, 'Bearer from.the.headers');
    taken.headers.delete('authorization');
    expect(requestView(context(taken, { incoming: message })).header('authorization')).toBeNull();
    const overridden = Object.defineProperty(shaped(proto, keys, message, 'x'), 'headers', { value: new Headers() });
    expect(requestView(context(overridden, { incoming: message })).header('authorization')).toBeNull();
  });
});
