import { describe, expect, it } from 'vitest';
import { CliError } from '../src/output.js';
import { parseDuration, parseTime } from '../src/time.js';

describe('durations and points in time as flags take them', () => {
  it.each([
    ['90', 90],
    ['0', 0],
    ['90s', 90],
    ['15m', 900],
    ['1h30m', 5400],
    ['7d', 604_800],
    ['2w', 1_209_600],
    ['1d2h3m4s', 93_784],
    ['1m1m', 120],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text, '--exp')).toBe(seconds);
  });

  it.each(['', 'm', '15x', '15mm', 'h1', '-5m', '1.5h', '15 m', '1h30', 'toString', '1__proto__', '5M'])('refuses %j with a CliError', (text) => {
    expect(() => parseDuration(text, '--exp')).toThrow(CliError);
  });

  it('reads a long run of digits without a unit in one pass and refuses it', () => {
    const text = `${'1'.repeat(200_000)}x`;
    expect(() => parseDuration(text, '--exp')).toThrow(CliError);
  });

  it('takes now, offsets, ISO 8601 dates and NumericDates', () => {
    const now = 1_800_000_000;
    expect(parseTime('now', '--nbf', now)).toBe(now);
    expect(parseTime('+5m', '--nbf', now)).toBe(now + 300);
    expect(parseTime('-1h', '--nbf', now)).toBe(now - 3600);
    expect(parseTime('1700000000', '--nbf', now)).toBe(1_700_000_000);
    expect(parseTime('2030-01-01T00:00:00Z', '--nbf', now)).toBe(1_893_456_000);
    expect(() => parseTime('tomorrow', '--nbf', now)).toThrow(CliError);
    expect(() => parseTime('+soon', '--nbf', now)).toThrow(CliError);
  });
});
