// Tests of the incremental-file merge: `node --test scripts/merge-mutation.test.mjs`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeIncremental } from './merge-mutation.mjs';

const run = (testFiles, files) => ({ schemaVersion: '1.0', testFiles, files });
const sources = { 'a.test.ts': 'a tests', 'b.test.ts': 'b tests now', 'src/x.ts': 'x', 'src/y.ts': 'y' };
const current = (file) => sources[file];

test('tests are matched by file and name across runs, and every mutant points at the merged ids', () => {
  const first = run(
    { 'a.test.ts': { source: 'a tests', tests: [{ id: '0', name: 'one' }, { id: '1', name: 'two' }] } },
    { 'src/x.ts': { source: 'x', mutants: [{ id: '7', status: 'Killed', killedBy: ['1'], coveredBy: ['0', '1'] }] } },
  );
  const second = run(
    { 'a.test.ts': { source: 'a tests', tests: [{ id: '5', name: 'two' }, { id: '6', name: 'three' }] } },
    { 'src/y.ts': { source: 'y', mutants: [{ id: '7', status: 'Survived', coveredBy: ['5', '6'] }] } },
  );
  const { report, dropped } = mergeIncremental([first, second], current);
  assert.equal(dropped, 0);
  const names = Object.fromEntries(report.testFiles['a.test.ts'].tests.map((t) => [t.id, t.name]));
  assert.deepEqual(Object.values(names).sort(), ['one', 'three', 'two']);
  const x = report.files['src/x.ts'].mutants[0];
  const y = report.files['src/y.ts'].mutants[0];
  assert.deepEqual(x.killedBy.map((id) => names[id]), ['two']);
  assert.deepEqual(y.coveredBy.map((id) => names[id]).sort(), ['three', 'two']);
  assert.notEqual(x.id, y.id);
});

test('a test file changed since a run drops that run\'s tests, so their mutants are tested again', () => {
  const old = run(
    { 'b.test.ts': { source: 'b tests then', tests: [{ id: '0', name: 'kills' }] }, 'a.test.ts': { source: 'a tests', tests: [{ id: '1', name: 'covers' }] } },
    { 'src/x.ts': { source: 'x', mutants: [{ id: '0', status: 'Killed', killedBy: ['0'], coveredBy: ['0', '1'] }] } },
  );
  const { report, dropped } = mergeIncremental([old], current);
  assert.equal(dropped, 1);
  assert.equal(report.testFiles['b.test.ts'], undefined);
  const [mutant] = report.files['src/x.ts'].mutants;
  assert.deepEqual(mutant.killedBy, []);
  assert.deepEqual(mutant.coveredBy.map((id) => report.testFiles['a.test.ts'].tests.find((t) => t.id === id).name), ['covers']);
});

test('a later run wins for a module measured twice', () => {
  const a = run({}, { 'src/x.ts': { source: 'x', mutants: [{ id: '0', status: 'Survived' }] } });
  const b = run({}, { 'src/x.ts': { source: 'x', mutants: [{ id: '0', status: 'Killed' }] } });
  assert.equal(mergeIncremental([a, b], current).report.files['src/x.ts'].mutants[0].status, 'Killed');
});
