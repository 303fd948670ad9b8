// `node scripts/check-mutation.mjs [report]`: fails when any module that mutation testing covers
// scores under the break threshold. Stryker's own `thresholds.break` is one figure for all files
// together, where a strong module could hide a weak one; this holds each module to it.
// The modules and the threshold are read from stryker.config.json, so the list lives in one place.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Stryker's mutation score: detected (killed or timed out) over every valid mutant; mutants that
// did not compile or crashed the run are not valid, ignored ones are left out.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** The file part of a `mutate` entry (`src/a.ts:10-20` is `src/a.ts`). */
export function moduleOf(entry) {
  return entry.replace(/:\d+(?::\d+)?-\d+(?::\d+)?$/, '');
}

/** Detected and valid mutant counts, and the score in percent (null without valid mutants), per module. */
export function moduleScores(report, modules) {
  const files = report?.files ?? {};
  return modules.map((module) => {
    const file = files[module];
    let detected = 0;
    let valid = 0;
    for (const mutant of file?.mutants ?? []) {
      if (DETECTED.has(mutant.status)) detected++;
      if (DETECTED.has(mutant.status) || UNDETECTED.has(mutant.status)) valid++;
    }
    return { module, found: file !== undefined, detected, valid, score: valid === 0 ? null : (100 * detected) / valid };
  });
}

/** The modules under `threshold` or missing from the report; an empty list means all pass. */
export function failures(scores, threshold) {
  return scores.filter((s) => !s.found || (s.score !== null && s.score < threshold));
}

function main() {
  const config = JSON.parse(readFileSync(resolve(root, 'stryker.config.json'), 'utf8'));
  const threshold = config.thresholds.break;
  const reportPath = resolve(root, process.argv[2] ?? config.jsonReporter.fileName);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const modules = [...new Set(config.mutate.map(moduleOf))];
  const scores = moduleScores(report, modules);
  for (const s of scores) {
    const figure = !s.found ? 'not in the report' : s.score === null ? 'no valid mutants' : `${s.score.toFixed(2)}% (${s.detected}/${s.valid})`;
    console.log(`${s.module}: ${figure}`);
  }
  const failed = failures(scores, threshold);
  if (failed.length > 0) {
    console.error(`Under ${threshold}% or missing: ${failed.map((s) => s.module).join(', ')}`);
    process.exit(1);
  }
  console.log(`Every module scores at least ${threshold}%.`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
