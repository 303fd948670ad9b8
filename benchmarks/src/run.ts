// `pnpm bench`: every contender in one run, printed as ratios, written as JSON (see
// docs/performance.md). Options: --quick (a smoke test: short windows, one round, no warm-up
// load, written to the temporary directory), --verify-only, --http-only, --redis-only (the
// redemption rate and the propagation delay on Redis alone), --revocation-only (the HTTP rows of
// the revocation check alone, in memory and on Redis), --only <regexp> (the HTTP rows whose name
// matches, beside the open routes), --out <file>.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { benchHttp, loadGenerator, pinnedToCores, refusedName, simultaneous } from './http.js';
import { refusals } from './refusals.js';
import { benchRedisFlows, startBenchRedis } from './redis.js';
import { benchVerify } from './verify.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const redisOnly = args.includes('--redis-only');
const revocationOnly = args.includes('--revocation-only');
const onlyPattern = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (args.includes('--only') && (onlyPattern === undefined || onlyPattern.startsWith('--'))) throw new Error('--only needs a regular expression over row names, e.g. --only "cache|refuses garbage"');
const only = onlyPattern === undefined ? undefined : new RegExp(onlyPattern);
// A quick run's figures are no measurement: they never replace the results of a full one; nor
// does a partial run of the Redis rows.
const out = args.includes('--out')
  ? resolve(args[args.indexOf('--out') + 1] as string)
  : args.includes('--redis-only') || args.includes('--revocation-only')
    ? join(tmpdir(), 'jwt-gate-bench-redis.json')
    : quick
    ? join(tmpdir(), 'jwt-gate-bench-quick.json')
    : fileURLToPath(new URL('../results/latest.json', import.meta.url));

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  date: new Date().toISOString(),
  commit: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  })(),
};
console.log(`Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, commit ${machine.commit}`);
if (quick) console.log('Quick mode: a smoke test of every part; its figures are not measurements.');

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));

const report: Record<string, unknown> = { machine, quick };

if (!args.includes('--http-only') && !redisOnly && !revocationOnly) {
  const verify = await benchVerify({ durationMs: quick ? 300 : 3000, rounds: quick ? 1 : 20 });
  report.verify = verify;
  const algs = Object.keys(verify) as (keyof typeof verify)[];
  const names = Object.keys(verify[algs[0] as keyof typeof verify] ?? {});
  console.log('\nVerification, operations per second (ratio to fast-jwt without cache, round by round)');
  console.log(['contender'.padEnd(55), ...algs.map((a) => a.padStart(16))].join(''));
  for (const name of names) {
    const cells = algs.map((alg) => {
      const measured = verify[alg][name];
      return `${fmt(measured?.opsPerSecond)} (${measured?.ratioToFastJwt.toFixed(2) ?? 'n/a'})`.padStart(16);
    });
    console.log([name.padEnd(55), ...cells].join(''));
  }
}

if (!args.includes('--http-only') && !redisOnly && !revocationOnly) {
  // A fetch runtime: Deno, from the deno npm package, where only WebCrypto is available.
  const deno = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));
  const script = fileURLToPath(new URL('../src/fetch-runtime.ts', import.meta.url));
  try {
    const output = execFileSync(deno, ['run', '-A', '--sloppy-imports', '--node-modules-dir=manual', script, String(quick ? 300 : 3000), String(quick ? 1 : 20)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const fetchRuntime = JSON.parse(output.trim().split('\n').pop() as string) as { runtime: string; results: Record<string, { jwtGate: number; jose: number; ratio: number }> };
    report.fetchRuntime = fetchRuntime;
    console.log(`\nOn a fetch runtime (${fetchRuntime.runtime}, WebCrypto), operations per second`);
    for (const [alg, r] of Object.entries(fetchRuntime.results)) {
      console.log(`${alg.padEnd(8)} jwt-gate ${fmt(r.jwtGate).padStart(8)}   jose ${fmt(r.jose).padStart(8)}   ratio ${r.ratio.toFixed(2)}`);
    }
  } catch (error) {
    console.log(`\nFetch runtime part skipped: ${(error as Error).message.split('\n')[0]}`);
  }
}

// A Redis for the shared-store rows: REDIS_URL, or a redis-server started for the run.
const redis = args.includes('--verify-only') ? undefined : await startBenchRedis();
if (!args.includes('--verify-only') && redis === undefined) console.log('\nRedis rows skipped: no REDIS_URL and no redis-server on PATH (apt-get install redis-server).');

if (!args.includes('--verify-only') && !redisOnly) {
  const { results: http, refused } = await benchHttp({ durationSeconds: quick ? 1 : 2, rounds: quick ? 1 : 7, warmSeconds: quick ? 0 : 2, revocationOnly, ...(only ? { only } : {}), ...(redis ? { redisUrl: redis.url } : {}) });
  report.http = http;
  report.httpLoad = { generator: loadGenerator, connections: 32, pinnedToCores, simultaneous, refusedTokens: refused, refusedTokenCache: 'jwt-gate default (on)' };
  console.log(
    `\nProtected route throughput / the same route unprotected (median of the paired rounds; load from ${loadGenerator}${simultaneous ? ', both routes of a pair loaded at the same time on one shared core, the load on another' : ''})`,
  );
  const columns = ['no-op middleware', 'jwt-gate HS256', 'jwt-gate-cache HS256', 'peer HS256', 'jwt-gate ES256', 'jwt-gate-cache ES256', 'peer ES256'];
  const heading = (column: string) => column.replace('jwt-gate-cache', 'cached');
  console.log(['framework (peer)'.padEnd(26), 'open req/s'.padStart(12), ...columns.map((c) => heading(c).padStart(20))].join(''));
  const peers: Record<string, string> = { express: 'express-jwt', koa: 'koa-jwt', hono: 'hono/jwt' };
  for (const [framework, rows] of Object.entries(http)) {
    console.log(
      [`${framework} (${peers[framework]})`.padEnd(26), fmt(rows['open HS256']?.requestsPerSecond).padStart(12), ...columns.map((c) => (rows[c]?.ratioToOpen.toFixed(2) ?? '-').padStart(20))].join(''),
    );
  }
  if (redis !== undefined) {
    console.log('\nRevocation check on every request (jwt-gate with its token cache, 10,000 other revocations held): protected route / the same route unprotected');
    console.log(['framework'.padEnd(26), 'in memory'.padStart(12), 'Redis mirror'.padStart(14), 'difference'.padStart(12)].join(''));
    for (const [framework, rows] of Object.entries(http)) {
      const memory = rows['revocation memory HS256']?.ratioToOpen;
      const shared = rows['revocation redis HS256']?.ratioToOpen;
      const difference = memory === undefined || shared === undefined ? undefined : shared - memory;
      console.log([framework.padEnd(26), (memory?.toFixed(3) ?? '-').padStart(12), (shared?.toFixed(3) ?? '-').padStart(14), (difference === undefined ? '-' : `${difference >= 0 ? '+' : ''}${difference.toFixed(3)}`).padStart(12)].join(''));
    }
  }
  if (!revocationOnly) {
    console.log('\nRefused tokens, every answer a 401: protected route throughput / the open route sent the same token (jwt-gate with its token cache on)');
    console.log(['framework, middleware'.padEnd(26), ...refusals.map((r) => r.padStart(22))].join(''));
    for (const [framework, rows] of Object.entries(http)) {
      for (const variant of ['jwt-gate-cache', 'peer'] as const) {
        const label = `${framework}, ${variant === 'peer' ? peers[framework] : 'jwt-gate'}`;
        console.log([label.padEnd(26), ...refusals.map((r) => (rows[refusedName(variant, r)]?.ratioToOpen.toFixed(2) ?? '-').padStart(22))].join(''));
      }
    }
  }
}

if (redis !== undefined && revocationOnly) await redis.stop();
else if (redis !== undefined) {
  try {
    const flows = await benchRedisFlows(redis.url, { durationMs: quick ? 500 : 3000, rounds: quick ? 1 : 5, samples: quick ? 50 : 500 });
    report.redis = { source: redis.source, ...flows };
    const { memory, redis: onRedis, ratio, chains } = flows.redemptionsPerSecond;
    console.log(`\nRefresh-token redemptions per second (${chains} logins redeeming in turn; sign, verify, advance): in memory ${fmt(memory)}, on Redis ${fmt(onRedis)} (ratio ${ratio.toFixed(2)})`);
    const { samples, p50, p99, max } = flows.propagationMs;
    console.log(`Revocation reaching another instance's mirror (${samples} revocations, Redis from ${redis.source}): p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
  } finally {
    await redis.stop();
  }
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nWrote ${out}`);
