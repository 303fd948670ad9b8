import { describe, expect, it } from 'vitest';
import { createLoginThrottle, createMemoryFailureStore } from './login-throttle.js';

function clockAt(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('createLoginThrottle', () => {
  it('locks a key after maxFailures failures until the window closes, then lets it try again', async () => {
    const clock = clockAt(1_000_000);
    const throttle = createLoginThrottle({ maxFailures: 10, window: 60, clock: clock.now });
    for (let i = 0; i < 10; i++) {
      expect(await throttle.attempt('alice')).toBeUndefined();
      clock.advance(1000);
    }
    expect(await throttle.attempt('alice')).toBe(50);
    expect(await throttle.attempt('bob')).toBeUndefined();
    clock.advance(49_500);
    expect(await throttle.attempt('alice')).toBe(1);
    clock.advance(500);
    expect(await throttle.attempt('alice')).toBeUndefined();
  });

  it('lets no more than maxFailures attempts through when they arrive at once', async () => {
    const throttle = createLoginThrottle({ maxFailures: 10, window: 60 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => throttle.attempt('alice')));
    expect(answers.filter((wait) => wait === undefined)).toHaveLength(10);
  });

  it('never throttles successful attempts: a success clears the count', async () => {
    const clock = clockAt(0);
    const throttle = createLoginThrottle({ maxFailures: 2, window: 60, clock: clock.now });
    for (let i = 0; i < 100; i++) {
      expect(await throttle.attempt('k')).toBeUndefined();
      await throttle.success('k');
    }
    await throttle.attempt('k');
    await throttle.attempt('k');
    expect(await throttle.attempt('k')).toBe(60);
  });

  it('keeps keys of any length at a fixed size in its store', async () => {
    const seen: string[] = [];
    const memory = createMemoryFailureStore();
    const store = { ...memory, increment: (key: string, ms: number) => (seen.push(key), memory.increment(key, ms)) };
    await createLoginThrottle({ store }).attempt(`${'a'.repeat(100_000)}\n127.0.0.1`);
    expect(seen[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses bad options at creation, own properties only', async () => {
    expect(() => createLoginThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => createLoginThrottle({ window: Number.NaN })).toThrow(RangeError);
    expect(() => createLoginThrottle({ maxFailure: 3 } as never)).toThrow(/maxFailures/);
    expect(() => createLoginThrottle({ store: {} as never })).toThrow(TypeError);
    const inherited = Object.create({ maxFailures: 1 }) as { maxFailures?: number };
    const throttle = createLoginThrottle(inherited);
    await throttle.attempt('k');
    expect(await throttle.attempt('k')).toBeUndefined();
  });
});

describe('createMemoryFailureStore', () => {
  it('holds at most maxEntries keys, dropping the window closest to its end', async () => {
    const clock = clockAt(0);
    const store = createMemoryFailureStore({ maxEntries: 3, clock: clock.now });
    for (const key of ['a', 'b', 'c']) {
      await store.increment(key, 60_000);
      clock.advance(10);
    }
    await store.increment('d', 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect((await store.get('b'))?.count).toBe(1);
    expect((await store.get('d'))?.count).toBe(1);
  });

  it('forgets a window once it closed, so memory follows live windows, not requests', async () => {
    const clock = clockAt(0);
    const store = createMemoryFailureStore({ maxEntries: 2, clock: clock.now });
    for (let i = 0; i < 1000; i++) await store.increment('same', 1000);
    expect((await store.get('same'))?.count).toBe(1000);
    clock.advance(1000);
    expect(await store.get('same')).toBeUndefined();
    expect((await store.increment('same', 1000)).count).toBe(1);
  });
});
