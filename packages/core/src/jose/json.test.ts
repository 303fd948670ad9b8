import { hmacRaw, randomSecret } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../verification/verifier.js';
import { parseJsonObject } from './json.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJsonObject', () => {
  it('accepts nesting up to 256 levels and refuses deeper, without recursing into it', () => {
    expect(parseJsonObject(`{"x":${nested(255)}}`)).not.toBeNull();
    expect(parseJsonObject(`{"x":${nested(256)}}`)).toBeNull();
    expect(parseJsonObject(`{"x":${nested(300_000)}}`)).toBeNull();
    expect(parseJsonObject(`{"x":${'{"a":'.repeat(300_000)}1${'}'.repeat(300_000)}}`)).toBeNull();
  });

  it('makes a deeply nested token malformed, never a stack overflow, under a raised size cap', async () => {
    const secret = randomSecret(48);
    const verifier = createVerifier({ issuer: 'https://issuer.example', audience: 'api', secret, maxTokenSize: 1_048_576 });
    const exp = Math.floor(Date.now() / 1000) + 60;
    const claims = `"iss":"https://issuer.example","aud":"api","exp":${exp}`;
    for (const [header, payload] of [
      ['{"alg":"HS256"}', `{${claims},"x":${nested(250_000)}}`],
      [`{"alg":"HS256","x":${nested(250_000)}}`, `{${claims}}`],
    ] as const) {
      await expect(verifier.verify(await hmacRaw(secret, header, payload))).rejects.toMatchObject({ name: 'AuthError', code: 'ERR_TOKEN_MALFORMED' });
    }
    await expect(verifier.verify(await hmacRaw(secret, '{"alg":"HS256"}', `{${claims},"x":${nested(200)}}`))).resolves.toMatchObject({ claims: { iss: 'https://issuer.example' } });
  });

  describe('member names written with escapes', () => {
    it('reads a name as written after an earlier object cached a backslash name', () => {
      // On V8 this earlier parse makes JSON.parse read the next object's "\"" as "\\".
      expect(parseJsonObject(String.raw`{"h":[],"\\":0}`)).toEqual({ h: [], '\\': 0 });
      expect(parseJsonObject(String.raw`{"h":1,"\"":2}`)).toEqual({ h: 1, '"': 2 });
      expect(parseJsonObject(String.raw`{"h":1,"\n":2}`)).toEqual({ h: 1, '\n': 2 });
      expect(parseJsonObject(String.raw`{"h":1,"\"":2,"\"":3}`)).toBeNull();
      expect(parseJsonObject(String.raw`{"h":1,"\"":2,"\n":3}`)).toEqual({ h: 1, '"': 2, '\n': 3 });
    });

    it('refuses a name given twice, escaped or not, at any depth', () => {
      for (const text of [
        String.raw`{"a":1,"\u0061":2}`,
        String.raw`{"\u0061":1,"a":2}`,
        String.raw`{"x":[1,{"\u0062":1,"b":2}]}`,
        String.raw`{"x":{"y":{"\"":1,"\u0022":2}}}`,
      ]) {
        expect(parseJsonObject(text), text).toBeNull();
      }
    });

    it('refuses a __proto__ member however it is written', () => {
      for (const text of [String.raw`{"\u005f_proto__":{}}`, String.raw`{"a\"":1,"x":[{"__proto__":1}]}`, String.raw`{"a\"":1,"x":{"__pr\u006fto__":{"admin":true}}}`]) {
        expect(parseJsonObject(text), text).toBeNull();
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('reads every kind of value, however it is spaced', () => {
      const text = ' {\n\t"\\u0061" : [ 1 , -2.5e3 , 0 , true , false , null , "s\\"\\u00e9" , { } , [ ] , {"b" :{"c":[]}} ] ,\r\n "d":"" } ';
      expect(parseJsonObject(text)).toEqual({ a: [1, -2500, 0, true, false, null, 's"é', {}, [], { b: { c: [] } }], d: '' });
      expect(parseJsonObject(String.raw`{"\t":{}}`)).toEqual({ '\t': {} });
      expect(parseJsonObject(String.raw`{"\t":[]}`)).toEqual({ '\t': [] });
      expect(parseJsonObject(String.raw`{"\t":-0.5E+2}`)).toEqual({ '\t': -50 });
    });

    it('holds the nesting limit', () => {
      expect(parseJsonObject(String.raw`{"\u0061":${nested(255)}}`)).not.toBeNull();
      expect(parseJsonObject(String.raw`{"\u0061":${nested(256)}}`)).toBeNull();
      expect(parseJsonObject(String.raw`{"\u0061":1,"x":${nested(300_000)}}`)).toBeNull();
      expect(parseJsonObject(String.raw`{"\u0061":1,"x":${'{"a":'.repeat(300_000)}1${'}'.repeat(300_000)}}`)).toBeNull();
    });

    it('refuses anything but one object', () => {
      for (const text of [String.raw`["\u0061"]`, String.raw`"\u0061"`, String.raw`{"\u0061":1}x`, String.raw`{"\u0061":1,}`]) {
        expect(parseJsonObject(text), text).toBeNull();
      }
    });
  });
});
