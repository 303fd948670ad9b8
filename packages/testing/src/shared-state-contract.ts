// The examples' shared state, over HTTP against real processes: POST /logout, and with REDIS_URL
// several instances acting as one (logout, refresh-token reuse and redemption races, failed-login
// counts), then Redis stopped and started again under them.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startProcess, type RawResponse, type StartedProcess } from './process.js';
import { describeWithRedis, startRedisServer, testRedis, type TestRedis } from './redis-server.js';
import { dpopClient, expectDPoPRefusal } from './dpop-contract.js';
import { generateKeyPair } from 'dpop';

const SECRET = 'an-example-secret-of-at-least-32-bytes-xxxxxxxx';
const ISSUER = 'https://jwt-gate.example.test';
// The URL every instance is reached at, behind a load balancer: DPoP proofs name it.
const RESOURCE_URL = 'https://api.jwt-gate.example.test';
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];

interface Session {
  readonly access: string;
  readonly refresh: string;
}

/** HTTP calls to one instance. */
function client(server: StartedProcess) {
  const post = (path: string, body?: unknown, headers: [string, string][] = []) =>
    rawRequest(`${server.baseUrl}${path}`, { method: 'POST', headers: body === undefined ? headers : [JSON_TYPE, ...headers], ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return {
    login: (username: string, password = `${username}-password`) => post('/login', { username, password }),
    async session(username: string): Promise<Session> {
      const res = await post('/login', { username, password: `${username}-password` });
      expect(res.status).toBe(200);
      const body = res.json<{ access_token: string; refresh_token: string }>();
      return { access: body.access_token, refresh: body.refresh_token };
    },
    refresh: (refreshToken: string) => post('/token/refresh', { grant_type: 'refresh_token', refresh_token: refreshToken }),
    logout: (access?: string) => post('/logout', undefined, access === undefined ? [] : [['authorization', `Bearer ${access}`]]),
    me: (access: string) => rawRequest(`${server.baseUrl}/me`, { headers: [['authorization', `Bearer ${access}`]] }),
    health: () => rawRequest(`${server.baseUrl}/health`),
  };
}

function expectRevoked(res: RawResponse): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
  expect(res.json()).toMatchObject({ error: 'invalid_token' });
}

/** Polls until `check` holds, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function start(cwd: string, env: Record<string, string>): Promise<StartedProcess> {
  return startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, ...env } });
}

/** POST /logout and the shared state of an example, started from `cwd`. */
export function sharedStateContract({ name, cwd }: { name: string; cwd: string }): void {
  describe(`${name} example: POST /logout`, () => {
    let server: StartedProcess;
    beforeAll(async () => {
      server = await start(cwd, {});
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('answers 204 and ends that login: its access tokens and refresh tokens are refused, other logins go on', async () => {
      const api = client(server);
      const session = await api.session('bob');
      const other = await api.session('bob');
      const refreshed = await api.refresh(session.refresh);
      expect(refreshed.status).toBe(200);
      const next = refreshed.json<{ access_token: string; refresh_token: string }>();
      const res = await api.logout(next.access_token);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      for (const access of [session.access, next.access_token]) expectRevoked(await api.me(access));
      expect((await api.refresh(next.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
      expect((await api.me(other.access)).status).toBe(200);
      expect((await api.refresh(other.refresh)).status).toBe(200);
    });

    it('needs a valid access token: 401 without one, 401 invalid_token with a bad one', async () => {
      const api = client(server);
      const none = await api.logout();
      expect(none.status).toBe(401);
      // The Bearer challenge naming the metadata, then the DPoP one the examples add.
      expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", resource_metadata="[^"]+"(?:$|, DPoP )/);
      expectRevoked(await api.logout('not.a.token'));
      const { refresh } = await api.session('alice');
      expectRevoked(await api.logout(refresh));
    });
  });

  describeWithRedis(`${name} example: instances on one Redis act as one`, () => {
    let redis: TestRedis;
    let instances: StartedProcess[];
    beforeAll(async () => {
      redis = await testRedis();
      // Each run in a Redis database of its own would need a URL per run; fresh names suffice.
      instances = await Promise.all([0, 1, 2].map(() => start(cwd, { REDIS_URL: redis.url, RESOURCE_URL })));
    });
    afterAll(async () => {
      await Promise.all((instances ?? []).map((server) => server.stop()));
      await redis?.dispose();
    });

    it('a logout on one instance is refused by every instance within 1 s, refresh tokens included', async () => {
      const [a, b, c] = instances.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>, ReturnType<typeof client>];
      const session = await a.session('alice');
      for (const api of [a, b, c]) expect((await api.me(session.access)).status).toBe(200);
      expect((await b.logout(session.access)).status).toBe(204);
      for (const api of [a, c]) {
        const ms = await within(1000, async () => (await api.me(session.access)).status === 401);
        expect(ms).toBeLessThan(1000);
        expectRevoked(await api.me(session.access));
      }
      expect((await c.refresh(session.refresh)).json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('a refresh token reused on another instance ends the login on every instance', async () => {
      const [a, b, c] = instances.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>, ReturnType<typeof client>];
      const session = await a.session('bob');
      const first = await a.refresh(session.refresh);
      expect(first.status).toBe(200);
      const next = first.json<{ access_token: string; refresh_token: string }>();
      expect((await c.me(next.access_token)).status).toBe(200);
      expect((await b.refresh(session.refresh)).json()).toMatchObject({ error: 'invalid_grant' });
      for (const api of [a, b, c]) await within(1000, async () => (await api.me(next.access_token)).status === 401);
      expect((await c.refresh(next.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
    });

    it('of parallel redemptions of one refresh token spread over the instances, exactly one wins', async () => {
      const apis = instances.map(client);
      const session = await apis[0]!.session('alice');
      const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => apis[i % apis.length]!.refresh(session.refresh)));
      expect(answers.map((res) => res.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400, 400]);
    });

    it('a DPoP proof used on one instance is refused on another: the replay check is shared', async () => {
      const [a, b] = instances.map((server) => dpopClient(server, RESOURCE_URL)) as [ReturnType<typeof dpopClient>, ReturnType<typeof dpopClient>];
      const key = await generateKeyPair('ES256');
      const login = await a.login(key, 'alice');
      expect(login.json()).toMatchObject({ token_type: 'DPoP' });
      const token = login.json<{ access_token: string }>().access_token;
      const headers: [string, string][] = [['authorization', `DPoP ${token}`], ['dpop', await a.proof(key, 'GET', '/me', token)]];
      expect((await a.get('/me', headers)).status).toBe(200);
      expectDPoPRefusal(await b.get('/me', headers));
      expect((await b.call(key, '/me', token)).status).toBe(200);
    });

    it('failed logins are counted across instances: the 11th attempt on any instance is 429', async () => {
      const apis = instances.map(client);
      const username = `mallory-${randomUUID()}`;
      for (let attempt = 0; attempt < 10; attempt++) expect((await apis[attempt % apis.length]!.login(username, 'wrong')).status).toBe(401);
      for (const api of apis) {
        const res = await api.login(username, 'wrong');
        expect(res.status).toBe(429);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
      }
    });
  });

  describeWithRedis(
    `${name} example: while Redis is down, and after`,
    () => {
      let redis: TestRedis;
      let instances: StartedProcess[];
      beforeAll(async () => {
        redis = await startRedisServer({ persistence: true });
        instances = await Promise.all([0, 1].map(() => start(cwd, { REDIS_URL: redis.url })));
      });
      afterAll(async () => {
        await Promise.all((instances ?? []).map((server) => server.stop()));
        await redis?.dispose();
      });

      it('answers promptly, 200 or 503 and nothing else, and every flow works again once Redis is back, without a restart', async () => {
        const [a, b] = instances.map(client) as [ReturnType<typeof client>, ReturnType<typeof client>];
        const session = await a.session('alice');
        const loggedOut = await a.session('bob');
        // Logged out while Redis is down: 503, and the instance writes the logout back once Redis
        // is up again (a logout that was asked for is never lost).
        const spare = await a.session('bob');
        expect((await a.logout(loggedOut.access)).status).toBe(204);
        await within(1000, async () => (await b.me(loggedOut.access)).status === 401);

        await redis.stop();
        const seen = new Set<string>();
        const until = Date.now() + 7000;
        while (Date.now() < until) {
          for (const [label, call] of [
            ['me', () => b.me(session.access)],
            ['revoked', () => b.me(loggedOut.access)],
            ['login', () => a.login('alice')],
            ['refresh', () => b.refresh(session.refresh)],
            ['logout', () => a.logout(spare.access)],
          ] as const) {
            const started = performance.now();
            const res = await call();
            expect(performance.now() - started, label).toBeLessThan(3000);
            if (label === 'revoked') expect([401, 503], label).toContain(res.status);
            else expect([200, 503], label).toContain(res.status);
            if (res.status === 503) expect(res.headers['content-type']).toMatch(/^application\/json/);
            seen.add(`${label} ${res.status}`);
          }
          expect((await a.health()).status).toBe(200);
        }
        // Past the grace period the revocation list is no longer vouched for: 503, never an accept.
        expect(seen).toContain('me 503');
        expect(seen).toContain('revoked 503');
        expect(seen).not.toContain('revoked 200');

        await redis.restart();
        await within(10_000, async () => (await b.me(session.access)).status === 200);
        expectRevoked(await b.me(loggedOut.access));
        // The logout asked for during the outage is written once the instance reconnects: not
        // bound by the one-second propagation of a logout made while Redis is up.
        await within(10_000, async () => (await b.me(spare.access)).status === 401);
        const fresh = await a.session('alice');
        const refreshed = await b.refresh(fresh.refresh);
        expect(refreshed.status).toBe(200);
        expect((await b.logout(refreshed.json<{ access_token: string }>().access_token)).status).toBe(204);
        await within(1000, async () => (await a.me(refreshed.json<{ access_token: string }>().access_token)).status === 401);
      });
    },
    'server',
  );
}
