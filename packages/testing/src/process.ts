import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request as httpRequest } from 'node:http';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A server started as a child process. */
export interface StartedProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts `command args` in `cwd` with `env`, on a free port (passed as `PORT`), and waits until
 * `GET <baseUrl><healthPath>` answers 200.
 */
export async function startProcess(options: {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  healthPath?: string;
  timeoutMs?: number;
  port?: number;
}): Promise<StartedProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 3000);
    await done;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`process exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`process not ready in time:\n${output}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest(`${baseUrl}${options.healthPath ?? '/health'}`, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
      req.end();
    });
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { baseUrl, port, output: () => output, stop };
}

/** A response read in full. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

/**
 * Sends a request with raw headers given as [name, value] pairs, so a header can repeat
 * (fetch would join repeated headers into one).
 */
export function rawRequest(url: string, options: { method?: string; headers?: [string, string][]; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Given as a flat array, headers go out exactly as listed, so Node adds no Host of its own.
    const flat: string[] = ['host', new URL(url).host];
    for (const [name, value] of options.headers ?? []) flat.push(name, value);
    if (options.body !== undefined) flat.push('content-length', String(Buffer.byteLength(options.body)));
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: flat }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
