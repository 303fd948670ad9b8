// Every regex that can meet attacker input (headers, tokens, JSON, claims, cookies, URLs, fetched
// metadata, the examples' request bodies) must run in linear time. This audit finds each regex in
// packages/*/src and examples/*/src (test files excepted) and checks it two independent ways:
// recheck's analysis of its automaton, and timed runs over 100,000 adversarial characters.
// eslint-plugin-regexp flags most of the same at edit time; this gives the evidence (an attack
// string, a time) and also covers what a lint rule cannot see.

import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check, type Diagnostics } from 'recheck';
import { describe, expect, it } from 'vitest';
import { adversarialInputs, fastestRun, type Attack } from './regex-inputs.js';
import { findRegexes, type FoundRegex } from './regex-sources.js';

// recheck runs a native binary as a child process and the walk reads the sources with node:fs:
// the Deno and Bun runs of this suite skip the audit.
const onNode = !('Deno' in globalThis) && !('Bun' in globalThis);

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INPUT_LENGTH = 100_000;
// A linear regex takes a few milliseconds on 100,000 characters, a quadratic one seconds.
const BUDGET_MS = 200;

interface Listed {
  readonly file: string;
  /** The regex as written in the file. */
  readonly regex: string;
  readonly reason: string;
}

/** Not linear, but never applied to attacker input. */
const ALLOWED: readonly Listed[] = [];

/**
 * Attacker-facing and not linear, waiting for a fix in the source. Each entry is asserted to
 * still offend, so the audit fails once it is fixed: then remove it from here.
 */
const KNOWN_OFFENDERS: readonly Listed[] = [];

/** RegExps built from a computed source, which neither check can see: reviewed by hand. */
const DYNAMIC: readonly Listed[] = [
  {
    file: 'packages/core/src/policies/regex-check.ts',
    regex: 'new RegExp(source, flags)',
    reason:
      "claimMatches: the developer's pattern, refused at creation when exponential or above the polynomial degree its input-length cap allows (checked against recheck in regex-check.test.ts)",
  },
  {
    file: 'packages/hono/src/assert-guarded.ts',
    regex: 'new RegExp(`^(?:${pattern})$`)',
    reason: "a route parameter's pattern from the app's own routes, tried at start-up on a few short fixed values",
  },
  {
    file: 'packages/testing/src/attacks/fuzz.ts',
    regex: 'new RegExp(`^Bearer realm="${ATTACK_REALM}"`)',
    reason: 'test support: a constant realm, matched against our own responses',
  },
  {
    file: 'packages/testing/src/conformance/token-refresh.ts',
    regex: 'new RegExp(`^Bearer realm="${REALM}", error="invalid_request", error_description="[^"]+"$`)',
    reason: 'test support: a constant realm, matched against our own responses',
  },
  {
    file: 'packages/testing/src/example-contract.ts',
    regex: 'new RegExp(`^Bearer realm="[^"]+", resource_metadata="${escapeRegExp(origin + WELL_KNOWN)}"$`)',
    reason: "test support: the example's own origin, escaped, matched against its responses",
  },
  {
    file: 'packages/testing/src/example-contract.ts',
    regex: 'new RegExp(`^Bearer realm="[^"]+", ${escapeRegExp(parameter)}$`)',
    reason: "test support: the example's metadata parameter, escaped, matched against its responses",
  },
];

function sourceDirs(): string[] {
  return ['packages', 'examples'].flatMap((group) =>
    readdirSync(`${ROOT}${group}`)
      .map((name) => `${ROOT}${group}/${name}/src`)
      .filter((dir) => existsSync(dir)),
  );
}

const found: FoundRegex[] = onNode ? findRegexes(ROOT, sourceDirs()) : [];
const literals = found.filter((r) => r.source !== undefined);
const where = (r: FoundRegex): string => `${r.file}:${r.line}`;
const listedIn = (list: readonly Listed[], r: FoundRegex): Listed | undefined => list.find((entry) => entry.file === r.file && entry.regex === r.text);

/**
 * recheck's verdict on a regex (without g and y, which only carry state between calls). A
 * fuzzing pass that found nothing proves nothing, so such a verdict is retried on the automaton.
 */
async function verdict(source: string, flags: string): Promise<Diagnostics> {
  const plain = flags.replace(/[gy]/g, '');
  const first = await check(source, plain, { timeout: 30_000 });
  if (first.status !== 'safe' || !first.complexity.isFuzz) return first;
  return check(source, plain, { checker: 'automaton', timeout: 30_000 });
}

/** Safe, and proven so on the automaton: constant or linear ("safe" there: nothing repeats that can backtrack). */
function isLinear(diagnostics: Diagnostics): boolean {
  return diagnostics.status === 'safe' && !diagnostics.complexity.isFuzz;
}

function describeVerdict(diagnostics: Diagnostics): string {
  if (diagnostics.status === 'unknown') return `unknown (${diagnostics.error.kind})`;
  if (diagnostics.status === 'safe') return diagnostics.complexity.summary;
  return `${diagnostics.complexity.summary}, attack ${diagnostics.attack.pattern}`;
}

/** The first adversarial input on which even the fastest of 3 runs passed the budget, if any. */
function overBudget(regex: RegExp, source: string, attack: Attack | undefined): { name: string; ms: number } | undefined {
  for (const input of adversarialInputs(source, INPUT_LENGTH, attack)) {
    const ms = fastestRun(regex, input.value, BUDGET_MS);
    if (ms > BUDGET_MS) return { name: input.name, ms };
  }
  return undefined;
}

// One recheck call per regex, shared by its two tests.
const verdicts = new Map<FoundRegex, Promise<Diagnostics>>();
function verdictOf(r: FoundRegex): Promise<Diagnostics> {
  let pending = verdicts.get(r);
  if (pending === undefined) verdicts.set(r, (pending = verdict(r.source as string, r.flags)));
  return pending;
}

describe.runIf(onNode)('regex audit', () => {
  it('finds the regexes, and every listed one is still in the code', () => {
    expect(literals.length).toBeGreaterThan(40);
    for (const entry of [...ALLOWED, ...KNOWN_OFFENDERS, ...DYNAMIC]) {
      expect(
        found.some((r) => r.file === entry.file && r.text === entry.regex),
        `${entry.file} ${entry.regex} is listed but no longer in the code: remove it from the list`,
      ).toBe(true);
    }
  });

  it('builds no RegExp from a computed source that has not been reviewed', () => {
    const unreviewed = found.filter((r) => r.source === undefined && listedIn(DYNAMIC, r) === undefined);
    expect(unreviewed.map((r) => `${where(r)} ${r.text}`)).toEqual([]);
  });

  it('catches the quadratic split of the security review, /\\s*,\\s*/', async () => {
    // eslint-disable-next-line regexp/no-super-linear-move -- the offender itself, to show both checks catch it
    const split = /\s*,\s*/;
    const diagnostics = await verdict(split.source, split.flags);
    expect(diagnostics.status === 'vulnerable' && diagnostics.complexity.type).toBe('polynomial');
    const attack = diagnostics.status === 'vulnerable' ? diagnostics.attack : undefined;
    expect(overBudget(split, split.source, attack)).toBeDefined();
  }, 30_000);

  describe.each(literals.map((r) => ({ r, name: `${where(r)} ${r.text}` })))('$name', ({ r }) => {
    const source = r.source as string;
    const allowed = listedIn(ALLOWED, r);
    const known = listedIn(KNOWN_OFFENDERS, r);

    if (known !== undefined) {
      it('still offends (KNOWN_OFFENDERS: remove it from the list once fixed)', async () => {
        const diagnostics = await verdictOf(r);
        const attack = diagnostics.status === 'vulnerable' ? diagnostics.attack : undefined;
        const offends = !isLinear(diagnostics) || overBudget(new RegExp(source, r.flags), source, attack) !== undefined;
        expect(offends, `${where(r)} ${r.text} is linear now: remove it from KNOWN_OFFENDERS`).toBe(true);
      }, 60_000);
      return;
    }

    it.skipIf(allowed !== undefined)(`is linear by recheck${allowed ? ` (allowed: ${allowed.reason})` : ''}`, async () => {
      const diagnostics = await verdictOf(r);
      expect(isLinear(diagnostics), `${where(r)} ${r.text}: ${describeVerdict(diagnostics)}`).toBe(true);
    }, 60_000);

    it.skipIf(allowed !== undefined)(`runs within ${BUDGET_MS} ms on ${INPUT_LENGTH} adversarial characters`, async () => {
      const diagnostics = await verdictOf(r);
      const attack = diagnostics.status === 'vulnerable' ? diagnostics.attack : undefined;
      const slow = overBudget(new RegExp(source, r.flags), source, attack);
      expect(slow, `${where(r)} ${r.text} took over ${BUDGET_MS} ms on ${slow?.name}`).toBeUndefined();
    }, 60_000);
  });
});
