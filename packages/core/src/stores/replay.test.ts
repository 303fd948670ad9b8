import { describe, expect, it } from 'vitest';
import { createMemoryReplayStore } from './replay.js';

describe('createMemoryReplayStore', () => {
  it('records a value once for its window, then takes it again', async () => {
    let now = 1_000_000;
    const store = createMemoryReplayStore({ clock: () => now });
    expect(await store.recordOnce('jkt.jti-1', 60_000)).toBe(true);
    expect(await store.recordOnce('jkt.jti-1', 60_000)).toBe(false);
    expect(await store.recordOnce('jkt.jti-2', 60_000)).toBe(true);
    now += 59_999;
    expect(await store.recordOnce('jkt.jti-1', 60_000)).toBe(false);
    now += 1;
    expect(await store.recordOnce('jkt.jti-1', 60_000)).toBe(true);
  });

  it('lets exactly one of many concurrent calls with one value win', async () => {
    const store = createMemoryReplayStore();
    const answers = await Promise.all(Array.from({ length: 50 }, () => store.recordOnce('same', 1000)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('keeps long values apart at a fixed size, and never forgets one inside its window when full', async () => {
    let now = 0;
    const store = createMemoryReplayStore({ maxEntries: 2, clock: () => now });
    const long = 'x'.repeat(10_000);
    expect(await store.recordOnce(`${long}a`, 1000)).toBe(true);
    expect(await store.recordOnce(`${long}b`, 1000)).toBe(true);
    await expect(store.recordOnce('c', 1000)).rejects.toBeInstanceOf(RangeError);
    expect(await store.recordOnce(`${long}a`, 1000)).toBe(false);
    // Memory follows the values inside their window: once they end, there is room again.
    now += 1000;
    expect(await store.recordOnce('c', 1000)).toBe(true);
    expect(await store.recordOnce('d', 1000)).toBe(true);
  });

  it('refuses bad arguments and options', async () => {
    const store = createMemoryReplayStore();
    await expect(store.recordOnce('', 1000)).rejects.toBeInstanceOf(TypeError);
    await expect(store.recordOnce('k', 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.recordOnce('k', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createMemoryReplayStore({ maxEntry: 3 } as never)).toThrow(/maxEntries/);
  });
});
