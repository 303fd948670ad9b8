// The Koa middleware's own cost per request with a cached HS256 token, in process, for one or
// more checkouts of jwt-gate side by side: a diagnostic for the HTTP rows of `pnpm bench`, which
// measure the same thing through the whole server and its noise.
//
//   node benchmarks/middleware-cost.mjs before=/path/to/old/checkout after=.
//
// Each checkout's `@jwt-gate/koa` is bundled from its sources as build.mjs bundles the benchmark
// (esbuild, its dependencies resolved from this workspace), then all of them run in this one
// process: each round builds Koa contexts over real Node request objects, once without a
// middleware and once through each checkout's, and a checkout's cost is the median over rounds
// of the difference. Run it pinned to one core (`taskset -c 0`) on a quiet machine.

import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import Koa from 'koa';

const here = fileURLToPath(new URL('.', import.meta.url));
const workspace = resolve(here, '..');
const ROUNDS = 30;
const PER_ROUND = 10_000;

const checkouts = process.argv.slice(2).map((argument) => {
  const at = argument.indexOf('=');
  if (at < 1) throw new TypeError(`expected name=checkout, got ${argument}`);
  return { name: argument.slice(0, at), root: resolve(argument.slice(at + 1)) };
});
if (checkouts.length === 0) throw new TypeError('usage: node benchmarks/middleware-cost.mjs name=checkout ...');

async function bundle({ name, root }) {
  const alias = { '@jwt-gate/core': join(root, 'packages/core/src/index.ts') };
  // Older checkouts have no adapter subpath.
  if (existsSync(join(root, 'packages/core/src/adapter.ts'))) alias['@jwt-gate/core/adapter'] = join(root, 'packages/core/src/adapter.ts');
  const outfile = join(here, `.build/middleware-cost-${name}.mjs`);
  await build({
    entryPoints: [join(root, 'packages/koa/src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    alias,
    external: ['koa', 'jose'],
    nodePaths: [join(workspace, 'packages/core/node_modules'), join(here, 'node_modules')],
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(outfile).href)).jwtAuth;
}

const secret = 'middleware-cost-secret-of-32-bytes!';
const issuer = 'https://issuer.example/';
const audience = 'bench-api';
const token = await new SignJWT({ sub: 'user-7f3a9c2e' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime('2h').sign(Buffer.from(secret));

const app = new Koa();
const socket = new Socket();
function contextOf() {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/resource';
  req.rawHeaders = ['Host', '127.0.0.1:3000', 'Authorization', `Bearer ${token}`];
  req.headers = { host: '127.0.0.1:3000', authorization: `Bearer ${token}` };
  return app.createContext(req, new ServerResponse(req));
}
const next = () => Promise.resolve();

/** Nanoseconds per request: contexts alone (`middleware` undefined) or through `middleware`. */
async function round(middleware) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) {
    const ctx = contextOf();
    if (middleware === undefined) {
      await next();
      continue;
    }
    await middleware(ctx, next);
    if (ctx.state.auth === undefined) throw new Error('the token was not accepted');
  }
  return Number(process.hrtime.bigint() - start) / PER_ROUND;
}

const contenders = [];
for (const checkout of checkouts) contenders.push({ ...checkout, middleware: (await bundle(checkout))({ secret, algorithms: ['HS256'], issuer, audience }), costs: [] });
for (let i = 0; i < 3; i++) for (const { middleware } of contenders) await round(middleware);
for (let r = 0; r < ROUNDS; r++) {
  const base = await round(undefined);
  for (const contender of contenders) contender.costs.push((await round(contender.middleware)) - base);
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(`Koa middleware, cached HS256 token, ns per request (median of ${ROUNDS} rounds of ${PER_ROUND}); Node ${process.version}`);
for (const { name, costs } of contenders) {
  const first = contenders[0].costs;
  console.log(`${name.padEnd(12)} ${median(costs).toFixed(0).padStart(6)}   ${name === contenders[0].name ? '' : `${median(costs.map((cost, i) => cost - first[i])).toFixed(0)} vs ${contenders[0].name}`}`);
}
