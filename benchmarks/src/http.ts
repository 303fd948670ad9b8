// Protected-route throughput as a share of the same route unprotected, per framework, in one
// run: each server in its own process, the load from wrk when it is installed, else autocannon
// in this process. wrk is preferred: at tens of thousands of requests per second autocannon
// saturates its own core first, which squeezes every ratio towards 1. Each variant is paired
// with an open route started with it and sent the same token, the pair is loaded round after
// round, and a ratio is the median of the paired ratios.
//
// Where wrk, taskset and a second core are available, the two servers of a pair share the first
// core and their loads run at the same time from the second: the scheduler gives each server
// half of the core, so their throughputs divide as their costs per request do, and every slow
// stretch of a shared machine hits both alike. Loaded one after the other instead, the same pair
// drifted by up to 0.1 between rounds on a shared VM; at the same time, by about 0.03. Elsewhere
// the two loads run one after the other, in alternating order.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './measure.js';
import { fixture } from './verify.js';
import type { Framework, Variant } from './server.js';
import { createServer } from 'node:net';

export interface HttpResult {
  /**
   * Median over the rounds. The open route's is measured alone; a variant's, when the loads of a
   * pair run at the same time, is what it served with half of the core.
   */
  readonly requestsPerSecond: number;
  /** Median of its ratios to the open route, each measured right next to it with the same token. */
  readonly ratioToOpen: number;
  /** Requests per second of each round. */
  readonly rounds: readonly number[];
  /** The ratio of each round, to show how far they spread. */
  readonly roundRatios: readonly number[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const available = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
const pinned = cpus().length >= 2 && available('taskset', ['-V']);
/** The load generator in use: `wrk` when installed, else `autocannon`. */
export const loadGenerator: 'wrk' | 'autocannon' = available('wrk', ['-v']) ? 'wrk' : 'autocannon';
export const pinnedToCores = pinned && loadGenerator === 'wrk';
/** Whether the two loads of a pair run at the same time, the servers sharing one core. */
export const simultaneous = pinnedToCores;

/** Runs `command args` on CPU `cpu` when pinning is on. */
function onCpu(cpu: number, command: string, args: string[]): [string, string[]] {
  return pinnedToCores ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

async function startServer(framework: Framework, variant: Variant, config: object): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  // Next to this file: the bundled server (.build/server.mjs) when run from the build, the
  // TypeScript source under tsx otherwise.
  const bundled = import.meta.url.endsWith('.mjs');
  const server = fileURLToPath(new URL(bundled ? './server.mjs' : './server.ts', import.meta.url));
  const [command, args] = onCpu(0, process.execPath, bundled ? [server, framework, variant] : ['--import', 'tsx', server, framework, variant]);
  const child = spawn(command, args, {
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

async function load(url: string, token: string, durationSeconds: number): Promise<number> {
  if (loadGenerator === 'wrk') {
    const [command, args] = onCpu(1, 'wrk', ['-t1', '-c32', `-d${durationSeconds}s`, '-H', `Authorization: Bearer ${token}`, url]);
    const { stdout } = await promisify(execFile)(command, args, { encoding: 'utf8' });
    const failures = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(stdout);
    if (failures !== null) throw new Error(`${url}: ${failures[0]}`);
    const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    if (rate === null) throw new Error(`${url}: no rate in wrk's output`);
    return Number(rate[1]);
  }
  const result = await autocannon({ url, connections: 32, pipelining: 1, duration: durationSeconds, headers: { authorization: `Bearer ${token}` } });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

interface Target {
  readonly name: string;
  readonly variant: Variant;
  readonly alg: 'HS256' | 'ES256';
}

// The open route, loaded with each algorithm's token (an ES256 token makes a longer request, so
// each ratio divides by the open route sent the same bytes), and a middleware that only calls
// next (the framework's own cost of any middleware); then jwt-gate without and with its token
// cache, and the framework's usual peer.
function targetsOf(_framework: Framework): readonly Target[] {
  const variants = ['jwt-gate', 'jwt-gate-cache', 'peer'] as const;
  return [
    { name: 'open HS256', variant: 'open', alg: 'HS256' },
    { name: 'open ES256', variant: 'open', alg: 'ES256' },
    { name: 'no-op middleware', variant: 'noop', alg: 'HS256' },
    ...(['HS256', 'ES256'] as const).flatMap((alg) => variants.map((variant) => ({ name: `${variant} ${alg}`, variant, alg }))),
  ];
}

export async function benchHttp(options: {
  durationSeconds: number;
  rounds: number;
  frameworks?: readonly Framework[];
}): Promise<Record<string, Record<string, HttpResult>>> {
  const results: Record<string, Record<string, HttpResult>> = {};
  const fixtures = { HS256: await fixture('HS256'), ES256: await fixture('ES256') };
  const configOf = (alg: 'HS256' | 'ES256') => {
    const f = fixtures[alg];
    return {
      alg,
      issuer: 'https://auth.example.com',
      audience: 'bench-api',
      ...(f.secret ? { secret: f.secret } : { publicPem: f.publicKey?.export({ type: 'spki', format: 'pem' }).toString() }),
    };
  };
  const warm = (url: string, token: string) => load(url, token, 2);
  const measure = (url: string, token: string) => load(url, token, options.durationSeconds);
  for (const framework of options.frameworks ?? (['express', 'koa', 'hono'] as const)) {
    const targets = targetsOf(framework);
    const samples = new Map<string, { rps: number[]; ratios: number[] }>(targets.map((t) => [t.name, { rps: [], ratios: [] }]));
    // The open route alone, for its requests per second (one server reads neither token).
    const open = await startServer(framework, 'open', configOf('HS256'));
    try {
      for (const alg of ['HS256', 'ES256'] as const) {
        await warm(open.url, fixtures[alg].token);
        for (let round = 0; round < options.rounds; round++) {
          samples.get(`open ${alg}`)!.rps.push(await measure(open.url, fixtures[alg].token));
          samples.get(`open ${alg}`)!.ratios.push(1);
        }
      }
    } finally {
      open.stop();
    }
    // Each variant against an open route of its own, both started for the pair and kept under
    // load until it is done: neither has sat idle, neither has a longer history. (With every
    // server up for the whole run and loaded in turn, the variants, idle most of the time, read
    // lower round after round while the open route, always busy, did not.)
    for (const target of targets) {
      if (target.variant === 'open') continue;
      const token = fixtures[target.alg].token;
      const [variant, reference] = await Promise.all([startServer(framework, target.variant, configOf(target.alg)), startServer(framework, 'open', configOf(target.alg))]);
      try {
        if (simultaneous) await Promise.all([warm(variant.url, token), warm(reference.url, token)]);
        else for (const server of [variant, reference]) await warm(server.url, token);
        for (let round = 0; round < options.rounds; round++) {
          let rps: number;
          let openRps: number;
          if (simultaneous) [rps, openRps] = await Promise.all([measure(variant.url, token), measure(reference.url, token)]);
          else if (round % 2 === 0) [rps, openRps] = [await measure(variant.url, token), await measure(reference.url, token)];
          else [openRps, rps] = [await measure(reference.url, token), await measure(variant.url, token)];
          samples.get(target.name)!.rps.push(rps);
          samples.get(target.name)!.ratios.push(rps / openRps);
        }
      } finally {
        variant.stop();
        reference.stop();
      }
    }
    results[framework] = Object.fromEntries(
      targets.map(({ name }) => {
        const { rps, ratios } = samples.get(name)!;
        return [name, { requestsPerSecond: median(rps), ratioToOpen: median(ratios), rounds: rps.map(Math.round), roundRatios: ratios.map((r) => Math.round(r * 1000) / 1000) }];
      }),
    );
  }
  return results;
}
