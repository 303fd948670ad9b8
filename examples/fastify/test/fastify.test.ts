// What the Fastify example adds to the shared contract: Fastify's own answers (a URL it cannot
// decode, a route that does not exist) are JSON that repeats nothing of the request, and a body
// sent to POST /logout is ignored, as the other examples ignore it.

import { fileURLToPath } from 'node:url';
import { rawRequest, startProcess, type StartedProcess } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe("Fastify example: Fastify's own answers", () => {
  let server: StartedProcess;
  beforeAll(async () => {
    server = await startProcess({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/server.ts'],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { JWT_SECRET: 'an-example-secret-of-at-least-32-bytes-xxxxxxxx' },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a URL Fastify cannot decode: 400 invalid_request with a challenge, the URL not repeated', async () => {
    for (const path of ['/probe-7d1%zz', '/me/probe-7d1%', '/login%c0']) {
      const res = await rawRequest(`${server.baseUrl}${path}`, { method: path.startsWith('/login') ? 'POST' : 'GET' });
      expect(res.status, path).toBe(400);
      expect(res.headers['www-authenticate'], path).toMatch(/^Bearer realm="[^"]+", error="invalid_request"/);
      expect(res.json(), path).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(res.text, path).not.toMatch(/probe-7d1|login/);
    }
  });

  it('a route that does not exist: 404 as JSON, the method and path not repeated', async () => {
    for (const [method, path] of [['GET', '/probe-7d1'], ['DELETE', '/me'], ['PUT', '/login']] as const) {
      const res = await rawRequest(`${server.baseUrl}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: 'not_found', error_description: expect.any(String) });
      expect(res.text).not.toMatch(/probe-7d1|DELETE|PUT|\/me|\/login/);
    }
  });

  it('POST /logout ignores a body, whatever it holds', async () => {
    for (const [type, body] of [['application/json', '{"broken'], ['text/plain', 'bye'], ['application/x-www-form-urlencoded', 'a=1']] as const) {
      const login = await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [['content-type', 'application/json']], body: '{"username":"bob","password":"bob-password"}' });
      const { access_token: access } = login.json<{ access_token: string }>();
      const res = await rawRequest(`${server.baseUrl}/logout`, { method: 'POST', headers: [['authorization', `Bearer ${access}`], ['content-type', type]], body });
      expect(res.status, type).toBe(204);
      expect((await rawRequest(`${server.baseUrl}/me`, { headers: [['authorization', `Bearer ${access}`]] })).status, type).toBe(401);
    }
  });
});
