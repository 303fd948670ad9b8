// Protected-route throughput as a share of the same route unprotected, per framework, in one
// run: each server in its own process, autocannon in this one.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fixture } from './verify.js';
import type { Framework, Variant } from './server.js';
import { createServer } from 'node:net';

export interface HttpResult {
  readonly requestsPerSecond: number;
  readonly non2xx: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startServer(framework: Framework, variant: Variant, config: object): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  // Next to this file: the bundled server (.build/server.mjs) when run from the build, the
  // TypeScript source under tsx otherwise.
  const bundled = import.meta.url.endsWith('.mjs');
  const server = fileURLToPath(new URL(bundled ? './server.mjs' : './server.ts', import.meta.url));
  const child = spawn(process.execPath, bundled ? [server, framework, variant] : ['--import', 'tsx', server, framework, variant], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_CONFIG: JSON.stringify({ ...config, port }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${framework}/${variant} exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/resource`, stop: () => child.kill('SIGTERM') };
}

async function load(url: string, token: string, durationSeconds: number): Promise<HttpResult> {
  const run = (duration: number) =>
    autocannon({ url, connections: 32, pipelining: 1, duration, headers: { authorization: `Bearer ${token}` } });
  await run(1); // warm-up
  const result = await run(durationSeconds);
  return { requestsPerSecond: result.requests.average, non2xx: result.non2xx };
}

export async function benchHttp(options: { durationSeconds: number; frameworks?: readonly Framework[] }): Promise<Record<string, Record<string, HttpResult>>> {
  const results: Record<string, Record<string, HttpResult>> = {};
  const fixtures = { HS256: await fixture('HS256'), ES256: await fixture('ES256') };
  for (const framework of options.frameworks ?? (['express', 'koa', 'hono'] as const)) {
    results[framework] = {};
    for (const alg of ['HS256', 'ES256'] as const) {
      const f = fixtures[alg];
      const config = {
        alg,
        issuer: 'https://auth.example.com',
        audience: 'bench-api',
        ...(f.secret ? { secret: f.secret } : { publicPem: f.publicKey?.export({ type: 'spki', format: 'pem' }).toString() }),
      };
      for (const variant of ['open', 'jwt-gate', 'jwt-gate-cache', 'peer'] as const) {
        if (variant === 'open' && alg === 'ES256') continue;
        const server = await startServer(framework, variant, config);
        try {
          const result = await load(server.url, f.token, options.durationSeconds);
          if (result.non2xx > 0) throw new Error(`${framework}/${variant}/${alg}: ${result.non2xx} non-2xx answers`);
          results[framework][variant === 'open' ? 'open' : `${variant} ${alg}`] = result;
        } finally {
          server.stop();
        }
      }
    }
  }
  return results;
}
