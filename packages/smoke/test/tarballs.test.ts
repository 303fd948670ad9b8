// The root README's "from a clone" commands, run as written: `npm run pack` (install, build, and
// `npm pack` of every published package into one folder), then `npm install <tarballs>` into
// scratch apps (a CommonJS Express app, ESM Koa, Hono and Fastify apps, an MCP SDK server, and a
// CommonJS Request -> Response handler) that answer real requests. pnpm pack (what `pnpm publish` ships)
// must give the same tarballs. Needs the npm registry for the frameworks.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestProblems, packerDifferences, pnpmPack, publishedPackages, root, scratchDir, tarballFiles, tarballManifest } from '../../../scripts/packing.mjs';

const work = scratchDir('jwt-gate-smoke-');
const packs = join(work, 'packs');
const tarballs: Record<string, string> = {};
const tarball = (name: string): string => tarballs[name] ?? expect.fail(`no tarball for ${name}`);

function npm(args: string[], cwd: string, timeout = 240_000): void {
  execFileSync('npm', args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout });
}

// An empty app of `type`, then the README's `npm install <tarballs> <framework>`.
function scratchApp(name: string, type: 'commonjs' | 'module', install: string[], file: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }, null, 2));
  writeFileSync(join(dir, file), source);
  npm(['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...install], dir);
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
    ...(typeof kit === 'undefined' ? {} : { kit }),
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

// What an app sees of `@jwt-gate/core/adapter` next to `@jwt-gate/core`: where the subpath
// resolves, that the kit's factory is there, and that a name both entries export is one value
// (one copy of the shared code, not a second bundle of it).
const kitReport = (resolved: string) => `
const kit = {
  resolved: ${resolved}.replace(/^.*node_modules\\/@jwt-gate\\/core\\//, ''),
  createAuthenticator: typeof adapterKit.createAuthenticator,
  sharedWithMain: Object.keys(adapterKit).filter((name) => name in core).every((name) => adapterKit[name] === core[name]),
};
`;

describe('the packed packages, installed with npm', () => {
  beforeAll(() => {
    // The README's command; the turbo build in it finds the build this test run already made.
    npm(['run', 'pack', '--', '--out', packs], root, 600_000);
    for (const file of readdirSync(packs).filter((name) => name.endsWith('.tgz'))) {
      tarballs[tarballManifest(join(packs, file)).name as string] = join(packs, file);
    }
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npm run pack packs every published package, entries in dist, and pnpm pack gives the same tarballs', () => {
    const published = publishedPackages();
    expect(Object.keys(tarballs).sort()).toEqual(published.map(({ name }) => name).sort());
    const core = published.find(({ name }) => name === '@jwt-gate/core');
    for (const { name, dir } of published) {
      const packed = tarball(name);
      const files = tarballFiles(packed);
      const manifest = tarballManifest(packed);
      expect(manifestProblems(manifest, files), name).toEqual([]);
      expect(files.filter((file) => !file.startsWith('dist/')).sort(), name).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
      if (name !== '@jwt-gate/core') expect(manifest.dependencies?.['@jwt-gate/core'], name).toBe(`^${core?.version}`);
      expect(packerDifferences(packed, pnpmPack(dir, join(work, 'pnpm'))), name).toEqual([]);
    }
    expect(tarballFiles(tarball('@jwt-gate/core'))).toEqual(expect.arrayContaining(['dist/adapter.js', 'dist/adapter.cjs', 'dist/adapter.d.ts', 'dist/adapter.d.cts']));
  }, 120_000);

  it('work in a CommonJS Express app (require, the /adapter subpath too)', () => {
    const dir = scratchApp('cjs-express', 'commonjs', [tarball('@jwt-gate/core'), tarball('@jwt-gate/express'), 'express@^5.1.0'], 'app.js', `
const express = require('express');
const core = require('@jwt-gate/core');
const adapterKit = require('@jwt-gate/core/adapter');
const { createIssuer } = core;
const { jwtAuth, getAuth } = require('@jwt-gate/express');
${kitReport("require.resolve('@jwt-gate/core/adapter')")}
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const app = express().get('/me', jwtAuth({ issuer: 'https://auth.example.com', audience: 'api', secret }), (req, res) => res.json({ sub: getAuth(req).claims.sub }));
const server = app.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/me';
  ${checks}
  server.close();
});
`);
    expect(run(dir, 'app.js')).toEqual({ ...expected, kit: { resolved: 'dist/adapter.cjs', createAuthenticator: 'function', sharedWithMain: true } });
  });

  it('work in an ESM Koa app (import, the /adapter subpath too)', () => {
    const dir = scratchApp('esm-koa', 'module', [tarball('@jwt-gate/core'), tarball('@jwt-gate/koa'), 'koa@^3.0.0'], 'app.js', `
import Koa from 'koa';
import * as core from '@jwt-gate/core';
import * as adapterKit from '@jwt-gate/core/adapter';
import { jwtAuth, isAuthError } from '@jwt-gate/koa';
const { createIssuer } = core;
${kitReport("import.meta.resolve('@jwt-gate/core/adapter')")}
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
    expect(run(dir, 'app.js')).toEqual({ ...expected, kit: { resolved: 'dist/adapter.js', createAuthenticator: 'function', sharedWithMain: true } });
  });

  it('work in a Hono app (ESM, on @hono/node-server)', () => {
    const dir = scratchApp('esm-hono', 'module', [tarball('@jwt-gate/core'), tarball('@jwt-gate/hono'), 'hono@^4.6.0', '@hono/node-server@^1.19.0'], 'app.js', `
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

  it('work in a Fastify app (ESM, the jwtGate plugin)', () => {
    const dir = scratchApp('esm-fastify', 'module', [tarball('@jwt-gate/core'), tarball('@jwt-gate/fastify'), 'fastify@^5.0.0'], 'app.js', `
import Fastify from 'fastify';
import { createIssuer, jwtGate } from '@jwt-gate/fastify';
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const app = Fastify();
await app.register(jwtGate, { issuer: 'https://auth.example.com', audience: 'api', secret });
app.get('/me', (request) => ({ sub: request.auth.claims.sub }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
const url = address + '/me';
${checks}
await app.close();
`);
    expect(run(dir, 'app.js')).toEqual(expected);
  });

  it('work as the token verifier of an MCP server (ESM, the SDK\'s requireBearerAuth on Express)', () => {
    const dir = scratchApp('esm-mcp', 'module', [tarball('@jwt-gate/core'), tarball('@jwt-gate/mcp'), '@modelcontextprotocol/sdk@^1.20.0', 'express@^5.1.0'], 'app.js', `
import express from 'express';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { createIssuer, createTokenVerifier } from '@jwt-gate/mcp';
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const verifier = createTokenVerifier({ issuer: 'https://auth.example.com', audience: 'api', secret });
const app = express().get('/me', requireBearerAuth({ verifier }), (req, res) => res.json({ sub: req.auth.extra.claims.sub }));
const server = app.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/me';
  ${checks}
  server.close();
});
`);
    // The SDK answers refusals with its own challenge, which names the error in invalid_token.
    const answer = run(dir, 'app.js');
    expect(answer).toMatchObject({ ok: 200, body: { sub: 'alice' }, missing: 401, wrong: 401 });
    expect(answer['missingChallenge']).toMatch(/^Bearer .*error="invalid_token"/);
    expect(answer['wrongChallenge']).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('work in a Request -> Response handler (CommonJS, no server, as a Workers or Next.js handler runs)', () => {
    const dir = scratchApp('cjs-fetch', 'commonjs', [tarball('@jwt-gate/core'), tarball('@jwt-gate/fetch')], 'app.js', `
const { createIssuer, withAuth } = require('@jwt-gate/fetch');
const secret = 'a-smoke-test-secret-of-at-least-32-bytes';
const handler = withAuth((request, auth) => Response.json({ sub: auth.claims.sub }), { issuer: 'https://auth.example.com', audience: 'api', secret });
const fetch = (url, init) => handler(new Request(url, init));
const url = 'https://api.example.com/me';
(async () => {
  ${checks}
})();
`);
    expect(run(dir, 'app.js')).toEqual(expected);
  });
});
