// Which runtime runs a test, from what only that runtime defines, and which one the test
// script asked for. No imports, so that a test inside workerd or the Edge Runtime can use it.

export type RuntimeName = 'node' | 'deno' | 'bun' | 'workerd' | 'edge-runtime';

const globals = globalThis as { Deno?: unknown; Bun?: unknown; EdgeRuntime?: unknown; WebSocketPair?: unknown; navigator?: { userAgent?: string }; process?: { env: Record<string, string | undefined> } };

/** The runtime these tests run in, from what only that runtime defines. */
export function currentRuntime(): RuntimeName {
  if (typeof globals.Deno === 'object') return 'deno';
  if (typeof globals.Bun === 'object') return 'bun';
  if (typeof globals.EdgeRuntime === 'string') return 'edge-runtime';
  if (globals.navigator?.userAgent === 'Cloudflare-Workers' && typeof globals.WebSocketPair === 'function') return 'workerd';
  return 'node';
}

/** The runtime the test script asked for (`JWT_GATE_RUNTIME`), Node when none. */
export function expectedRuntime(): RuntimeName {
  return (globals.process?.env['JWT_GATE_RUNTIME'] as RuntimeName | undefined) ?? 'node';
}
