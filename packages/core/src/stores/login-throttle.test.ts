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
      expect(await throttle.check('alice')).toBeUndefined();
      await throttle.failure('alice');
      clock.advance(1000);
    }
    expect(await throttle.check('alice')).toBe(50);
    expect(await throttle.check('bob')).toBeUndefined();
    clock.advance(49_500);
    expect(await throttle.check('alice')).toBe(1);
    clock.advance(500);
    expect(await throttle.check('alice')).toBeUndefined();
  });

  it('does not count successes, and a success clears the failures', async () => {
    const clock = clockAt(0);
    const throttle = createLoginThrottle({ maxFailures: 2, window: 60, clock: clock.now });
    await throttle.failure('k');
    await throttle.success('k');
    await throttle.failure('k');
    expect(await throttle.check('k')).toBeUndefined();
    await throttle.failure('k');
    expect(await throttle.check('k')).toBe(60);
  });

  it('refuses bad options at creation, own properties only', () => {
    expect(() => createLoginThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => createLoginThrottle({ window: Number.NaN })).toThrow(RangeError);
    expect(() => createLoginThrottle({ maxFailure: 3 } as never)).toThrow(/maxFailures/);
    expect(() => createLoginThrottle({ store: {} as never })).toThrow(TypeError);
    const inherited = Object.create({ maxFailures: 1 }) as { maxFailures?: number };
    const clock = clockAt(0);
    const throttle = createLoginThrottle(Object.assign(inherited, { clock: clock.now }));
    return throttle.failure('k').then(async () => expect(await throttle.check('k')).toBeUndefined());
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
