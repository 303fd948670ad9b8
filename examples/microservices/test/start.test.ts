// The one command: `start.ts` brings up all three services, prints what to try, and takes them
// all down on SIGTERM, or when one of them cannot start; once up, one may stop alone.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '@jwt-gate/testing';
import { afterEach, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  // Its own process group, so a failed test can still take down everything it started.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, deadlineMs = 25_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('microservices example: the start command', () => {
  const started: Started[] = [];
  let blocker: Server | undefined;

  afterEach(async () => {
    for (const { child } of started.splice(0)) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    blocker?.close();
    blocker = undefined;
  });

  const ports = async () => {
    const [auth, orders, inventory] = [await freePort(), await freePort(), await freePort()];
    return { auth, orders, inventory, env: { AUTH_PORT: String(auth), ORDERS_PORT: String(orders), INVENTORY_PORT: String(inventory) } };
  };

  it('starts the three services, prints what to try, lets one stop alone, and stops them all on SIGTERM', async () => {
    const { auth, orders, inventory, env } = await ports();
    const run = start(env);
    started.push(run);
    await until(() => run.output().includes('Ctrl-C'));
    expect([await answers(auth), await answers(orders), await answers(inventory)]).toEqual([true, true, true]);
    // The curl lines it prints name the ports it was given.
    expect(run.output()).toContain(`curl -s -X POST http://127.0.0.1:${auth}/login`);
    expect(run.output()).toContain(`http://127.0.0.1:${orders}/orders`);
    expect(run.output()).toContain(`http://127.0.0.1:${inventory}/items`);

    // The printed service credentials work: they are the ones the services were given.
    const credentials = /-u "(orders-api:[A-Za-z0-9_-]+)"/.exec(run.output())?.[1];
    expect(credentials).toBeDefined();
    const issued = await fetch(`http://127.0.0.1:${auth}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(credentials!).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(issued.status).toBe(200);

    // Once up, stopping the auth service alone leaves the APIs running (the outage walk-through).
    const authPid = Number(new RegExp(`127\\.0\\.0\\.1:${auth}  pid (\\d+)`).exec(run.output())?.[1]);
    expect(authPid).toBeGreaterThan(0);
    process.kill(authPid, 'SIGTERM');
    await until(async () => !(await answers(auth)));
    expect([await answers(orders), await answers(inventory)]).toEqual([true, true]);
    expect(run.child.exitCode).toBeNull();

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect([await answers(auth), await answers(orders), await answers(inventory)]).toEqual([false, false, false]);
  });

  it('stops everything and fails when a service cannot start', async () => {
    const { auth, orders, env } = await ports();
    // The orders API's port is taken.
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(orders, '127.0.0.1', () => resolve()));
    const run = start(env);
    started.push(run);
    expect(await run.exited).toBe(1);
    expect(await answers(auth)).toBe(false);
  });
});
