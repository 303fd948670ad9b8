import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every published package shares: ESM and CommonJS output with a
 * declaration file per condition (`.d.ts` for `import`, `.d.cts` for `require`), dependencies
 * left external so security fixes in them reach users without a re-release of ours.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    outDir: 'dist',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}
