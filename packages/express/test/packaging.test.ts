import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installBuilt } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built packages, laid out as npm would install them, used by a CommonJS and an ESM app.
const app = (load: string) => `
${load}
const secret = 'a-packaging-test-secret-of-32-bytes-or-more';
const issuer = createIssuer({ issuer: 'https://auth.example.com', audience: 'api', secret });
const auth = jwtAuth({ issuer: 'https://auth.example.com', audience: 'api', secret });
const app = express()
  .get('/me', auth, (req, res) => res.json({ sub: req.auth.claims.sub }))
  .get('/admin', auth, requireRoles('admin'), (req, res) => res.json({ sub: req.auth.claims.sub }));
assertGuarded(app);
let unguarded;
try {
  assertGuarded(express().get('/admin', requireRoles('admin'), (req, res) => res.end()));
} catch (error) {
  unguarded = error.code;
}
const server = app.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port;
  const token = await issuer.sign({ sub: 'alice' });
  const ok = await fetch(url + '/me', { headers: { authorization: 'Bearer ' + token } });
  const missing = await fetch(url + '/me');
  const denied = await fetch(url + '/admin', { headers: { authorization: 'Bearer ' + token } });
  console.log(JSON.stringify({ ok: ok.status, body: await ok.json(), missing: missing.status, challenge: missing.headers.get('www-authenticate'), denied: denied.status, unguarded, isClass: typeof AuthError === 'function' }));
  server.close();
});
`;

describe('built output', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jwt-gate-packaging-'));
    installBuilt(dir, ['@jwt-gate/core', '@jwt-gate/express'], [
      { from: '@jwt-gate/core', name: 'jose' },
      { from: '@jwt-gate/express', name: 'express' },
    ]);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    writeFileSync(join(dir, 'app.cjs'), app(`const express = require('express');\nconst { assertGuarded, jwtAuth, requireRoles, AuthError } = require('@jwt-gate/express');\nconst { createIssuer } = require('@jwt-gate/core');`));
    writeFileSync(join(dir, 'app.mjs'), app(`import express from 'express';\nimport { assertGuarded, jwtAuth, requireRoles, AuthError } from '@jwt-gate/express';\nimport { createIssuer } from '@jwt-gate/core';`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const file of ['app.cjs', 'app.mjs']) {
    it(`${file === 'app.cjs' ? 'a CommonJS app can require' : 'an ESM app can import'} @jwt-gate/express`, () => {
      const out = execFileSync(process.execPath, ['--no-warnings', file], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect(JSON.parse(out)).toEqual({ ok: 200, body: { sub: 'alice' }, missing: 401, challenge: 'Bearer realm="api"', denied: 403, unguarded: 'ERR_CONFIG_INVALID', isClass: true });
    });
  }
});
