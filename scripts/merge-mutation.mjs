// `node scripts/merge-mutation.mjs <out.json> <run.json>...`: joins the incremental files of
// separate StrykerJS runs (each over some modules, see docs/testing.md) into one, to commit as
// reports/stryker-incremental.json. Test ids are numbered per run, so tests are matched by file
// and name (the vitest runner reports no test locations: a test's reach is its whole file). A test
// file whose source changed since a run drops that run's tests, so the mutants they killed or
// covered are tested again by the next `npm run mutate` instead of being trusted. Later runs win
// for a module measured twice.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Merges incremental reports, oldest first. `current(file)` gives a file's present source, or
 * undefined when it is gone. Returns the merged report and how many test entries were dropped.
 */
export function mergeIncremental(runs, current) {
  const tests = new Map(); // `${file}\n${name}` -> { id, file, name }
  const testSources = new Map();
  const files = {};
  let dropped = 0;
  for (const run of runs) {
    const ids = new Map(); // this run's test id -> merged id
    for (const [file, testFile] of Object.entries(run.testFiles ?? {})) {
      const now = current(file);
      if (now === undefined || now !== testFile.source) {
        dropped += testFile.tests.length;
        continue;
      }
      testSources.set(file, now);
      for (const test of testFile.tests) {
        if (test.location !== undefined) throw new Error(`${file}: a test with a location; this merge assumes the vitest runner's tests, which have none`);
        const key = `${file}\n${test.name}`;
        if (!tests.has(key)) tests.set(key, { id: String(tests.size), file, name: test.name });
        ids.set(test.id, tests.get(key).id);
      }
    }
    const remap = (list) => (list ?? []).flatMap((id) => (ids.has(id) ? [ids.get(id)] : []));
    for (const [file, entry] of Object.entries(run.files ?? {})) {
      files[file] = { ...entry, mutants: entry.mutants.map((m) => ({ ...m, coveredBy: remap(m.coveredBy), killedBy: remap(m.killedBy) })) };
    }
  }
  let id = 0;
  for (const entry of Object.values(files)) for (const mutant of entry.mutants) mutant.id = String(id++);
  const testFiles = {};
  for (const test of tests.values()) {
    testFiles[test.file] ??= { source: testSources.get(test.file), tests: [] };
    testFiles[test.file].tests.push({ id: test.id, name: test.name });
  }
  return { report: { ...runs.at(-1), files, testFiles }, dropped };
}

function main() {
  const [out, ...inputs] = process.argv.slice(2);
  if (out === undefined || inputs.length === 0) {
    console.error('usage: node scripts/merge-mutation.mjs <out.json> <run.json>...');
    process.exit(2);
  }
  const runs = inputs.map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const { report, dropped } = mergeIncremental(runs, (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined));
  writeFileSync(out, JSON.stringify(report));
  const mutants = Object.values(report.files).reduce((n, f) => n + f.mutants.length, 0);
  console.log(`${out}: ${mutants} mutants in ${Object.keys(report.files).length} files, ${Object.values(report.testFiles).reduce((n, f) => n + f.tests.length, 0)} tests; ${dropped} test entries dropped from changed test files`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
