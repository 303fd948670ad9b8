// The Workers tests: test/workerd/*.workerd.ts run inside workerd (@cloudflare/vitest-pool-workers),
// with the Hono app of test/runtimes/app.ts as the main Worker (test/workerd/worker.ts),
// configured through bindings from the Node side's global setup (a JWKS server the Worker
// fetches over HTTP).

import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import root from '../../vitest.config.ts';

export default defineConfig({
  // The workspace's packages resolve to their sources, as in every other suite.
  resolve: { alias: root.resolve?.alias },
  plugins: [
    cloudflareTest(({ inject }) => {
      const keys = inject('workerdKeys');
      return {
        main: './test/workerd/worker.ts',
        miniflare: {
          compatibilityDate: '2026-04-01',
          bindings: { ISSUER: keys.issuer, JWKS_URI: keys.jwksUri, DOWN_ISSUER: keys.downIssuer, DOWN_JWKS_URI: keys.downJwksUri },
        },
      };
    }),
  ],
  test: {
    name: '@jwt-gate/hono (workerd)',
    include: ['test/workerd/*.workerd.ts'],
    globalSetup: ['test/workerd/global-setup.ts'],
    testTimeout: 20_000,
  },
});
