import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type KeysEvent } from '../observability/channels.js';
import { createRemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';

// A remote key set's bounds, one at a time, through its public methods: the fetch is injected
// (real Response objects, each request recorded) and the clock pinned, so each figure is exact.

const url = 'https://keys.example.com/jwks.json';
const key = (kid: string) => ({ kty: 'EC', crv: 'P-256', kid, x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' });

interface Exchange {
  readonly url: string;
  readonly init: RequestInit;
}

/** A fetch answering each request with the next of `answers` (the last one repeats), recording requests. */
function fetchOf(...answers: (() => Response | Promise<Response>)[]) {
  const requests: Exchange[] = [];
  const fetch = (async (input: string, init: RequestInit) => {
    requests.push({ url: String(input), init });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as () => Response;
    return answer();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests };
}

const json = (body: unknown, init: ResponseInit = {}) => () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init });
const failing = (status: number) => () => new Response('no', { status });
const redirect = (location: string, status = 302) => () => new Response(null, { status, headers: { location } });
const outcome = (promise: Promise<unknown>) => promise.then((value) => value, (error: Record<string, unknown>) => ({ code: error.code, status: error.status, name: error.name }));

let now = 1_000_000;
const clock = () => now;
const remote = (fetch: typeof globalThis.fetch, options: RemoteJwksOptions = {}) => createRemoteJwks(url, { fetch, clock, ...options });

const events: KeysEvent[] = [];
const listen = (message: unknown) => events.push(message as KeysEvent);
afterEach(() => {
  unsubscribe(CHANNELS.keys, listen);
  events.length = 0;
  now = 1_000_000;
});

describe('createRemoteJwks options', () => {
  it('takes each bound from 0 up, and refuses a negative, infinite or non-numeric one with a TypeError', () => {
    for (const name of ['timeout', 'cacheMaxAge', 'cooldown', 'maxStale', 'maxBodySize', 'maxKeys']) {
      expect(() => createRemoteJwks(url, { [name]: 0 }), name).not.toThrow();
      for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) expect(() => createRemoteJwks(url, { [name]: value } as never), `${name} ${String(value)}`).toThrow(TypeError);
    }
  });

  it('refuses an unknown option, a fetch that is not a function, and headers that are not names and strings', () => {
    for (const options of [{ unknown: 1 }, { fetch: 'fetch' }, { headers: 'x-api-key: 1' }, { headers: ['x'] }, { headers: null }, { headers: { 'x-api-key': 1 } }]) {
      expect(() => createRemoteJwks(url, options as never), JSON.stringify(options)).toThrow(TypeError);
    }
  });

  it('takes http and https URLs, as text or URL objects, and refuses others', () => {
    expect(createRemoteJwks(new URL('https://keys.example.com/a/../jwks.json')).url).toBe(url);
    expect(createRemoteJwks('http://keys.example.com/jwks.json').url).toBe('http://keys.example.com/jwks.json');
    for (const bad of ['ftp://keys.example.com/jwks.json', 'file:///etc/jwks.json', '/jwks.json', '']) expect(() => createRemoteJwks(bad), bad).toThrow(TypeError);
  });
});

describe('fetching a key set', () => {
  it('asks with GET for JSON, no credentials and manual redirects, and with the configured headers', async () => {
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }));
    await remote(fetch, { headers: { 'x-api-key': 'k' } }).keys();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe(url);
    expect(requests[0]?.init).toMatchObject({ method: 'GET', redirect: 'manual', credentials: 'omit', headers: { accept: 'application/json', 'x-api-key': 'k' } });
    expect(requests[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('keeps key objects with a string kty, at most maxKeys of them', async () => {
    const keys = [key('a'), null, 'key', [key('b')], { kid: 'no-kty' }, { ...key('c'), kty: 1 }, key('d'), key('e'), key('f')];
    await expect(remote(fetchOf(json({ keys })).fetch).keys()).resolves.toMatchObject({ keys: [key('a'), key('d'), key('e'), key('f')], version: 1 });
    await expect(remote(fetchOf(json({ keys })).fetch, { maxKeys: 2 }).keys()).resolves.toMatchObject({ keys: [key('a'), key('d')] });
    expect((await remote(fetchOf(json({ keys: Array.from({ length: 101 }, (_, i) => key(`k${i}`)) })).fetch).keys()).keys).toHaveLength(100);
  });

  it('treats anything but a JSON key set as no keys: 503', async () => {
    for (const answer of [json({ keys: 'x' }), json([key('a')]), json(null), json('"keys"'), json(''), json('{"keys":[]'), () => new Response(new Uint8Array([0x7b, 0xff, 0x7d])), () => new Response(null), failing(404), failing(500)]) {
      expect(await outcome(remote(fetchOf(answer).fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    }
  });

  it('refuses a 2xx answer without a body as it refuses an empty one: a JSON syntax error', async () => {
    for (const answer of [() => new Response(null, { status: 204 }), () => new Response(null), json('')]) {
      const error = await remote(fetchOf(answer).fetch).keys().then(() => undefined, (reason: unknown) => reason as { code: string; cause: unknown });
      expect(error?.code).toBe('ERR_KEYS_UNAVAILABLE');
      expect(error?.cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('reads a body of maxBodySize bytes, streamed or declared, and refuses one byte more', async () => {
    const body = JSON.stringify({ keys: [key('a')] });
    const size = Buffer.byteLength(body);
    const streamed = (text: string) => () => new Response(new ReadableStream({ start(controller) { for (const part of [text.slice(0, 10), text.slice(10)]) controller.enqueue(new TextEncoder().encode(part)); controller.close(); } }));
    await expect(remote(fetchOf(streamed(body)).fetch, { maxBodySize: size }).keys()).resolves.toMatchObject({ keys: [key('a')] });
    await expect(remote(fetchOf(json(body)).fetch, { maxBodySize: size }).keys()).resolves.toMatchObject({ keys: [key('a')] });
    expect(await outcome(remote(fetchOf(streamed(body)).fetch, { maxBodySize: size - 1 }).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(await outcome(remote(fetchOf(json(body)).fetch, { maxBodySize: size - 1 }).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    // A declared length over the cap is refused before reading, even if the body is short.
    expect(await outcome(remote(fetchOf(json(body, { headers: { 'content-length': String(size + 1) } })).fetch, { maxBodySize: size }).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    await expect(remote(fetchOf(json(body, { headers: { 'content-length': String(size) } })).fetch, { maxBodySize: size }).keys()).resolves.toMatchObject({ keys: [key('a')] });
  });

  it('refuses a body that is not UTF-8, even inside a JSON string', async () => {
    const [open, close] = ['{"keys":[{"kty":"oct","k":"AAAA","kid":"', '"}]}'].map((text) => new TextEncoder().encode(text)) as [Uint8Array, Uint8Array];
    const body = new Uint8Array([...open, 0xff, ...close]);
    expect(await outcome(remote(fetchOf(() => new Response(body)).fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
  });

  it('cancels the body of an answer it does not read: an error status or a redirect', async () => {
    let cancelled = 0;
    const unread = (status: number, headers: Record<string, string> = {}) => () => new Response(new ReadableStream({ cancel() { cancelled++; } }), { status, headers });
    expect(await outcome(remote(fetchOf(unread(500)).fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    await expect(remote(fetchOf(unread(302, { location: '/moved' }), json({ keys: [key('a')] })).fetch).keys()).resolves.toMatchObject({ keys: [key('a')] });
    expect(cancelled).toBe(2);
  });

  it('leaves the request signal alone once the answer is in', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { fetch, requests } = fetchOf(json({ keys: [key('a')] }));
      await remote(fetch, { timeout: 100 }).keys();
      vi.advanceTimersByTime(1000);
      expect(requests[0]?.init.signal?.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 503 with the failure as its cause and the JWKS URL in its details', async () => {
    const error = await remote(fetchOf(failing(500)).fetch).keys().then(() => undefined, (reason: unknown) => reason as { code: string; status: number; cause: unknown; details: unknown });
    expect(error).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503, details: { jwksUri: url } });
    expect(error?.cause).toBeInstanceOf(Error);
  });

  it('follows up to three redirects within its origin, relative or absolute, and no more', async () => {
    const keys = json({ keys: [key('a')] });
    const three = fetchOf(redirect('/b'), redirect('c', 307), redirect('https://keys.example.com/d', 308), keys);
    await expect(remote(three.fetch).keys()).resolves.toMatchObject({ keys: [key('a')] });
    expect(three.requests.map((r) => r.url)).toEqual([url, 'https://keys.example.com/b', 'https://keys.example.com/c', 'https://keys.example.com/d']);
    const four = fetchOf(redirect('/b'), redirect('/c'), redirect('/d'), redirect('/e'), keys);
    expect(await outcome(remote(four.fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(four.requests).toHaveLength(4);
    const away = fetchOf(redirect('https://keys.example.com:8443/jwks.json'), keys);
    expect(await outcome(remote(away.fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(away.requests).toHaveLength(1);
  });

  it('follows a Location only on a 3xx', async () => {
    const keys = { keys: [key('a')] };
    for (const status of [300, 399]) {
      const { fetch, requests } = fetchOf(() => new Response(null, { status, headers: { location: '/moved' } }), json(keys));
      await expect(remote(fetch).keys(), String(status)).resolves.toMatchObject({ keys: [key('a')] });
      expect(requests).toHaveLength(2);
    }
    await expect(remote(fetchOf(json(keys, { headers: { location: '/moved' } })).fetch).keys()).resolves.toMatchObject({ keys: [key('a')] });
    const error = fetchOf(() => new Response('gone', { status: 400, headers: { location: '/moved' } }), json(keys));
    expect(await outcome(remote(error.fetch).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(error.requests).toHaveLength(1);
  });

  it('gives up when no answer comes within the timeout', async () => {
    const never = (() => new Promise<Response>(() => undefined)) as unknown as typeof globalThis.fetch;
    expect(await outcome(remote(never, { timeout: 5 }).keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
  });
});

describe('caching a key set', () => {
  it('fetches once for concurrent callers, and again only when keys are wanted after the cooldown', async () => {
    const { fetch, requests } = fetchOf(failing(500), json({ keys: [key('a')] }));
    const keys = remote(fetch, { cooldown: 1000 });
    expect(keys.peek()).toBeUndefined();
    expect(keys.exportCache()).toBeUndefined();
    const first = await Promise.all([outcome(keys.keys()), outcome(keys.keys())]);
    expect(first).toMatchObject([{ code: 'ERR_KEYS_UNAVAILABLE' }, { code: 'ERR_KEYS_UNAVAILABLE' }]);
    expect(requests).toHaveLength(1);
    now += 999;
    expect(keys.coolingDown).toBe(true);
    expect(await outcome(keys.keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(requests).toHaveLength(1);
    now += 1;
    expect(keys.coolingDown).toBe(false);
    await expect(keys.keys()).resolves.toMatchObject({ keys: [key('a')], version: 1 });
    expect(requests).toHaveLength(2);
  });

  it('refreshes after cacheMaxAge in the background, not before, and counts a version only when the keys change', async () => {
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }), json({ keys: [key('a')] }), json({ keys: [key('b')] }));
    const keys = remote(fetch, { cacheMaxAge: 5000, cooldown: 0 });
    await keys.keys();
    now += 5000;
    expect(keys.peek()).toMatchObject({ version: 1 });
    expect(requests).toHaveLength(1);
    now += 1;
    expect(keys.peek()).toMatchObject({ keys: [key('a')], version: 1 });
    expect(requests).toHaveLength(2);
    await expect(keys.refresh()).resolves.toBe(false);
    await expect(keys.refresh()).resolves.toBe(true);
    expect(keys.peek()).toMatchObject({ keys: [key('b')], version: 2 });
  });

  it('refreshes on demand at most once per cooldown, waits for a fetch under way, and answers 503 while the endpoint fails', async () => {
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }), json({ keys: [key('b')] }), failing(503), json({ keys: [key('b')] }));
    const keys = remote(fetch, { cooldown: 1000 });
    await expect(Promise.all([keys.refresh(), keys.refresh()])).resolves.toEqual([true, true]);
    expect(requests).toHaveLength(1);
    await expect(keys.refresh()).resolves.toBe(false);
    now += 1000;
    await expect(keys.refresh()).resolves.toBe(true);
    now += 1000;
    expect(await outcome(keys.refresh())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    // Within the cooldown of the failure: still 503, without fetching; the keys held still serve.
    expect(await outcome(keys.refresh())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(requests).toHaveLength(3);
    await expect(keys.keys()).resolves.toMatchObject({ keys: [key('b')] });
    now += 1000;
    await expect(keys.refresh()).resolves.toBe(false);
  });

  it('serves the last good keys for maxStale after they were fetched while the endpoint fails, then none', async () => {
    const { fetch } = fetchOf(json({ keys: [key('a')] }), failing(500));
    const keys = remote(fetch, { maxStale: 10_000, cacheMaxAge: 1000, cooldown: 0 });
    await keys.keys();
    now += 10_000;
    keys.peek();
    await expect(keys.refresh()).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE' });
    expect(keys.peek()).toMatchObject({ keys: [key('a')] });
    await expect(keys.keys()).resolves.toMatchObject({ keys: [key('a')] });
    now += 1;
    expect(keys.peek()).toBeUndefined();
    expect(await outcome(keys.keys())).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
  });

  it('keeps serving keys older than maxStale while the endpoint answers', async () => {
    const { fetch } = fetchOf(json({ keys: [key('a')] }));
    const keys = remote(fetch, { maxStale: 1000, cacheMaxAge: 1_000_000 });
    await keys.keys();
    now += 5000;
    expect(keys.peek()).toMatchObject({ keys: [key('a')] });
  });

  it('starts no second background refresh while one is under way', async () => {
    let answer: (response: Response) => void = () => undefined;
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }), () => new Promise<Response>((resolve) => { answer = resolve; }));
    const keys = remote(fetch, { cacheMaxAge: 1000, cooldown: 0 });
    await keys.keys();
    now += 1001;
    expect(keys.peek()).toMatchObject({ keys: [key('a')] });
    expect(keys.peek()).toMatchObject({ keys: [key('a')] });
    expect(requests).toHaveLength(2);
    answer(json({ keys: [key('b')] })());
    await expect(keys.refresh()).resolves.toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('holds nothing and fetches nothing before it is asked for keys, and takes a snapshot imported then', async () => {
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }));
    const keys = remote(fetch, { cacheMaxAge: 1000 });
    expect(keys.peek()).toBeUndefined();
    expect(keys.coolingDown).toBe(false);
    expect(requests).toHaveLength(0);
    // A snapshot stamped at the epoch is still newer than no keys at all.
    now = 500;
    keys.importCache({ jwks: { keys: [key('s')] }, fetchedAt: 0 });
    await expect(keys.keys()).resolves.toMatchObject({ keys: [key('s')], version: 1 });
    expect(requests).toHaveLength(0);
  });

  it('exports a copy of its cache and imports only a newer one', async () => {
    const { fetch, requests } = fetchOf(json({ keys: [key('a')] }));
    const keys = remote(fetch);
    await keys.keys();
    const snapshot = keys.exportCache();
    expect(snapshot).toEqual({ jwks: { keys: [key('a')] }, fetchedAt: now });
    (snapshot?.jwks.keys[0] as Record<string, unknown>).kid = 'changed';
    expect(keys.peek()?.keys[0]).toMatchObject({ kid: 'a' });
    keys.importCache({ jwks: { keys: [key('old')] }, fetchedAt: now });
    expect(keys.peek()).toMatchObject({ keys: [key('a')], version: 1 });
    keys.importCache({ jwks: { keys: [key('new'), null as never] }, fetchedAt: now + 1 });
    expect(keys.peek()).toMatchObject({ keys: [key('new')], version: 2 });
    for (const bad of [null, 'cache', { jwks: { keys: [] }, fetchedAt: Number.NaN }, { jwks: { keys: [] } }]) expect(() => keys.importCache(bad as never)).toThrow(TypeError);
    expect(() => keys.importCache({ jwks: { keys: 'x' } as never, fetchedAt: now + 2 })).toThrow(TypeError);
    const warm = remote(fetch, { cache: { jwks: { keys: [key('w')] }, fetchedAt: now } });
    await expect(warm.keys()).resolves.toMatchObject({ keys: [key('w')], version: 1 });
    expect(requests).toHaveLength(1);
  });

  it('imports the key objects of a snapshot, skipping entries of any other type, undefined among them', () => {
    const keys = remote(fetchOf(json({ keys: [] })).fetch);
    keys.importCache({ jwks: { keys: [undefined, key('a'), 1, 'key', key('b')] as never }, fetchedAt: now });
    expect(keys.peek()).toMatchObject({ keys: [key('a'), key('b')], version: 1 });
  });

  it('refuses a snapshot whose keys are no array, even an array-like one (a typed array)', () => {
    const keys = remote(fetchOf(json({ keys: [] })).fetch);
    for (const list of [new Uint8Array(0), new Uint8Array([1]), { length: 0 }]) {
      expect(() => keys.importCache({ jwks: { keys: list as never }, fetchedAt: now })).toThrow(TypeError);
    }
    expect(keys.peek()).toBeUndefined();
  });

  it('reports each failure and the first recovery on the keys channel', async () => {
    subscribe(CHANNELS.keys, listen);
    const { fetch } = fetchOf(json({ keys: [key('a')] }), failing(500), json({ keys: [key('a')] }));
    const keys = remote(fetch, { cooldown: 0 });
    await keys.refresh();
    await keys.refresh().catch(() => undefined);
    await keys.refresh();
    await keys.refresh();
    expect(events.map((event) => [event.kind, event.source, event.url])).toEqual([
      ['failure', 'jwks', url],
      ['recovery', 'jwks', url],
    ]);
    expect(events[0]?.error).toBeInstanceOf(Error);
  });
});
