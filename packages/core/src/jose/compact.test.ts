import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNodeBackend } from '../crypto/node.js';
import { createWebBackend } from '../crypto/web.js';
import { isAuthError } from '../errors/auth-error.js';
import { createCompactParser, isCompactJwe } from './compact.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const HEADER = b64('{"alg":"HS256","typ":"JWT"}');
const PAYLOAD = b64('{"sub":"alice","n":1}');
const SIG = b64('signature-bytes!');
const TOKEN = `${HEADER}.${PAYLOAD}.${SIG}`;

const backends = [createNodeBackend(), createWebBackend()].filter((b) => b !== undefined);

/** The refusal's code and reason, or 'ok'. */
function outcome(parse: (token: unknown) => unknown, token: unknown): string {
  try {
    parse(token);
    return 'ok';
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return [error.code, (error as { reason?: string }).reason].filter(Boolean).join(' ');
  }
}

describe.each(backends.map((backend) => [backend.name, backend] as const))('createCompactParser (%s backend)', (_, backend) => {
  const parse = createCompactParser({ maxSize: 8192, backend, realm: 'api' });

  it('splits a JWS into its header, payload, signing input and signature', () => {
    expect(parse(TOKEN)).toEqual({ header: { alg: 'HS256', typ: 'JWT' }, payload: { sub: 'alice', n: 1 }, signingInput: `${HEADER}.${PAYLOAD}`, signature: SIG });
  });

  it('refuses a token over the size cap before reading it, and takes one exactly at the cap', () => {
    const small = createCompactParser({ maxSize: TOKEN.length, backend, realm: 'api' });
    expect(outcome(small, TOKEN)).toBe('ok');
    const tight = createCompactParser({ maxSize: TOKEN.length - 1, backend, realm: 'api' });
    expect(outcome(tight, TOKEN)).toBe('ERR_TOKEN_TOO_LARGE');
    expect(outcome(tight, `${'!'.repeat(TOKEN.length)}`)).toBe('ERR_TOKEN_TOO_LARGE');
  });

  it('refuses what is not three non-empty base64url segments', () => {
    for (const token of [undefined, null, 42, {}, '', 'a', 'a.b', 'a.b.c.d', `${HEADER}..${SIG}`, `.${PAYLOAD}.${SIG}`, `${HEADER}.${PAYLOAD}.`, `${HEADER}.${PAYLOAD}.${SIG}=`, `${HEADER}.${PAYLOAD}.a+b`, ` ${TOKEN}`, `${TOKEN}\n`]) {
      expect(outcome(parse, token), String(token)).toBe('ERR_TOKEN_MALFORMED format');
    }
  });

  it('answers a compact JWE with ERR_JWE_NOT_ACCEPTED, including one with an empty encrypted key', () => {
    for (const jwe of ['eyJh.ZW5j.aXY.Y3Q.dGFn', 'eyJh..aXY.Y3Q.dGFn']) {
      expect(isCompactJwe(jwe)).toBe(true);
      expect(outcome(parse, jwe)).toBe('ERR_JWE_NOT_ACCEPTED');
    }
    for (const other of [TOKEN, 'a.b.c.d', 'a.b..d.e', '.b.c.d.e', 'a.b.c.d.e.f']) expect(isCompactJwe(other), other).toBe(false);
  });

  it('refuses non-canonical base64url in any segment', () => {
    // "Q" alone and trailing bits set ("QR" is 'A' with stray bits) decode loosely elsewhere.
    expect(outcome(parse, `${HEADER.slice(0, -1)}${HEADER.endsWith('9') ? '8' : '9'}.${PAYLOAD}.${SIG}`)).toMatch(/^ERR_TOKEN_MALFORMED/);
    expect(outcome(parse, `${HEADER}.${PAYLOAD}.QR`)).toBe('ERR_TOKEN_MALFORMED base64url');
    expect(outcome(parse, `${HEADER}.Q.${SIG}`)).toBe('ERR_TOKEN_MALFORMED base64url');
    expect(outcome(parse, `Q.${PAYLOAD}.${SIG}`)).toBe('ERR_TOKEN_MALFORMED base64url');
  });

  it('refuses a header or payload that is not UTF-8, or not one strict JSON object', () => {
    const bytes = (values: number[]) => Buffer.from(values).toString('base64url');
    expect(outcome(parse, `${bytes([0x7b, 0xff, 0x7d])}.${PAYLOAD}.${SIG}`)).toBe('ERR_TOKEN_MALFORMED header_utf8');
    expect(outcome(parse, `${HEADER}.${bytes([0x7b, 0xc3, 0x7d])}.${SIG}`)).toBe('ERR_TOKEN_MALFORMED payload_utf8');
    for (const json of ['[]', '"x"', '{"a":1,"a":2}', '{', 'null']) {
      expect(outcome(parse, `${b64(json)}.${PAYLOAD}.${SIG}`), json).toBe('ERR_TOKEN_MALFORMED header_json');
      expect(outcome(parse, `${HEADER}.${b64(json)}.${SIG}`), json).toBe('ERR_TOKEN_MALFORMED payload_json');
    }
  });

  it('gives every caller the same header values, which none can alter for the next', () => {
    const first = parse(TOKEN);
    expect(() => {
      (first.header as Record<string, unknown>).alg = 'none';
    }).toThrow(TypeError);
    expect(parse(TOKEN).header).toEqual({ alg: 'HS256', typ: 'JWT' });
    // A header too long to be kept is decoded afresh each time, with the same result.
    const long = b64(JSON.stringify({ alg: 'HS256', pad: 'x'.repeat(600) }));
    const a = parse(`${long}.${PAYLOAD}.${SIG}`).header;
    (a as Record<string, unknown>).alg = 'none';
    expect(parse(`${long}.${PAYLOAD}.${SIG}`).header.alg).toBe('HS256');
    // Payloads are never shared between calls.
    const p = parse(TOKEN).payload;
    p.sub = 'mallory';
    expect(parse(TOKEN).payload.sub).toBe('alice');
  });

  it('hands out a header segment of up to 512 characters frozen, and a longer one decoded afresh', () => {
    // 384 bytes of JSON are 512 base64url characters; 385 are 514.
    const sized = (bytes: number) => b64(`{"alg":"HS256","pad":"${'x'.repeat(bytes - 24)}"}`);
    const shared = sized(384);
    const fresh = sized(385);
    expect([shared.length, fresh.length]).toEqual([512, 514]);
    const first = parse(`${shared}.${PAYLOAD}.${SIG}`).header;
    expect(() => {
      (first as Record<string, unknown>).alg = 'none';
    }).toThrow(TypeError);
    expect(parse(`${shared}.${PAYLOAD}.${SIG}`).header.alg).toBe('HS256');
    const own = parse(`${fresh}.${PAYLOAD}.${SIG}`).header;
    (own as Record<string, unknown>).alg = 'none';
    expect(parse(`${fresh}.${PAYLOAD}.${SIG}`).header.alg).toBe('HS256');
  });

  it('keeps reading headers right after many distinct ones have been seen', () => {
    for (let i = 0; i < 200; i++) {
      const header = b64(JSON.stringify({ alg: 'HS256', kid: `k${i}` }));
      expect(parse(`${header}.${PAYLOAD}.${SIG}`).header.kid).toBe(`k${i}`);
    }
    expect(parse(TOKEN).header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('gives each generated token exactly one answer: parsed, or one of its three refusals', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('e', 'y', 'J', '9', '.', '-', '_', 'Q', '=', '+', ' '), maxLength: 40 }), (token) => {
        const result = outcome(parse, token);
        expect(result === 'ok' || /^ERR_(?:TOKEN_MALFORMED|TOKEN_TOO_LARGE|JWE_NOT_ACCEPTED)\b/.test(result), result).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
