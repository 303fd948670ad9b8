import { startProcess } from '../process.js';
import { urlTarget, type ConformanceDriver } from './harness.js';

/** Options of {@link exampleServer}. */
export interface ExampleServerOptions {
  /** The example's directory; `src/server.ts` there is started with tsx. */
  readonly cwd: string;
  /** True where the server sees repeated request headers comma-joined (Hono on `@hono/node-server`). */
  readonly joinsRepeatedHeaders?: boolean;
}

/**
 * A conformance driver for an example server, started as a real process with the setup's
 * configuration in its environment (`JWT_SECRET`, `JWT_ISSUER`, `JWT_AUDIENCE`,
 * `TRUSTED_ISSUER`, `TRUSTED_JWKS_URI`).
 *
 * @example
 * ```ts
 * conformance('Express example', exampleServer({ cwd: fileURLToPath(new URL('..', import.meta.url)) }));
 * ```
 */
export function exampleServer({ cwd, joinsRepeatedHeaders = false }: ExampleServerOptions): ConformanceDriver {
  return {
    kind: 'example',
    joinsRepeatedHeaders,
    errorBody: 'json',
    appErrorHandler: false,
    async start(setup) {
      const server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { ...setup.env } });
      return urlTarget(server.baseUrl, () => server.stop());
    },
  };
}
