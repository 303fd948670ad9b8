import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import workspace from './vitest.config.ts';

// The test run that mutation testing (stryker.config.json) repeats for every mutant: the core's
// tests alone, under Node, with the workspace's source aliases. One project, so Stryker's
// per-test coverage maps each mutant to the few core tests that reach it. The regex audit reads
// source text, not running code, so no mutant can fail it: it is left to the ordinary test run.
const root = fileURLToPath(new URL('.', import.meta.url));

export default mergeConfig(
  { resolve: workspace.resolve },
  defineConfig({
    root: `${root}packages/core`,
    test: {
      restoreMocks: true,
      unstubEnvs: true,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['test/regex-audit.test.ts'],
      // Tests that send headers built to backtrack, up to 2 MiB long (three attack cases, one
      // extraction test), are left to the ordinary test run: every extraction mutant would pay for
      // reading megabytes through instrumented code.
      testNamePattern: /^(?!.*(?:\bAC-32\.(?:9|10|11) |built to backtrack in time linear))/,
    },
  }),
);
