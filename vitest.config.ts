import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const rootUrl = new URL('.', import.meta.url);
const root = fileURLToPath(rootUrl);

// The workspace's packages resolve to their sources, as in the typechecks: the `paths` of
// tsconfig.base.json (the one list), each matched exactly so that `@jwt-gate/core` does not
// swallow `@jwt-gate/core/adapter`. Their package.json `exports` point at dist, for users.
const { compilerOptions } = JSON.parse(readFileSync(`${root}tsconfig.base.json`, 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
  compilerOptions: { paths: Record<string, [string]> };
};
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
const alias = Object.entries(compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${escapeRegExp(name)}$`),
  replacement: fileURLToPath(new URL(target, rootUrl)),
}));

// Type tests (`*.test-d.ts`) are compiled by each package's `typecheck` task (tsc on its
// tsconfig.test.json, where a failed `expectTypeOf` is a type error), which `test` runs first.
// One configuration for the whole workspace; each package is a project named after it, so
// `vitest run --project @jwt-gate/core` (the package's own `test` script) runs just that one.
const projects = [
  ['@jwt-gate/core', 'packages/core'],
  ['@jwt-gate/express', 'packages/express'],
  ['@jwt-gate/koa', 'packages/koa'],
  ['@jwt-gate/hono', 'packages/hono'],
  ['@jwt-gate/fastify', 'packages/fastify'],
  ['@jwt-gate/fetch', 'packages/fetch'],
  ['@jwt-gate/cli', 'packages/cli'],
  ['@jwt-gate/redis', 'packages/redis'],
  ['@jwt-gate/mcp', 'packages/mcp'],
  ['@jwt-gate/testing', 'packages/testing'],
  ['@jwt-gate/smoke', 'packages/smoke'],
  ['@jwt-gate/example-express', 'examples/express'],
  ['@jwt-gate/example-koa', 'examples/koa'],
  ['@jwt-gate/example-hono', 'examples/hono'],
  ['@jwt-gate/example-fastify', 'examples/fastify'],
  ['@jwt-gate/example-fetch', 'examples/fetch'],
  ['@jwt-gate/example-microservices', 'examples/microservices'],
  ['@jwt-gate/example-mcp', 'examples/mcp'],
] as const;

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    restoreMocks: true,
    unstubEnvs: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: projects.map(([name, dir]) => ({
      extends: true,
      test: {
        name,
        root: `${root}${dir}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
