// With REDIS_URL, `start` runs two orders APIs beside the auth service and the inventory API, all
// on one Redis: a logout on one orders API and a refresh token reused at the auth service are
// refused by every instance within a second, as the README walks through.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeWithRedis, freePort, testRedis, type TestRedis } from '@jwt-gate/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));

async function until(condition: () => boolean | Promise<boolean>, deadlineMs: number): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > deadlineMs) throw new Error(`condition not met within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

describeWithRedis('microservices example: two orders APIs on one Redis', () => {
  let redis: TestRedis;
  let run: ChildProcess;
  let output = '';
  const ports = { auth: 0, orders: 0, replica: 0, inventory: 0 };
  const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    redis = await testRedis();
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    run = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts'], {
      cwd,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        AUTH_PORT: String(ports.auth),
        ORDERS_PORT: String(ports.orders),
        ORDERS_REPLICA_PORT: String(ports.replica),
        INVENTORY_PORT: String(ports.inventory),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('Ctrl-C'), 30_000);
  });
  afterAll(async () => {
    try {
      process.kill(-(run.pid as number), 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis?.dispose();
  });

  const login = async (username: string) => {
    const res = await fetch(url(ports.auth, '/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username}-password` }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { access_token: string; refresh_token: string };
  };
  const refresh = (token: string, audience = 'orders-api') =>
    fetch(url(ports.auth, '/oauth/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, audience }) });
  const orders = (port: number, token: string) => fetch(url(port, '/orders'), { headers: { authorization: `Bearer ${token}` } }).then((res) => res.status);

  it('prints the second orders API', () => {
    expect(output).toContain(`http://127.0.0.1:${ports.replica}`);
  });

  it('a logout on one orders API is refused by the other within a second, and ends the session at the auth service', async () => {
    const session = await login('alice');
    const inventory = (await (await refresh(session.refresh_token, 'inventory-api')).json()) as { access_token: string; refresh_token: string };
    expect([await orders(ports.orders, session.access_token), await orders(ports.replica, session.access_token)]).toEqual([200, 200]);
    const out = await fetch(url(ports.orders, '/logout'), { method: 'POST', headers: { authorization: `Bearer ${session.access_token}` } });
    expect(out.status).toBe(204);
    const ms = await until(async () => (await orders(ports.replica, session.access_token)) === 401, 1000);
    expect(ms).toBeLessThan(1000);
    // The same session's token for the inventory API, and its refresh token, end with it.
    await until(async () => (await fetch(url(ports.inventory, '/items'), { headers: { authorization: `Bearer ${inventory.access_token}` } })).status === 401, 1000);
    const again = await refresh(inventory.refresh_token);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a refresh token reused at the auth service ends the session on both orders APIs', async () => {
    const session = await login('bob');
    const first = await refresh(session.refresh_token);
    expect(first.status).toBe(200);
    const next = (await first.json()) as { access_token: string };
    expect([await orders(ports.orders, next.access_token), await orders(ports.replica, next.access_token)]).toEqual([200, 200]);
    const reused = await refresh(session.refresh_token);
    expect(reused.status).toBe(400);
    for (const port of [ports.orders, ports.replica]) {
      for (const token of [session.access_token, next.access_token]) await until(async () => (await orders(port, token)) === 401, 1000);
    }
  });
});
