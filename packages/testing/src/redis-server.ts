// A real Redis for the tests: the one at REDIS_URL, or a `redis-server` started here on a free
// loopback port and stopped by its PID. A machine with neither skips the Redis suites with one
// line; under CI=true a skipped Redis suite is a failure (.ci/run installs redis-server).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from './process.js';

/** A Redis server for a test. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** True for a server started here (it can be stopped, restarted, paused). */
  readonly owned: boolean;
  /** The server's process id, for a server started here. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM; SIGKILL after 3 s). With `kill`, at once, as a crash: SIGKILL. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port (and, with persistence, the same data). */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops a server started here for good and removes its files; nothing for REDIS_URL's. */
  dispose(): Promise<void>;
}

/** Whether `redis-server` can be started on this machine. */
export function redisServerInstalled(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Whether the Redis suites can run here: REDIS_URL is set, or redis-server is installed. */
export function redisAvailable(): boolean {
  return Boolean(process.env.REDIS_URL) || redisServerInstalled();
}

/** Answers once `PING` gets `+PONG` on `port`, or rejects after `timeoutMs`. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(500);
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.on('error', () => resolve(false));
      socket.on('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts `redis-server` on a free loopback port (or `port`), in a scratch directory removed at
 * `stop()`. With `persistence`, an append-only file survives `restart()` as it would in
 * production; without, a restart starts empty (a crash of an unpersisted Redis).
 */
export async function startRedisServer(options: { port?: number; persistence?: boolean } = {}): Promise<TestRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'jwt-gate-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.persistence ? 'yes' : 'no', '--daemonize', 'no', '--loglevel', 'warning'];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    try {
      await waitForPong(port, 10_000);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${output}`);
    }
  }

  async function stopProcess(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGCONT');
    running.kill(signal);
    const force = setTimeout(() => running.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    owned: true,
    get pid() {
      return child?.pid;
    },
    async stop({ kill = false } = {}) {
      await stopProcess(kill ? 'SIGKILL' : 'SIGTERM');
    },
    async restart() {
      await stopProcess('SIGTERM');
      await start();
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await stopProcess('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Redis of the suites that need only one: REDIS_URL when set, else a server started here. */
export async function testRedis(): Promise<TestRedis> {
  const url = process.env.REDIS_URL;
  if (url) {
    const notOwned = () => {
      throw new Error('this Redis comes from REDIS_URL: it is not stopped, restarted or paused by the tests');
    };
    return { url, port: Number(new URL(url).port || 6379), owned: false, pid: undefined, stop: async () => {}, restart: async () => notOwned(), pause: notOwned, resume: notOwned, dispose: async () => {} };
  }
  return startRedisServer();
}

/**
 * `describe`, for a suite that needs a real Redis (`need: 'url'`, REDIS_URL or redis-server) or
 * one it can stop and restart (`need: 'server'`, redis-server). Without one it skips with one
 * line, except under CI=true, where the suite fails: CI must run it.
 */
export function describeWithRedis(name: string, fn: () => void, need: 'url' | 'server' = 'url'): void {
  const available = need === 'server' ? redisServerInstalled() : redisAvailable();
  if (available) {
    describe(name, fn);
    return;
  }
  const missing = need === 'server' ? 'no redis-server on PATH' : 'no REDIS_URL and no redis-server on PATH';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('runs under CI', () => {
        throw new Error(`${name}: ${missing}; CI must run the Redis tests (apt-get install -y redis-server)`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${missing} (apt-get install redis-server${need === 'server' ? '' : ', or set REDIS_URL'})`);
  describe.skip(name, fn);
}
