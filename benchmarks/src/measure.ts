/** Operations per second of one contender: the median of its rounds, and each round's figure. */
export interface Measurement {
  readonly opsPerSecond: number;
  readonly iterations: number;
  readonly rounds: readonly number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * How many times faster `a` ran than `b`: the median of their ratios round by round, each
 * ratio taken between windows measured moments apart (steadier than a ratio of medians).
 */
export function pairedRatio(a: Measurement, b: Measurement): number {
  return median(a.rounds.map((ops, round) => ops / (b.rounds[round] as number)));
}

/**
 * Calls `fn` (sync, or async and awaited one at a time, as a request handler would) for
 * `durationMs`, in batches so the clock is read rarely.
 */
async function window(fn: () => unknown, durationMs: number): Promise<{ iterations: number; elapsed: number }> {
  const batch = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const out = fn();
      if (out instanceof Promise) await out;
    }
  };
  let iterations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    await batch(20);
    iterations += 20;
    elapsed = performance.now() - started;
  }
  return { iterations, elapsed };
}

/**
 * Measures contenders against each other in interleaved rounds: each gets `durationMs` in all,
 * split into `rounds` windows, and every round visits every contender (in a rotated order), so
 * a slow stretch of a shared machine touches them all alike. Reports each contender's median
 * round. Ratios between contenders of one call are the figures to compare.
 */
export async function compareInRounds(
  contenders: ReadonlyMap<string, () => unknown>,
  options: { durationMs: number; rounds: number },
): Promise<Map<string, Measurement>> {
  const names = [...contenders.keys()];
  const perRound = options.durationMs / options.rounds;
  for (const name of names) await window(contenders.get(name) as () => unknown, Math.min(300, perRound)); // JIT warm-up
  const samples = new Map(names.map((name) => [name, { rounds: [] as number[], iterations: 0 }]));
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as string;
      const { iterations, elapsed } = await window(contenders.get(name) as () => unknown, perRound);
      const sample = samples.get(name)!;
      sample.rounds.push((iterations * 1000) / elapsed);
      sample.iterations += iterations;
    }
  }
  return new Map(
    names.map((name) => {
      const { rounds, iterations } = samples.get(name)!;
      return [name, { opsPerSecond: median(rounds), iterations, rounds: rounds.map(Math.round) }];
    }),
  );
}
