// Durations (`15m`, `1h30m`, `90`) and points in time (`now`, `+5m`, `-1h`, ISO 8601, a
// NumericDate) as flags take them, and NumericDates shown readable and relative.

import { CliError } from './output.js';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in a duration: a bare number of seconds, or units such as `15m`, `1h30m`, `7d`. */
export function parseDuration(text: string, flag: string): number {
  const invalid = () => new CliError(`${flag} takes a duration such as 90, 90s, 15m, 1h30m or 7d`);
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '') throw invalid();
  // One `<digits><unit>` part after another, read left to right in one pass.
  let seconds = 0;
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text[end]! >= '0' && text[end]! <= '9') end += 1;
    const unit = Object.hasOwn(UNITS, text[end] ?? '') ? UNITS[text[end] as string] : undefined;
    if (end === start || unit === undefined) throw invalid();
    seconds += Number(text.slice(start, end)) * unit;
    start = end + 1;
  }
  return seconds;
}

/**
 * A NumericDate (seconds since the epoch) from `now`, an offset from now (`+5m`, `-1h`), an ISO
 * 8601 date, or a NumericDate given as a bare number.
 */
export function parseTime(text: string, flag: string, nowSeconds: number): number {
  if (text === 'now') return nowSeconds;
  if (text.startsWith('+') || text.startsWith('-')) return nowSeconds + (text.startsWith('-') ? -1 : 1) * parseDuration(text.slice(1), flag);
  if (/^\d+$/.test(text)) return Number(text);
  const ms = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new CliError(`${flag} takes now, +5m, -1h, an ISO 8601 date or seconds since the epoch`);
  return Math.floor(ms / 1000);
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** `in 14 minutes`, `3 hours ago`: the largest whole unit, rounded towards zero. */
export function relative(seconds: number, nowSeconds: number): string {
  const diff = seconds - nowSeconds;
  for (const [unit, size] of STEPS) {
    if (Math.abs(diff) >= size || unit === 'second') return RELATIVE.format(Math.trunc(diff / size), unit);
  }
  return RELATIVE.format(diff, 'second');
}

/** A NumericDate as ISO 8601 (UTC, whole seconds). */
export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The NumericDate claims, shown in text and JSON output. */
export const DATE_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time', 'updated_at'] as const;

/** A readable account of a NumericDate claim, or undefined when it is not a finite number. */
export function describeDate(value: unknown, nowSeconds: number): { iso: string; relative: string } | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e12) return undefined;
  return { iso: isoDate(value), relative: relative(value, nowSeconds) };
}
