import { describe, expect, it } from 'vitest';
import { showsOutput } from './readme-walkthrough.js';

describe('showsOutput: the lines a README shows, found in order in what a command printed', () => {
  const printed = ['HTTP/1.1 429 Too Many Requests', 'Retry-After: 58', 'Content-Type: application/json', '', '{"error":"slow_down","error_description":"Too many failed logins"}'].join('\r\n');

  it('finds literal lines in order, header names in any letter case, numbers of numeric headers as any number', () => {
    expect(showsOutput(['HTTP/1.1 429 Too Many Requests', 'retry-after: 12', ''], printed)).toBe(true);
    expect(showsOutput(['content-type: application/json'], printed)).toBe(true);
  });

  it('takes ... as anything, at the start, the middle or the end', () => {
    expect(showsOutput(['{"error":"slow_down",...}'], printed)).toBe(true);
    expect(showsOutput(['...Too Many...'], printed)).toBe(true);
    expect(showsOutput(['HTTP/1.1 ... Too Many Requests'], printed)).toBe(true);
    expect(showsOutput(['{"error":"slow_down"...failed logins"}'], printed)).toBe(true);
  });

  it('fails on a missing line, lines out of order, or parts that overlap', () => {
    expect(showsOutput(['HTTP/1.1 200 OK'], printed)).toBe(false);
    expect(showsOutput(['Content-Type: application/json', 'Retry-After: 58'], printed)).toBe(false);
    expect(showsOutput(['Retry-After: soon'], printed)).toBe(false);
    expect(showsOutput(['HTTP/1.1 429...429 Too Many Requests'], printed)).toBe(false);
    expect(showsOutput(['{"error":...,"error":...}'], printed)).toBe(false);
    expect(showsOutput(['HTTP/1.1 429'], printed)).toBe(false);
  });
});
