// Which runtime runs these tests, and its own HTTP server for a fetch handler: the same test
// files run on Node (vitest), under Deno and under Bun (vitest run by that runtime, see the
// package's test script), so each runtime's native server is exercised where it exists.

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export { currentRuntime, expectedRuntime, type RuntimeName } from './which-runtime.js';

interface DenoServer {
  readonly addr: { readonly port: number };
  shutdown(): Promise<void>;
}
interface DenoGlobal {
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (request: Request) => Response | Promise<Response>): DenoServer;
}
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunGlobal {
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response> }): BunServer;
}

const runtimeGlobals = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal };

/** A fetch handler served over real HTTP on a free loopback port. */
export interface Served {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `handler` through `@hono/node-server` (node:http underneath): Node's way to run a fetch handler. */
export function serveOnNodeHttp(handler: (request: Request) => Response | Promise<Response>): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Serves `handler` with the runtime's own server (`Deno.serve`, `Bun.serve`), or undefined on a runtime without one here. */
export async function serveNatively(handler: (request: Request) => Response | Promise<Response>): Promise<Served | undefined> {
  const { Deno, Bun } = runtimeGlobals;
  if (Deno !== undefined) {
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, handler);
    return { origin: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
  }
  if (Bun !== undefined) {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
    return { origin: `http://127.0.0.1:${server.port}`, close: async () => void (await server.stop(true)) };
  }
  return undefined;
}
