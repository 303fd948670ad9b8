import { describe, expect, it } from 'vitest';
import { createFixture } from './fixture.js';
import { fetchTarget, listenerTarget } from './harness.js';
import { SCENARIOS } from './scenarios.js';

const twoHeaders = { method: 'POST', path: '/echo?x=1', headers: [['authorization', 'Bearer a'], ['authorization', 'Bearer b'], ['x-one', '1']], body: '{"a":1}' } as const;

describe('conformance transports', () => {
  it('a Node listener receives repeated headers as raw lines, with method, path and body', async () => {
    const target = await listenerTarget((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const authorization = req.rawHeaders.filter((_, i) => i % 2 === 1 && req.rawHeaders[i - 1]?.toLowerCase() === 'authorization');
        res.writeHead(207, { 'content-type': 'application/json', 'x-seen': 'yes' }).end(JSON.stringify({ method: req.method, url: req.url, authorization, body }));
      });
    });
    try {
      const res = await target.request(twoHeaders);
      expect(res.status).toBe(207);
      expect(res.headers['x-seen']).toBe('yes');
      expect(JSON.parse(res.text)).toEqual({ method: 'POST', url: '/echo?x=1', authorization: ['Bearer a', 'Bearer b'], body: '{"a":1}' });
    } finally {
      await target.close();
    }
  });

  it('a fetch handler receives repeated headers comma-joined, as every fetch runtime does', async () => {
    const target = fetchTarget(async (request) =>
      Response.json({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), body: await request.text() }, { status: 207 }),
    );
    const res = await target.request(twoHeaders);
    expect(res.status).toBe(207);
    expect(JSON.parse(res.text)).toEqual({ method: 'POST', url: 'http://localhost/echo?x=1', authorization: 'Bearer a, Bearer b', body: '{"a":1}' });
  });
});

describe('conformance scenarios', () => {
  it('name only tokens the fixture mints, and each scenario once', async () => {
    const fixture = await createFixture();
    try {
      const names = new Set(Object.keys(fixture.tokens));
      for (const { request } of SCENARIOS) {
        for (const text of [request.path, ...(request.headers ?? []).map(([, value]) => value)]) {
          for (const [, name] of text.matchAll(/\{(\w+)\}/g)) expect(names).toContain(name);
        }
      }
      expect(new Set(SCENARIOS.map((scenario) => scenario.name)).size).toBe(SCENARIOS.length);
    } finally {
      await fixture.close();
    }
  });

  it('the fixture mints an oversized token just above the 8192-character cap, and a keys-unavailable issuer that answers 500', async () => {
    const fixture = await createFixture();
    try {
      expect(fixture.tokens.oversized.length).toBeGreaterThan(8192);
      const jwks = (fixture.setup.auth.issuers[1] as { jwksUri: string }).jwksUri;
      expect((await fetch(jwks)).status).toBe(500);
    } finally {
      await fixture.close();
    }
  });
});
