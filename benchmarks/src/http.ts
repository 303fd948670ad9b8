// Protected-route throughput as a share of the same route unprotected, per framework, in one run:
// each server in its own process, each variant paired with an open route started with it and sent
// the same token, a ratio the median of the pair's round-by-round ratios. With wrk, taskset and a
// second core the two servers of a pair share one core and are loaded at the same time from the
// other, so their throughputs divide as their costs per request do; docs/performance.md says why.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './measure.js';
import { refusalKeys, refusals, refusedTokens, type Refusal } from './refusals.js';
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
  /** The status of every answer (checked by the load generator): 200, or 401 for a refused token. */
  readonly status: 200 | 401;
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
// From .build/run.mjs and from src/http.ts alike, the script sits in src.
const statusScript = fileURLToPath(new URL('../src/statuses.lua', import.meta.url));

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

/** One request, which must get `status`; any other answer stops the run. */
async function expectStatus(url: string, token: string, status: number, what: string): Promise<void> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  if (response.status !== status) throw new Error(`${what} answered ${response.status} where ${status} was expected: ${body.slice(0, 200)}`);
}

/** Requests per second under load; throws unless every answer had `status`. */
async function load(url: string, token: string, durationSeconds: number, status: number): Promise<number> {
  if (loadGenerator === 'wrk') {
    // wrk's own per-request timeout raised from 2 s: a slow stretch of a shared machine is not a
    // failure of the server. Connection, read and write errors still stop the run.
    const [command, args] = onCpu(1, 'wrk', ['-t1', '-c32', `-d${durationSeconds}s`, '--timeout', '10s', '-s', statusScript, '-H', `Authorization: Bearer ${token}`, url, '--', String(status)]);
    const { stdout } = await promisify(execFile)(command, args, { encoding: 'utf8' });
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    if (socketErrors !== null && socketErrors.slice(1, 4).some((count) => count !== '0')) throw new Error(`${url}: ${socketErrors[0]}`);
    const unexpected = /Unexpected statuses: (\d+) \(last seen (\d+)\)/.exec(stdout);
    if (unexpected === null) throw new Error(`${url}: no status count in wrk's output`);
    if (unexpected[1] !== '0') throw new Error(`${url}: ${unexpected[1]} answers were not ${status} (one was ${unexpected[2]})`);
    const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    if (rate === null) throw new Error(`${url}: no rate in wrk's output`);
    return Number(rate[1]);
  }
  const result = await autocannon({ url, connections: 32, pipelining: 1, duration: durationSeconds, headers: { authorization: `Bearer ${token}` } });
  const statuses = Object.keys(result.statusCodeStats ?? {});
  if (result.errors > 0 || statuses.some((s) => s !== String(status))) throw new Error(`${url}: statuses ${statuses.join(', ')} where all should be ${status}, ${result.errors} errors`);
  return result.requests.average;
}

type Alg = 'HS256' | 'ES256';

interface Target {
  readonly name: string;
  readonly variant: Variant;
  /** The key the servers hold. */
  readonly alg: Alg;
  /** The token sent: the valid one of `alg`, or a refused one. */
  readonly token: Alg | Refusal;
  /** The status of the variant's answers (the open route always answers 200). */
  readonly status: 200 | 401;
}

// The open route, loaded with each algorithm's token (an ES256 token makes a longer request, so
// each ratio divides by the open route sent the same bytes), and a middleware that only calls
// next (the framework's own cost of any middleware); then jwt-gate without and with its token
// cache, and the framework's usual peer; then jwt-gate as users run it (cache on) and the peer,
// each sent tokens they must refuse.
const baseTargets: readonly Target[] = [
  { name: 'open HS256', variant: 'open', alg: 'HS256', token: 'HS256', status: 200 },
  { name: 'open ES256', variant: 'open', alg: 'ES256', token: 'ES256', status: 200 },
  { name: 'no-op middleware', variant: 'noop', alg: 'HS256', token: 'HS256', status: 200 },
  ...(['HS256', 'ES256'] as const).flatMap((alg) =>
    (['jwt-gate', 'jwt-gate-cache', 'peer'] as const).map((variant): Target => ({ name: `${variant} ${alg}`, variant, alg, token: alg, status: 200 })),
  ),
  ...refusals.flatMap((refusal) =>
    (['jwt-gate-cache', 'peer'] as const).map(
      (variant): Target => ({ name: refusedName(variant, refusal), variant, alg: refusalKeys[refusal], token: refusal, status: 401 }),
    ),
  ),
];

// jwt-gate (cache on) with a revocation store of 10,000 other tokens' revocations: in memory,
// and on Redis through its local mirror, each against an open route of its own, in one run.
const revocationTargets: readonly Target[] = [
  { name: 'revocation memory HS256', variant: 'revocation-memory', alg: 'HS256', token: 'HS256', status: 200 },
  { name: 'revocation redis HS256', variant: 'revocation-redis', alg: 'HS256', token: 'HS256', status: 200 },
];

/** The result's name for a refusal: `jwt-gate refuses expired HS256`, `peer refuses garbage`. */
export function refusedName(variant: 'jwt-gate-cache' | 'peer', refusal: Refusal): string {
  return `${variant === 'peer' ? 'peer' : 'jwt-gate'} refuses ${refusal}`;
}

export async function benchHttp(options: {
  durationSeconds: number;
  rounds: number;
  /** Seconds of load on each server before its measured rounds; 0 for none. */
  warmSeconds: number;
  frameworks?: readonly Framework[];
  /** A Redis for the revocation-redis variant; without one, the revocation rows are left out. */
  redisUrl?: string;
  /** Only the revocation rows (and the open route): the Redis mirror against the in-memory store. */
  revocationOnly?: boolean;
  /** Only the rows whose name matches (`cached HS256` is `jwt-gate-cache HS256`); the open routes are always measured. */
  only?: RegExp;
}): Promise<{ results: Record<string, Record<string, HttpResult>>; refused: Record<Refusal, string> }> {
  const openTargets = baseTargets.filter((target) => target.variant === 'open');
  const all = options.redisUrl === undefined ? baseTargets : [...(options.revocationOnly ? openTargets : baseTargets), ...revocationTargets];
  const targets = options.only === undefined ? all : all.filter((target) => target.variant === 'open' || options.only?.test(target.name) === true);
  const results: Record<string, Record<string, HttpResult>> = {};
  const fixtures = { HS256: await fixture('HS256'), ES256: await fixture('ES256') };
  const refused = await refusedTokens(fixtures);
  const tokenOf = (name: Alg | Refusal) => (name === 'HS256' || name === 'ES256' ? fixtures[name].token : refused[name].token);
  const configOf = (alg: Alg) => {
    const f = fixtures[alg];
    return {
      alg,
      issuer: 'https://auth.example.com',
      audience: 'bench-api',
      ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
      ...(f.secret ? { secret: f.secret } : { publicPem: f.publicKey?.export({ type: 'spki', format: 'pem' }).toString() }),
    };
  };
  const warm = async (url: string, token: string, status: number) => {
    if (options.warmSeconds > 0) await load(url, token, options.warmSeconds, status);
  };
  const measure = (url: string, token: string, status: number) => load(url, token, options.durationSeconds, status);
  for (const framework of options.frameworks ?? (['express', 'koa', 'hono'] as const)) {
    const samples = new Map<string, { rps: number[]; ratios: number[] }>(targets.map((t) => [t.name, { rps: [], ratios: [] }]));
    // The open route alone, for its requests per second (one server reads neither token).
    const open = await startServer(framework, 'open', configOf('HS256'));
    try {
      for (const alg of ['HS256', 'ES256'] as const) {
        await expectStatus(open.url, tokenOf(alg), 200, `${framework}/open`);
        await warm(open.url, tokenOf(alg), 200);
        for (let round = 0; round < options.rounds; round++) {
          samples.get(`open ${alg}`)!.rps.push(await measure(open.url, tokenOf(alg), 200));
          samples.get(`open ${alg}`)!.ratios.push(1);
        }
      }
    } finally {
      open.stop();
    }
    // Each variant against an open route of its own, both started for the pair and kept under
    // load until it is done, so that neither has sat idle longer than the other.
    for (const target of targets) {
      if (target.variant === 'open') continue;
      const token = tokenOf(target.token);
      const [variant, reference] = await Promise.all([startServer(framework, target.variant, configOf(target.alg)), startServer(framework, 'open', configOf(target.alg))]);
      try {
        await expectStatus(variant.url, token, target.status, `${framework}/${target.name}`);
        await expectStatus(reference.url, token, 200, `${framework}/open with the token of ${target.name}`);
        if (simultaneous) await Promise.all([warm(variant.url, token, target.status), warm(reference.url, token, 200)]);
        else for (const [server, status] of [[variant, target.status], [reference, 200]] as const) await warm(server.url, token, status);
        for (let round = 0; round < options.rounds; round++) {
          const loadVariant = () => measure(variant.url, token, target.status);
          const loadReference = () => measure(reference.url, token, 200);
          let rps: number;
          let openRps: number;
          if (simultaneous) [rps, openRps] = await Promise.all([loadVariant(), loadReference()]);
          else if (round % 2 === 0) [rps, openRps] = [await loadVariant(), await loadReference()];
          else [openRps, rps] = [await loadReference(), await loadVariant()];
          samples.get(target.name)!.rps.push(rps);
          samples.get(target.name)!.ratios.push(rps / openRps);
        }
      } finally {
        variant.stop();
        reference.stop();
      }
    }
    results[framework] = Object.fromEntries(
      targets.map(({ name, status }) => {
        const { rps, ratios } = samples.get(name)!;
        const result: HttpResult = { requestsPerSecond: median(rps), ratioToOpen: median(ratios), status, rounds: rps.map(Math.round), roundRatios: ratios.map((r) => Math.round(r * 1000) / 1000) };
        return [name, result];
      }),
    );
  }
  return { results, refused: Object.fromEntries(refusals.map((r) => [r, refused[r].description])) as Record<Refusal, string> };
}
