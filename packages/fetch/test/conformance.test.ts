import { conformance, fetchTarget, urlTarget, type ConformanceTarget } from '@jwt-gate/testing';
import { createApp } from './conformance-app.js';
import { currentRuntime, serveNatively, serveOnNodeHttp, type Served } from './runtime.js';

const target = (served: Served): ConformanceTarget => urlTarget(served.origin, () => served.close());
const runtime = currentRuntime();

for (const ownErrorHandler of [false, true]) {
  const suffix = ownErrorHandler ? " with the app's own error handler" : '';
  const driver = { kind: 'adapter', joinsRepeatedHeaders: true, errorBody: 'json', appErrorHandler: ownErrorHandler } as const;
  conformance(`Fetch handler called with a Request (${runtime})${suffix}`, { ...driver, start: async (setup) => fetchTarget(createApp(setup, ownErrorHandler)) });
  // Deno and Bun serve the app with their own servers (below), not through their emulation of node:http.
  if (runtime === 'node') {
    conformance(`Fetch handler on node:http through @hono/node-server${suffix}`, {
      ...driver,
      start: async (setup) => target(await serveOnNodeHttp(createApp(setup, ownErrorHandler))),
    });
  }
  if (runtime === 'deno' || runtime === 'bun') {
    conformance(`Fetch handler on ${runtime === 'deno' ? 'Deno.serve' : 'Bun.serve'}${suffix}`, {
      ...driver,
      start: async (setup) => target((await serveNatively(createApp(setup, ownErrorHandler))) as Served),
    });
  }
}
