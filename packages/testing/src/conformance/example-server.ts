import { expect } from 'vitest';
import { startProcess } from '../process.js';
import { urlTarget, type ConformanceDriver, type ConformanceResponse } from './harness.js';

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
      const target = urlTarget(server.baseUrl, () => server.stop());
      return { ...target, request: async (request) => bearerChallengeOnly(namingMetadata(await target.request(request), server.baseUrl)) };
    },
  };
}

/**
 * Every 401 of an example names its RFC 9728 metadata in each challenge
 * (`resource_metadata="<origin>/.well-known/oauth-protected-resource"`, RFC 9728 §5.1): checked
 * here, then the parameter is taken out of every challenge, so that the scenarios, written for
 * any adapter, compare the rest as they are.
 */
export function namingMetadata(response: ConformanceResponse, origin: string): ConformanceResponse {
  const challenge = response.headers['www-authenticate'];
  if (typeof challenge !== 'string') return response;
  const parameter = `, resource_metadata="${origin}/.well-known/oauth-protected-resource"`;
  if (response.status === 401) {
    for (const part of challenge.split(', DPoP ')) expect(part, 'a 401 challenge names the metadata').toContain(parameter);
  }
  return { ...response, headers: { ...response.headers, 'www-authenticate': challenge.replaceAll(parameter, '') } };
}

/**
 * The examples accept DPoP beside Bearer, so their 401s carry a DPoP challenge after the Bearer
 * one; the scenarios hold the Bearer challenge, which keeps its form and comes first (the DPoP
 * contract holds the rest).
 */
export function bearerChallengeOnly(response: ConformanceResponse): ConformanceResponse {
  const challenge = response.headers['www-authenticate'];
  if (typeof challenge !== 'string') return response;
  const dpop = challenge.indexOf(', DPoP ');
  if (!challenge.startsWith('Bearer ') || dpop === -1) return response;
  return { ...response, headers: { ...response.headers, 'www-authenticate': challenge.slice(0, dpop) } };
}
