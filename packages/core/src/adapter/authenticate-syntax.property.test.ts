// Where the Authorization header is the only transport, a bearer token's syntax is checked by the
// verifier, and only for a token not in its cache. These tests hold that path to the plain one
// (syntax checked at extraction, as every authenticator with another transport does): the same
// answer for every header, cached or not, traced or not.
import { tracingChannel } from 'node:diagnostics_channel';
import { createTestKey, signToken } from '@jwt-gate/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthError } from '../errors/auth-error.js';
import { createVerifier } from '../verification/verifier.js';
import { createAuthenticator, type Authenticator } from './authenticate.js';
import type { RequestView } from './extract.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';

const view = (authorization: string | readonly string[] | undefined): RequestView => ({ method: 'GET', header: (name) => (name === 'authorization' ? authorization : undefined) });

// Every answer an authenticator may give, comparable: the subject served, null, or a refusal's status and code.
async function outcome(auth: Authenticator, request: RequestView): Promise<string> {
  try {
    const result = await auth.authenticate(request);
    return result === null ? 'anonymous' : `served ${String(result.claims.sub)}`;
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return `${error.status} ${error.code}`;
  }
}

describe('the bearer token syntax checked by the verifier', async () => {
  const key = await createTestKey('HS256');
  const secret = key.secret as string;
  const cached = await signToken(key, { iss: issuer, aud: audience, sub: 'alice' });
  const fresh = await signToken(key, { iss: issuer, aud: audience, sub: 'bob' });
  const expired = await signToken(key, { iss: issuer, aud: audience, sub: 'carol' }, { expiresIn: -60 });
  const other = await signToken(await createTestKey('HS256'), { iss: issuer, aud: audience, sub: 'mallory' });

  // One verifier (one cache) for both; a cookie that no request carries puts the second on the plain path.
  function pair(options: { optional?: boolean; requireEncryption?: boolean } = {}) {
    const verifier = createVerifier({ issuer, audience, secret, ...(options.requireEncryption === true ? { requireEncryption: true, decryption: { keys: crypto.getRandomValues(new Uint8Array(32)) } } : {}) });
    const optional = options.optional ?? false;
    return { late: createAuthenticator({ verifier, optional }), plain: createAuthenticator({ verifier, optional, cookie: 'unused' }) };
  }

  // Header values around real tokens: whole, cut, padded, spaced, joined, with characters a b64token refuses.
  const token = fc.constantFrom(cached, fresh, expired, other, 'a.b.c', 'abc', '');
  const edit = fc.constantFrom(
    (t: string) => t,
    (t: string) => `${t} `,
    (t: string) => ` ${t}`,
    (t: string) => `${t}=`,
    (t: string) => `${t}==x`,
    (t: string) => `${t},`,
    (t: string) => `${t}, Bearer ${cached}`,
    (t: string) => `${t}, Basic YTpi`,
    (t: string) => `${t}\t`,
    (t: string) => t.slice(0, -1),
    (t: string) => `${t.slice(0, 10)}!${t.slice(11)}`,
    (t: string) => `${t.slice(0, 10)}é${t.slice(11)}`,
    (t: string) => `"${t}"`,
  );
  const scheme = fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', 'Basic ', 'DPoP ', '', 'Bearer');
  const value = fc.oneof(
    fc.tuple(scheme, token, edit).map(([s, t, e]) => `${s}${e(t)}`),
    fc.string({ maxLength: 24 }),
    fc.array(fc.constantFrom('Bearer', ' ', ',', '\t', '=', cached, 'x'), { maxLength: 6 }).map((parts) => parts.join('')),
  );
  const header = fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: fc.tuple(value, value) }, { weight: 1, arbitrary: fc.constant(undefined) });

  it('answers every Authorization header as the plain path does, with the token cached and not', async () => {
    for (const optional of [false, true]) {
      const { late, plain } = pair({ optional });
      await fc.assert(
        fc.asyncProperty(header, async (authorization) => {
          const request = view(authorization);
          expect(await outcome(late, request)).toBe(await outcome(plain, request));
        }),
        { numRuns: 300 },
      );
      // And again with the tokens cached, through the other path first.
      await plain.authenticate(view(`Bearer ${cached}`));
      await late.authenticate(view(`Bearer ${fresh}`));
      await fc.assert(
        fc.asyncProperty(header, async (authorization) => {
          const request = view(authorization);
          expect(await outcome(late, request)).toBe(await outcome(plain, request));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('refuses a malformed header around a cached token with 400, as before it was cached', async () => {
    const { late } = pair();
    await expect(outcome(late, view(`Bearer ${cached}`))).resolves.toBe('served alice');
    for (const authorization of [`Bearer ${cached} `, `Bearer ${cached}\t`, `Bearer ${cached}, Bearer ${cached}`, `Bearer ${cached},`, `Bearer "${cached}"`, `Bearer ${cached}é`]) {
      const answer = await outcome(late, view(authorization));
      expect(answer.startsWith('400 ')).toBe(true);
    }
    await expect(outcome(late, view(`Bearer ${cached}, Bearer ${fresh}`))).resolves.toBe('400 ERR_MULTIPLE_TOKENS');
    await expect(outcome(late, view(`Bearer ${cached}!`))).resolves.toBe('400 ERR_INVALID_REQUEST');
  });

  it('checks the syntax before the encryption requirement, as the plain path does', async () => {
    const { late, plain } = pair({ requireEncryption: true });
    for (const authorization of [`Bearer ${cached} x`, `Bearer ${cached}`, 'Bearer a!b', `Bearer ${cached}, Bearer x`]) {
      expect(await outcome(late, view(authorization))).toBe(await outcome(plain, view(authorization)));
    }
    await expect(outcome(late, view('Bearer a!b'))).resolves.toBe('400 ERR_INVALID_REQUEST');
    await expect(outcome(late, view(`Bearer ${cached}`))).resolves.toBe('401 ERR_ENCRYPTION_REQUIRED');
  });

  it('traces no verification for a header refused for its syntax, on either path', async () => {
    const started: unknown[] = [];
    const handlers = { start: (context: unknown) => started.push(context), end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
    const { late, plain } = pair();
    await late.authenticate(view(`Bearer ${cached}`));
    const channel = tracingChannel('jwt-gate:verify');
    channel.subscribe(handlers);
    try {
      for (const auth of [late, plain]) {
        await expect(outcome(auth, view(`Bearer ${cached} `))).resolves.toBe('400 ERR_INVALID_REQUEST');
        await expect(outcome(auth, view(`Bearer ${cached}, Bearer ${cached}`))).resolves.toBe('400 ERR_MULTIPLE_TOKENS');
      }
      expect(started).toHaveLength(0);
      await expect(outcome(late, view(`Bearer ${cached}`))).resolves.toBe('served alice');
      expect(started).toHaveLength(1);
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});
