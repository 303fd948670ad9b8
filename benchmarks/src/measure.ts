/** Operations per second of one contender, measured over a fixed wall-clock window. */
export interface Measurement {
  readonly opsPerSecond: number;
  readonly iterations: number;
}

/**
 * Calls `fn` (sync, or async and awaited one at a time, as a request handler would) for
 * `durationMs` after a warm-up, in batches so the clock is read rarely.
 */
export async function measure(fn: () => unknown, durationMs: number): Promise<Measurement> {
  const batch = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const out = fn();
      if (out instanceof Promise) await out;
    }
  };
  // Warm-up: let the JIT settle.
  const warmUntil = performance.now() + Math.min(300, durationMs / 3);
  while (performance.now() < warmUntil) await batch(50);
  let iterations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    await batch(100);
    iterations += 100;
    elapsed = performance.now() - started;
  }
  return { opsPerSecond: (iterations * 1000) / elapsed, iterations };
}
