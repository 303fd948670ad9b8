// Each published package packed as `pnpm publish` would pack it, installed with npm from the
// tarballs into scratch apps (a CommonJS Express app, an ESM Koa app, an ESM Hono app), which
// then serve real requests. Runs after `build` (turbo), needs the npm registry for frameworks.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'jwt-gate-smoke-'));
const tarballs: Record<string, string> = {};

function pnpm(args: string[], cwd: string): void {
  const execpath = process.env.npm_execpath;
  if (execpath !== undefined && /pnpm/.test(execpath)) execFileSync(process.execPath, [execpath, ...args], { cwd, stdio: 'ignore' });
  else execFileSync('npx', ['-y', 'pnpm@10.34.9', ...args], { cwd, stdio: 'ignore' });
}

function scratchApp(name: string, type: 'commonjs' | 'module', dependencies: Record<string, string>, file: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type, dependencies }, null, 2));
  writeFileSync(join(dir, file), source);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], { cwd: dir, stdio: 'inherit', timeout: 240_000 });
  return dir;
}

function run(dir: string, file: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--no-warnings', file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
}

// The same checks in every app: a token from createIssuer is accepted, a missing one refused with
// the bare challenge, a wrong-audience one with invalid_token.
const checks = `
  const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'api', secret });
  const good = await issuer.sign({ sub: 'alice' });
  const other = await issuer.sign({ sub: 'alice' }, { audience: 'another-api' });
  const ok = await fetch(url, { headers: { authorization: 'Bearer ' + good } });
  const missing = await fetch(url);
  const wrong = await fetch(url, { headers: { authorization: 'Bearer ' + other } });
  console.log(JSON.stringify({
    ok: ok.status, body: await ok.json(),
    missing: missing.status, missingChallenge: missing.headers.get('www-authenticate'),
    wrong: wrong.status, wrongChallenge: wrong.headers.get('www-authenticate'),
  }));
`;

const expected = {
  ok: 200,
  body: { sub: 'alice' },
  missing: 401,
  missingChallenge: 'Bearer realm="api"',
  wrong: 401,
  wrongChallenge: 'Bearer realm="api", error="invalid_token", error_description="The token audience is not accepted"',
};

describe('the packed packages, installed with npm', () => {
  beforeAll(() => {
    const out = join(work, 'tarballs');
    mkdirSync(out);
    for (const name of ['core', 'express', 'koa', 'hono']) {
      const before = new Set(readdirSync(out));
      pnpm(['pack', '--pack-destination', out], join(root, 'packages', name));
      const file = readdirSync(out).find((f) => !before.has(f));
      tarballs[name] = join(out, file as string);
    }
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('work in a CommonJS Express app (require)', () => {
    const dir = scratchApp('cjs-express', 'commonjs', { '@jwt-gate/core': tarballs.core as string, '@jwt-gate/express': tarballs.express as string, express: '^5.1.0' }, 'app.js', `
const express = require('express');
const { createIssuer } = require('@jwt-gate/core');
const { jwtAuth, getAuth } = require('@jwt-gate/express');
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const app = express().get('/me', jwtAuth({ issuer: 'https://auth.example.com', audience: 'api', secret }), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
const server = app.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/me';
  ${checks}
  server.close();
});
`);
    expect(run(dir, 'app.js')).toEqual(expected);
  });

  it('work in an ESM Koa app (import)', () => {
    const dir = scratchApp('esm-koa', 'module', { '@jwt-gate/core': tarballs.core as string, '@jwt-gate/koa': tarballs.koa as string, koa: '^3.0.0' }, 'app.js', `
import Koa from 'koa';
import { createIssuer } from '@jwt-gate/core';
import { jwtAuth, isAuthError } from '@jwt-gate/koa';
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const app = new Koa()
  .use(async (ctx, next) => { try { await next(); } catch (error) { if (!isAuthError(error)) throw error; ctx.set(error.headers); ctx.status = error.status; ctx.body = error.body; } })
  .use(jwtAuth({ issuer: 'https://auth.example.com', audience: 'api', secret }))
  .use((ctx) => { ctx.body = { sub: ctx.state.auth.claims.sub }; });
const server = app.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/me';
  ${checks}
  server.close();
});
`);
    expect(run(dir, 'app.js')).toEqual(expected);
  });

  it('work in a Hono app (ESM, on @hono/node-server)', () => {
    const dir = scratchApp('esm-hono', 'module', { '@jwt-gate/core': tarballs.core as string, '@jwt-gate/hono': tarballs.hono as string, hono: '^4.6.0', '@hono/node-server': '^1.19.0' }, 'app.js', `
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createIssuer } from '@jwt-gate/core';
import { jwtAuth } from '@jwt-gate/hono';
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const app = new Hono().get('/me', jwtAuth({ issuer: 'https://auth.example.com', audience: 'api', secret }), (c) => c.json({ sub: c.var.auth.claims.sub }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info) => {
  const url = 'http://127.0.0.1:' + info.port + '/me';
  ${checks}
  server.close();
});
`);
    expect(run(dir, 'app.js')).toEqual(expected);
  });
});
