import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, type KeysEvent } from '../observability/channels.js';
import { createDiscovery, metadataUrls, type DiscoveryOptions } from './discovery.js';

// Discovery's rules one at a time, through createDiscovery with an injected fetch (real Response
// objects, each request recorded) and a pinned clock.

const issuer = 'https://id.example.com';
const oidc = `${issuer}/.well-known/openid-configuration`;
const rfc8414 = `${issuer}/.well-known/oauth-authorization-server`;
const jwksUri = `${issuer}/jwks.json`;
const key = { kty: 'EC', crv: 'P-256', kid: 'a', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

type Answer = Response | (() => Response);

/** A fetch answering by URL (a missing URL is a 404), recording each request and its headers. */
function fetchOf(routes: Record<string, Answer | Answer[]>) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const served = new Map<string, number>();
  const fetch = (async (input: string, init: RequestInit) => {
    const at = String(input);
    requests.push({ url: at, headers: { ...(init.headers as Record<string, string>) } });
    const route = routes[at];
    const list = route === undefined ? [new Response('not found', { status: 404 })] : Array.isArray(route) ? route : [route];
    const n = served.get(at) ?? 0;
    served.set(at, n + 1);
    const answer = list[Math.min(n, list.length - 1)] as Answer;
    return typeof answer === 'function' ? answer() : answer.clone();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests, urls: () => requests.map((r) => r.url) };
}

const metadata = (extra: Record<string, unknown> = {}) => () => Response.json({ issuer, jwks_uri: jwksUri, ...extra });
const keys = () => Response.json({ keys: [key] });
const status = (code: number) => () => new Response('x', { status: code });
const outcome = (promise: Promise<unknown>) => promise.then(() => ({ code: 'resolved' }) as Record<string, unknown>, (error: Record<string, unknown>) => ({ code: error.code, status: error.status }));

let now = 5_000_000;
const clock = () => now;
const discover = (fetch: typeof globalThis.fetch, options: DiscoveryOptions = {}, at = issuer) => createDiscovery(at, { fetch, clock, ...options });

const events: KeysEvent[] = [];
const listen = (message: unknown) => events.push(message as KeysEvent);
afterEach(() => {
  unsubscribe(CHANNELS.keys, listen);
  events.length = 0;
  now = 5_000_000;
});

describe('discovery metadata locations', () => {
  it('strips every trailing slash of the issuer path', () => {
    expect(metadataUrls('https://id.example.com/t///')).toEqual(['https://id.example.com/t/.well-known/openid-configuration', 'https://id.example.com/.well-known/oauth-authorization-server/t']);
    expect(metadataUrls('https://id.example.com/')).toEqual([oidc, rfc8414]);
  });

  it('tries OpenID Connect first, then RFC 8414 after a 404 or a 410, and takes the keys the metadata names', async () => {
    for (const missing of [404, 410]) {
      const { fetch, urls } = fetchOf({ [oidc]: status(missing), [rfc8414]: metadata(), [jwksUri]: keys });
      const discovery = discover(fetch);
      expect(discovery.metadata).toBeUndefined();
      expect(discovery.current).toBeUndefined();
      const remote = await discovery.jwks();
      await expect(remote.keys()).resolves.toMatchObject({ keys: [key] });
      expect(urls()).toEqual([oidc, rfc8414, jwksUri]);
      expect(remote.url).toBe(jwksUri);
      expect(discovery.current).toBe(remote);
      expect(discovery.metadata).toEqual({ issuer, jwks_uri: jwksUri });
      expect(Object.isFrozen(discovery.metadata)).toBe(true);
      await expect(discovery.jwks()).resolves.toBe(remote);
    }
  });

  it('treats any other failure at the first location as an outage, without trying the second', async () => {
    for (const code of [400, 401, 403, 500, 503]) {
      const { fetch, urls } = fetchOf({ [oidc]: status(code), [rfc8414]: metadata() });
      expect(await outcome(discover(fetch).jwks()), String(code)).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      expect(urls()).toEqual([oidc]);
    }
    const { fetch } = fetchOf({});
    expect(await outcome(discover(fetch).jwks())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
  });

  it('fetches only an explicit metadata URL when given one', async () => {
    const explicit = 'https://config.example.com/meta';
    const { fetch, urls } = fetchOf({ [explicit]: metadata(), [jwksUri]: keys });
    await expect(discover(fetch, { url: explicit }).jwks()).resolves.toMatchObject({ url: jwksUri });
    expect(urls()).toEqual([explicit]);
  });

  it('refuses an issuer or metadata URL that is not absolute, and a fetch that is not a function', () => {
    for (const [at, options] of [['id.example.com', {}], [issuer, { url: '/meta' }], [issuer, { fetch: 'fetch' }], [issuer, { unknown: 1 }], [issuer, { headers: { 'x-api-key': 1 } }]] as const) {
      expect(() => createDiscovery(at, options as never), `${at} ${JSON.stringify(options)}`).toThrow(TypeError);
    }
  });
});

describe('discovery metadata checks', () => {
  it('takes no keys from metadata without a string jwks_uri, of another issuer, or naming a relative or http jwks_uri over https', async () => {
    for (const doc of [
      { issuer },
      { issuer, jwks_uri: 42 },
      { jwks_uri: jwksUri },
      { issuer: `${issuer}/`, jwks_uri: jwksUri },
      { issuer: 'https://ID.example.com', jwks_uri: jwksUri },
      { issuer, jwks_uri: '/jwks.json' },
      { issuer, jwks_uri: 'http://id.example.com/jwks.json' },
    ]) {
      const { fetch, urls } = fetchOf({ [oidc]: Response.json(doc), [jwksUri]: keys });
      const discovery = discover(fetch);
      expect(await outcome(discovery.jwks()), JSON.stringify(doc)).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      expect(discovery.metadata, JSON.stringify(doc)).toBeUndefined();
      expect(urls()).toEqual([oidc]);
    }
    for (const body of ['null', '[]', '"issuer"']) {
      const { fetch } = fetchOf({ [oidc]: new Response(body) });
      expect(await outcome(discover(fetch).jwks()), body).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    }
  });

  it('gives refused metadata a plain Error as its cause, whatever is wrong with it, over http or https', async () => {
    const plain = 'http://id.example.com';
    const cases: [string, unknown][] = [
      [issuer, null],
      [issuer, 'issuer'],
      [issuer, []],
      [issuer, { issuer, jwks_uri: 42 }],
      [issuer, { issuer: 'https://other.example.com', jwks_uri: jwksUri }],
      [issuer, { issuer, jwks_uri: '/jwks.json' }],
      [issuer, { issuer, jwks_uri: 'http://id.example.com/jwks.json' }],
      [plain, { issuer: plain, jwks_uri: '/jwks.json' }],
    ];
    for (const [at, doc] of cases) {
      const { fetch } = fetchOf({ [`${at}/.well-known/openid-configuration`]: Response.json(doc) });
      const error = (await discover(fetch, {}, at).jwks().catch((e: unknown) => e)) as { code: string; cause: Error };
      expect(error.code, JSON.stringify(doc)).toBe('ERR_KEYS_UNAVAILABLE');
      expect(error.cause.name, JSON.stringify(doc)).toBe('Error');
    }
  });

  it('takes http metadata naming http keys, and https metadata naming https keys elsewhere', async () => {
    const plain = 'http://id.example.com';
    const { fetch } = fetchOf({ [`${plain}/.well-known/openid-configuration`]: Response.json({ issuer: plain, jwks_uri: `${plain}/jwks.json` }) });
    await expect(discover(fetch, {}, plain).jwks()).resolves.toMatchObject({ url: `${plain}/jwks.json` });
    const elsewhere = fetchOf({ [oidc]: metadata({ jwks_uri: 'https://keys.example.net/jwks.json' }) });
    await expect(discover(elsewhere.fetch).jwks()).resolves.toMatchObject({ url: 'https://keys.example.net/jwks.json' });
  });

  it('sends configured headers to metadata and same-origin keys only', async () => {
    const headers = { 'x-api-key': 'k' };
    const same = fetchOf({ [oidc]: metadata(), [jwksUri]: keys });
    await (await discover(same.fetch, { headers }).jwks()).keys();
    expect(same.requests.map((r) => r.headers['x-api-key'])).toEqual(['k', 'k']);
    const other = 'https://keys.example.net/jwks.json';
    const away = fetchOf({ [oidc]: metadata({ jwks_uri: other }), [other]: keys });
    await (await discover(away.fetch, { headers }).jwks()).keys();
    expect(away.requests.map((r) => [r.url, r.headers['x-api-key']])).toEqual([[oidc, 'k'], [other, undefined]]);
  });

  it('passes its fetch options on to the key set', async () => {
    const { fetch } = fetchOf({ [oidc]: metadata(), [jwksUri]: () => Response.json({ keys: [key, { ...key, kid: 'b' }] }) });
    const remote = await discover(fetch, { maxKeys: 1 }).jwks();
    await expect(remote.keys()).resolves.toMatchObject({ keys: [key] });
  });
});

describe('discovery caching and outages', () => {
  it('retries a failed discovery only after the cooldown, and reports the failure and the recovery', async () => {
    subscribe(CHANNELS.keys, listen);
    const { fetch, urls } = fetchOf({ [oidc]: [status(500)(), metadata()()], [jwksUri]: keys });
    const discovery = discover(fetch, { cooldown: 1000 });
    expect(await outcome(discovery.jwks())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    now += 999;
    expect(await outcome(discovery.jwks())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(urls()).toEqual([oidc]);
    now += 1;
    await expect(discovery.jwks()).resolves.toMatchObject({ url: jwksUri });
    expect(urls()).toEqual([oidc, oidc]);
    expect(events.map((e) => [e.kind, e.source, e.url])).toEqual([
      ['failure', 'discovery', oidc],
      ['recovery', 'discovery', oidc],
    ]);
    expect(events[0]?.error).toBeInstanceOf(Error);
  });

  it('waits 30 seconds by default before retrying, and shares one discovery between concurrent callers', async () => {
    const { fetch, urls } = fetchOf({ [oidc]: [status(500)(), metadata()()] });
    const discovery = discover(fetch);
    expect(await Promise.all([outcome(discovery.jwks()), outcome(discovery.jwks())])).toMatchObject([{ code: 'ERR_KEYS_UNAVAILABLE' }, { code: 'ERR_KEYS_UNAVAILABLE' }]);
    now += 29_999;
    expect(await outcome(discovery.jwks())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    now += 1;
    const [a, b] = await Promise.all([discovery.jwks(), discovery.jwks()]);
    expect(a).toBe(b);
    expect(urls()).toEqual([oidc, oidc]);
  });

  it('gives up on metadata that does not come within the timeout', async () => {
    const never = (() => new Promise<Response>(() => undefined)) as unknown as typeof globalThis.fetch;
    expect(await outcome(discover(never, { timeout: 5 }).jwks())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
  });

  it('starts from cached metadata of this issuer without fetching it, with the cached keys of its jwks_uri', async () => {
    const { fetch, urls } = fetchOf({ [jwksUri]: keys });
    const cached = { jwks: { keys: [{ ...key, kid: 'cached' }] }, fetchedAt: now };
    const discovery = discover(fetch, { metadata: { issuer, jwks_uri: jwksUri }, jwksCache: { [jwksUri]: cached, 'https://other.example/jwks.json': { jwks: { keys: [] }, fetchedAt: now } } });
    expect(discovery.metadata).toEqual({ issuer, jwks_uri: jwksUri });
    const remote = await discovery.jwks();
    await expect(remote.keys()).resolves.toMatchObject({ keys: [{ kid: 'cached' }] });
    expect(urls()).toEqual([]);
  });

  it('fetches afresh when the cached metadata names another issuer or an http jwks_uri', async () => {
    for (const cached of [{ issuer: 'https://other.example', jwks_uri: jwksUri }, { issuer, jwks_uri: 'http://id.example.com/jwks.json' }, { issuer }]) {
      const { fetch, urls } = fetchOf({ [oidc]: metadata() });
      const discovery = discover(fetch, { metadata: cached as never });
      expect(discovery.metadata).toBeUndefined();
      await expect(discovery.jwks()).resolves.toMatchObject({ url: jwksUri });
      expect(urls()).toEqual([oidc]);
    }
  });

  it('drops cached metadata whose key set cannot be made', () => {
    const plain = 'http://id.example.com';
    const discovery = discover(fetchOf({}).fetch, { metadata: { issuer: plain, jwks_uri: 'ftp://id.example.com/jwks.json' } }, plain);
    expect(discovery.metadata).toBeUndefined();
    expect(discovery.current).toBeUndefined();
  });

  it('runs one discovery at a time even without a cooldown', async () => {
    const { fetch, urls } = fetchOf({ [oidc]: metadata() });
    const discovery = discover(fetch, { cooldown: 0 });
    const [a, b] = await Promise.all([discovery.jwks(), discovery.jwks()]);
    expect(a).toBe(b);
    expect(urls()).toEqual([oidc]);
  });

  it('reports nothing on the keys channel while discovery works', async () => {
    subscribe(CHANNELS.keys, listen);
    const { fetch } = fetchOf({ [oidc]: metadata() });
    await discover(fetch).jwks();
    expect(events).toEqual([]);
  });

  it('answers an outage with its cause and the metadata URLs it tried', async () => {
    const { fetch } = fetchOf({ [oidc]: status(502) });
    const error = (await discover(fetch).jwks().catch((e: unknown) => e)) as Record<string, unknown>;
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503, details: { discovery: [oidc, rfc8414] } });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('ignores a key cache that is not its own', async () => {
    const { fetch } = fetchOf({ [oidc]: metadata(), [jwksUri]: keys });
    const inherited = Object.create({ [jwksUri]: { jwks: { keys: [{ ...key, kid: 'inherited' }] }, fetchedAt: now } }) as Record<string, never>;
    const remote = await discover(fetch, { jwksCache: inherited }).jwks();
    expect(remote.peek()).toBeUndefined();
    await expect(remote.keys()).resolves.toMatchObject({ keys: [key] });
  });
});
