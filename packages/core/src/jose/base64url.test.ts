import { Buffer } from 'node:buffer';
import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeBase64urlInPlace, encodeBase64url, isCanonicalBase64url } from './base64url.js';
import { createNodeBackend } from '../crypto/node.js';

const seed = 20261129;
const reference = (segment: string) => new Uint8Array(Buffer.from(segment, 'base64url'));
// Characters outside the alphabet, including ones whose low byte is in it ('Ł' is U+0141, 'A' is
// 0x41) and a lone surrogate.
const outsiders = ['+', '/', '=', ' ', '.', '\0', '\u00ff', '\u0141', '\u4e41', '\ud800', '\u{1f600}'];

describe('decodeBase64url', () => {
  it('agrees with a reference decoder on every length and content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const segment = Buffer.from(bytes).toString('base64url');
        expect(isCanonicalBase64url(segment)).toBe(true);
        expect(decodeBase64url(segment)).toEqual(new Uint8Array(bytes));
        expect(encodeBase64url(bytes)).toBe(segment);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('refuses a character outside the alphabet wherever it stands', () => {
    for (const length of [1, 2, 3, 4, 5, 6, 7, 8, 43, 342]) {
      const valid = 'QUJD'.repeat(100).slice(0, length);
      for (let at = 0; at < length; at++) {
        for (const bad of outsiders) {
          expect(decodeBase64url(valid.slice(0, at) + bad + valid.slice(at + 1)), `${length}/${at}/${bad.codePointAt(0)}`).toBeNull();
        }
      }
    }
  });

  it('drops a lone trailing character (never canonical) but still checks it', () => {
    expect(isCanonicalBase64url('QUJDR')).toBe(false);
    expect(decodeBase64url('QUJDR')).toEqual(reference('QUJD'));
    expect(decodeBase64url('QUJD+')).toBeNull();
  });

  it('decodes in place over the ASCII bytes it is given', () => {
    const bytes = new TextEncoder().encode('aGVsbG8sIHdvcmxk');
    expect(new TextDecoder().decode(bytes.subarray(0, decodeBase64urlInPlace(bytes, bytes.length)))).toBe('hello, world');
    expect(decodeBase64urlInPlace(new Uint8Array([0x41, 0x41, 0xc3, 0xa9]), 4)).toBe(-1);
  });
});

// The Node backend decodes through a reusable buffer; these hold it to the same answers.
const node = createNodeBackend();

describe.skipIf(node === undefined)('the Node backend decoding', () => {
  const backend = node!;
  const text = (value: string) => Buffer.from(value, 'utf8').toString('base64url');

  it('decodes ASCII and UTF-8 text of any size, and refuses invalid UTF-8 or base64url', () => {
    const samples = ['{"sub":"a"}', '{"name":"Zoë 🚀 名前"}', 'x'.repeat(5000), 'é'.repeat(40_000), 'y'.repeat(100_000), ''];
    for (const sample of [...samples, ...[...samples].reverse()]) expect(backend.decodeText(text(sample))).toBe(sample);
    expect(() => backend.decodeText(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url'))).toThrow(TypeError);
    expect(() => backend.decodeText(Buffer.from([0xed, 0xa0, 0x80]).toString('base64url'))).toThrow(TypeError);
    for (const bad of outsiders) expect(() => backend.decodeText(`e30${bad}`)).toThrow(TypeError);
  });

  it('answers false, never throws, for a signature that is not base64url or of the wrong length', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const handle = backend.prepare({ kind: 'key-object', key: publicKey }, 'ES256');
    const input = `${text('{"alg":"ES256"}')}.${text('{"sub":"a"}')}`;
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    expect(backend.verify('ES256', handle, input, signature)).toBe(true);
    for (const bad of outsiders) expect(backend.verify('ES256', handle, input, `${signature.slice(0, 40)}${bad}${signature.slice(41)}`)).toBe(false);
    expect(backend.verify('ES256', handle, input, signature.slice(0, -4))).toBe(false);
    expect(backend.verify('ES256', handle, input, `${signature}AAAA`)).toBe(false);
    // A large decode in between leaves the next check unaffected.
    backend.decodeText(text('z'.repeat(70_000)));
    expect(backend.verify('ES256', handle, input, signature)).toBe(true);
  });
});
