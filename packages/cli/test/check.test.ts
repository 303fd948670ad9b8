import { generateKeyPairSync } from 'node:crypto';
import { createTestKey, startJwksServer, type JwksServer, type TestKey } from '@jwt-gate/testing';
import type { JWK } from '@jwt-gate/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from './run.js';

let es: TestKey;
let rsa: TestKey;
let server: JwksServer;

beforeAll(async () => {
  es = await createTestKey('ES256', { kid: 'es-1' });
  rsa = await createTestKey('RS256', { kid: 'rsa-1' });
});
beforeEach(async () => {
  server = await startJwksServer({ keys: [es.publicJwk!, rsa.publicJwk!] });
});
afterEach(() => server.close());

const check = async (args: string[] = []) => {
  const result = await run(['check', server.issuer, '--json', ...args]);
  return { code: result.code, report: result.json(), stdout: result.stdout, stderr: result.stderr };
};
const codes = (report: { problems: { code: string }[] }) => report.problems.map((problem) => problem.code);
const withoutKid = ({ kid: _kid, ...jwk }: JWK): JWK => jwk;
const metadata = (extra: Record<string, unknown>) => JSON.stringify({ issuer: server.issuer, jwks_uri: server.jwksUri, ...extra });

describe('jwt-gate check', () => {
  it('passes a sound setup: metadata, keys usable, and the verifier loads them (exit 0)', async () => {
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: 0, issuer: server.issuer, metadataUrl: `${server.origin}/.well-known/openid-configuration`, jwksUri: server.jwksUri, verifier: 'loaded the keys' });
    expect(report.keys).toEqual([expect.objectContaining({ kid: 'es-1', status: 'usable' }), expect.objectContaining({ kid: 'rsa-1', bits: 2048, status: 'usable' })]);
    const text = await run(['check', server.issuer]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('es-1');
  });

  it('finds RFC 8414 metadata when there is no OpenID configuration', async () => {
    await server.close();
    server = await startJwksServer({ keys: [es.publicJwk!], rfc8414: true });
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report.metadataUrl).toBe(`${server.origin}/.well-known/oauth-authorization-server`);
  });

  it('reports an issuer mismatch, a trailing slash included (exit 1)', async () => {
    server.issuer = `${server.origin}/`;
    const result = await run(['check', server.origin, '--json']);
    expect(result.code).toBe(1);
    expect(codes(result.json())).toEqual(['issuer-mismatch']);
    expect(result.json().verifier).toBe('not run');
  });

  it.each<[string, () => JWK[], string[]]>([
    ['an RSA key under 2048 bits', () => [{ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'small' } as JWK], ['weak-key', 'no-usable-keys']],
    ['two keys under one kid', () => [es.publicJwk!, { ...rsa.publicJwk!, kid: 'es-1' }], ['duplicate-kid']],
    ['a published HMAC secret', () => [es.publicJwk!, { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'hs' }], ['secret-published']],
    ['an algorithm the verifier refuses', () => [es.publicJwk!, { ...rsa.publicJwk!, alg: 'RS1' }], ['algorithm-refused']],
    ['an unsupported curve', () => [es.publicJwk!, { kty: 'EC', crv: 'secp256k1', x: es.publicJwk!.x!, y: es.publicJwk!.y!, kid: 'k256' }], ['key-refused']],
  ])('reports %s as an error (exit 1)', async (_name, keys, expected) => {
    server.keys = keys();
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(codes(report)).toEqual(expected);
  });

  it('reports a published private key without printing any of it', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = { ...pair.privateKey.export({ format: 'jwk' }), kid: 'oops' } as JWK;
    server.keys = [es.publicJwk!, privateJwk];
    for (const json of [true, false]) {
      const result = await run(['check', server.issuer, ...(json ? ['--json'] : [])]);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).not.toContain(privateJwk.d);
      if (json) expect(codes(result.json())).toEqual(['private-key-published']);
    }
  });

  it.each<[string, () => void, string[]]>([
    ['keys without kid', () => (server.keys = [withoutKid(es.publicJwk!)]), ['key-without-kid']],
    ['the same key twice', () => (server.keys = [es.publicJwk!, { ...es.publicJwk!, kid: 'es-2' }]), ['duplicate-key']],
    ['a jwks_uri on another host', () => (server.metadata = metadata({ jwks_uri: server.jwksUri.replace('127.0.0.1', 'localhost') })), ['jwks-uri-other-host']],
    ['advertised algorithms the verifier refuses', () => (server.metadata = metadata({ id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'] })), ['algorithm-refused']],
  ])('warns about %s (exit 0; 1 with --strict)', async (_name, setUp, expected) => {
    setUp();
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, errors: 0, warnings: expected.length });
    expect(codes(report)).toEqual(expected);
    expect((await check(['--strict'])).code).toBe(1);
  });

  it.each<[string, () => void, string]>([
    ['no jwks_uri', () => (server.metadata = JSON.stringify({ issuer: server.issuer })), 'jwks-uri-missing'],
    ['a JWKS that is not one', () => (server.metadata = metadata({ jwks_uri: `${server.origin}/.well-known/openid-configuration` })), 'jwks-invalid'],
    ['metadata that is not JSON', () => (server.metadata = '<html>'), 'metadata-invalid'],
    ['only refused algorithms advertised', () => (server.metadata = metadata({ id_token_signing_alg_values_supported: ['HS256'] })), 'algorithm-refused'],
  ])('reports %s (exit 1)', async (_name, setUp, expected) => {
    setUp();
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(codes(report)).toContain(expected);
  });

  it('reports an issuer without metadata (exit 1)', async () => {
    const result = await run(['check', `${server.origin}/tenant`, '--json']);
    expect(result.code).toBe(1);
    expect(codes(result.json())).toEqual(['metadata-not-found']);
  });

  it('exits 3 when the metadata or the keys cannot be fetched', async () => {
    server.behaviour = { kind: 'status', status: 503 };
    const failing = await check();
    expect(failing.code).toBe(3);
    expect(failing.report).toMatchObject({ ok: false, unavailable: true });
    expect(codes(failing.report)).toEqual(['metadata-unavailable']);

    server.behaviour = { kind: 'huge', bytes: 300_000 };
    const huge = await check();
    expect(huge.code).toBe(3);
    expect(codes(huge.report)).toEqual(['jwks-unavailable']);

    server.behaviour = { kind: 'ok' };
    const elsewhere = await startJwksServer();
    await elsewhere.close();
    server.metadata = metadata({ jwks_uri: elsewhere.jwksUri });
    const noKeys = await check(['--timeout', '2s']);
    expect(noKeys.code).toBe(3);
    expect(codes(noKeys.report)).toContain('jwks-unavailable');

    const origin = server.issuer;
    await server.close();
    const down = await run(['check', origin, '--json', '--timeout', '2s']);
    expect(down.code).toBe(3);
    server = await startJwksServer();
  });

  it('refuses an issuer that is not an http(s) URL (exit 2)', async () => {
    expect((await run(['check', 'auth.example.com'])).code).toBe(2);
    expect((await run(['check', 'ftp://auth.example.com'])).code).toBe(2);
  });
});
