import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every published package shares: ESM and CommonJS output with a
 * declaration file per condition (`.d.ts` for `import`, `.d.cts` for `require`), dependencies
 * left external so security fixes in them reach users without a re-release of ours.
 *
 * `entry` lists the package's public entry points, one per `exports` subpath (`src/index.ts`
 * by default); each becomes `dist/<name>.{js,cjs,d.ts,d.cts}`. Code that several entry points
 * share goes to one chunk that they all import, in both formats, so that a package loaded
 * through two of its subpaths still has one copy of each module (one `AuthError` class, one
 * record of authenticated requests).
 */
export function packageConfig({ entry = ['src/index.ts'], ...overrides }: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: true,
    outDir: 'dist',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  });
}
