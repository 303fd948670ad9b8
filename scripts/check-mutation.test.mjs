// Tests of the per-module mutation score check: `node --test scripts/check-mutation.test.mjs`.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { failures, moduleOf, moduleScores } from './check-mutation.mjs';

const mutants = (...statuses) => ({ mutants: statuses.map((status, id) => ({ id: String(id), status })) });

test('a mutate entry with a line range names its file', () => {
  assert.equal(moduleOf('src/a.ts:10-20'), 'src/a.ts');
  assert.equal(moduleOf('src/a.ts:10:3-20:7'), 'src/a.ts');
  assert.equal(moduleOf('src/a.ts'), 'src/a.ts');
});

test('the score counts killed and timed-out mutants over the valid ones', () => {
  const report = { files: { 'a.ts': mutants('Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored') } };
  const [score] = moduleScores(report, ['a.ts']);
  assert.equal(score.detected, 2);
  assert.equal(score.valid, 4);
  assert.equal(score.score, 50);
});

test('each module is held to the threshold on its own, whatever the total', () => {
  const strong = mutants(...Array(99).fill('Killed'));
  const weak = mutants('Killed', 'Killed', 'Killed', 'Killed', 'Killed', 'Killed', 'Killed', 'Killed', 'Survived', 'Survived');
  const scores = moduleScores({ files: { 'strong.ts': strong, 'weak.ts': weak } }, ['strong.ts', 'weak.ts']);
  assert.deepEqual(failures(scores, 90).map((s) => s.module), ['weak.ts']);
});

test('a module scoring exactly the threshold passes', () => {
  const scores = moduleScores({ files: { 'a.ts': mutants(...Array(9).fill('Killed'), 'Survived') } }, ['a.ts']);
  assert.deepEqual(failures(scores, 90), []);
});

test('a module missing from the report fails', () => {
  const scores = moduleScores({ files: {} }, ['gone.ts']);
  assert.deepEqual(failures(scores, 90).map((s) => s.module), ['gone.ts']);
});

test('the command exits non-zero for a weak module and zero when all pass', () => {
  const script = fileURLToPath(new URL('./check-mutation.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'check-mutation-'));
  const config = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./stryker.config.json"))'], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }));
  const modules = [...new Set(config.mutate.map(moduleOf))];
  const passing = Object.fromEntries(modules.map((m) => [m, mutants('Killed')]));
  writeFileSync(join(dir, 'pass.json'), JSON.stringify({ files: passing }));
  writeFileSync(join(dir, 'fail.json'), JSON.stringify({ files: { ...passing, [modules[0]]: mutants('Killed', 'Survived') } }));
  assert.equal(spawnSync(process.execPath, [script, join(dir, 'pass.json')]).status, 0);
  assert.equal(spawnSync(process.execPath, [script, join(dir, 'fail.json')]).status, 1);
});
