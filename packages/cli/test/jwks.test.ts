import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { startJwksServer } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, scratch } from './run.js';

const work = scratch();
afterAll(() => work.remove());
const cli = (args: string[], input?: string) => run(args, { cwd: work.dir, ...(input === undefined ? {} : { input }) });
const jwksFile = () => JSON.parse(readFileSync(work.path('jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

beforeAll(async () => {
  for (const [alg, kid] of [['ES256', 'k1'], ['ES256', 'k2'], ['RS256', 'r1']]) {
    expect((await cli(['keys', 'generate', '--alg', alg as string, '--kid', kid as string, '--out', `${kid}.json`])).code).toBe(0);
  }
  expect((await cli(['keys', 'generate', '--alg', 'HS256', '--out', 'secret.json'])).code).toBe(0);
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  writeFileSync(work.path('weak.json'), JSON.stringify({ ...weak, kid: 'weak' }));
});

describe('jwt-gate jwks', () => {
  it('adds public keys to a new file, from a public JWK or from a private key, never a private member', async () => {
    const first = await cli(['jwks', 'add', 'jwks.json', 'k1.pub.json', '--json']);
    expect(first.code).toBe(0);
    expect(first.json().keys).toEqual([expect.objectContaining({ kid: 'k1', status: 'usable' })]);
    const second = await cli(['jwks', 'add', 'jwks.json', 'k2.json']);
    expect(second.code).toBe(0);
    expect(jwksFile().keys.map((key) => key['kid'])).toEqual(['k1', 'k2']);
    for (const key of jwksFile().keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    expect(second.stdout).not.toContain(JSON.parse(readFileSync(work.path('k2.json'), 'utf8')).d);
  });

  it('lists the keys with what the verifier makes of each', async () => {
    const result = await cli(['jwks', 'list', 'jwks.json', '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ keys: [{ kid: 'k1', kty: 'EC', crv: 'P-256', alg: 'ES256', status: 'usable' }, { kid: 'k2', status: 'usable' }], problems: [] });
    const text = await cli(['jwks', 'list', 'jwks.json']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('k1');
    expect(text.stdout).toContain('k2');
  });

  it('a token signed with a newly added key verifies against the file', async () => {
    const token = (await cli(['sign', '--key', 'k2.json', '--iss', 'I', '--aud', 'A', '--sub', 'S'])).stdout.trim();
    expect((await cli(['verify', '--iss', 'I', '--aud', 'A', '--jwks', 'jwks.json'], token)).code).toBe(0);
  });

  it.each([
    ['a kid already in the set', ['k1.pub.json']],
    ['an HMAC secret', ['secret.json']],
    ['an RSA key under 2048 bits', ['weak.json']],
    ['a missing key file', ['nowhere.json']],
  ])('refuses %s with exit 2 and leaves the file as it was', async (_name, args) => {
    const before = readFileSync(work.path('jwks.json'), 'utf8');
    const result = await cli(['jwks', 'add', 'jwks.json', ...args]);
    expect(result.code).toBe(2);
    expect(readFileSync(work.path('jwks.json'), 'utf8')).toBe(before);
    if (args[0] === 'secret.json') expect(result.stdout + result.stderr).not.toContain(JSON.parse(readFileSync(work.path('secret.json'), 'utf8')).k);
  });

  it('removes a key by kid; an unknown kid and the last key are refused (exit 2) unless --force', async () => {
    expect((await cli(['jwks', 'remove', 'jwks.json', 'k9'])).code).toBe(2);
    const removed = await cli(['jwks', 'remove', 'jwks.json', 'k1', '--json']);
    expect(removed.code).toBe(0);
    expect(removed.json().keys.map((key: { kid: string }) => key.kid)).toEqual(['k2']);
    expect((await cli(['jwks', 'remove', 'jwks.json', 'k2'])).code).toBe(2);
    expect(jwksFile().keys).toHaveLength(1);
    expect((await cli(['jwks', 'remove', 'jwks.json', 'k2', '--force'])).code).toBe(0);
    expect(jwksFile().keys).toEqual([]);
  });

  it('lists a JWKS from a URL; a failing endpoint exits 3', async () => {
    const rsa = JSON.parse(readFileSync(work.path('r1.pub.json'), 'utf8'));
    const weak = JSON.parse(readFileSync(work.path('weak.json'), 'utf8'));
    const server = await startJwksServer({ keys: [rsa, weak] });
    try {
      const result = await cli(['jwks', 'list', server.jwksUri, '--json']);
      expect(result.code).toBe(0);
      expect(result.json().keys).toEqual([expect.objectContaining({ kid: 'r1', bits: 2048, status: 'usable' }), expect.objectContaining({ kid: 'weak', bits: 1024, status: 'refused' })]);
      expect(result.json().problems).toEqual([expect.objectContaining({ severity: 'error', code: 'weak-key', kid: 'weak' })]);
      server.behaviour = { kind: 'status', status: 500 };
      expect((await cli(['jwks', 'list', server.jwksUri])).code).toBe(3);
    } finally {
      await server.close();
    }
  });
});
