// The attack catalogue (packages/testing/src/attacks, ids from security.md) against the core:
// every case through the verifier and the authenticator, with the work each refusal cost
// counted at the signature backend.

import {
  ATTACK_REALM,
  ATTACKS,
  CONFIG_ATTACKS,
  attackRequest,
  attackRoute,
  createAttackFixture,
  echoProbes,
  expectedResponse,
  workBound,
  type AttackCase,
  type AttackFixture,
  type AttackOutcome,
} from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, type Authenticator } from '../src/adapter/authenticate.js';
import { isAuthError, type AuthError } from '../src/errors/auth-error.js';
import type { RequestView } from '../src/adapter/extract.js';
import type { SignatureBackend } from '../src/crypto/backend.js';
import { defaultBackend } from '../src/crypto/select.js';
import { claimMatches } from '../src/index.js';
import { buildVerifier, type Verifier, type VerifierOptions } from '../src/verification/verifier.js';

/** The default backend, counting what it is asked to do. */
function countingBackend(): { backend: SignatureBackend; counts: { decodes: number; checks: number } } {
  const base = defaultBackend();
  const counts = { decodes: 0, checks: 0 };
  const backend: SignatureBackend = {
    name: base.name,
    prepare: (material, alg) => base.prepare(material, alg),
    verify(alg, handle, input, signature) {
      counts.checks++;
      return base.verify(alg, handle, input, signature);
    },
    decodeText(segment) {
      counts.decodes++;
      return base.decodeText(segment);
    },
  };
  return { backend, counts };
}

function requestView(headers: readonly (readonly [string, string])[]): RequestView {
  return {
    method: 'GET',
    header(name) {
      const values = headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
      return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
    },
  };
}

describe('attack catalogue: the core', () => {
  let fx: AttackFixture;
  let verifier: Verifier;
  let counts: { decodes: number; checks: number };
  let required: Authenticator;
  let optional: Authenticator;

  beforeAll(async () => {
    fx = await createAttackFixture();
    const counting = countingBackend();
    counts = counting.counts;
    verifier = buildVerifier(fx.auth as VerifierOptions, counting.backend);
    required = createAuthenticator({ verifier });
    optional = createAuthenticator({ verifier, optional: true });
  });
  afterAll(async () => {
    await fx?.close();
  });

  /** Runs one attempt and checks its outcome, what it echoed and the work it cost. */
  async function attempt(attack: AttackCase, run: () => Promise<unknown>, sent: readonly string[], echo: readonly string[] = []): Promise<void> {
    const before = { ...counts, ...fx.counters() };
    const outcome = await run().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    const after = { ...counts, ...fx.counters() };
    check(attack.expect, outcome, sent, echo);
    const bound = workBound(attack.expect);
    expect(after.checks - before.checks, 'signature checks').toBeLessThanOrEqual(bound.signatureChecks);
    if (!bound.decodes) expect(after.decodes - before.decodes, 'decoded segments').toBe(0);
    expect(after.decodes - before.decodes, 'decoded segments').toBeLessThanOrEqual(3);
    expect(after.revocationChecks - before.revocationChecks, 'revocation checks').toBe(bound.revocationChecks);
    expect(after.jwksFetches - before.jwksFetches, 'JWKS fetches').toBeLessThanOrEqual(1);
    expect(after.trapConnections, 'connections to a listener a token named').toBe(0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  }

  function check(expected: AttackOutcome, outcome: { result?: unknown; error?: unknown }, sent: readonly string[], echo: readonly string[]): void {
    const want = expectedResponse(expected, ATTACK_REALM);
    if (expected === 'ACCEPTED') {
      expect(outcome.error, 'no error').toBeUndefined();
      expect(outcome.result).toMatchObject({ claims: { sub: 'alice' } });
      return;
    }
    expect(isAuthError(outcome.error), `an AuthError, not ${String(outcome.error)}`).toBe(true);
    const error = outcome.error as AuthError;
    expect(error.code).toBe(expected);
    expect(error.status).toBe(want.status);
    expect(error.challenge).toBe(want.challenge);
    expect(error.body.error).toBe(want.error);
    const shown = [error.message, error.challenge, JSON.stringify(error.body), JSON.stringify(error.headers)];
    for (const probe of echoProbes([fx.secret, ...sent], echo)) {
      for (const text of shown) expect(text).not.toContain(probe);
    }
  }

  for (const attack of ATTACKS) {
    it(`${attack.id} ${attack.name}`, async () => {
      const input = await attack.build(fx);
      if (attack.via !== 'request') {
        const token = input.token as string;
        await attempt(attack, () => verifier.verify(token), [token], input.echo);
      }
      if (attack.via !== 'verifier') {
        const request = attackRequest(input);
        const authenticator = attackRoute(request.path) === 'hello' ? optional : required;
        const sent = [...request.headers.map(([, value]) => value), request.path];
        await attempt(attack, () => authenticator.authenticate(requestView(request.headers)), sent, input.echo);
        if (attack.large !== undefined) {
          const large = attack.large();
          await attempt(attack, () => authenticator.authenticate(requestView(large.headers)), large.headers.map(([, value]) => value), input.echo);
        }
      }
    });
  }

  it('contacted no listener named in a token and fetched the remote key set at most twice in all', () => {
    expect(fx.counters().trapConnections).toBe(0);
    expect(fx.counters().jwksFetches).toBeGreaterThanOrEqual(1);
    expect(fx.counters().jwksFetches).toBeLessThanOrEqual(2);
  });

  for (const config of CONFIG_ATTACKS) {
    it(`${config.id} refuses ${config.name} at creation`, () => {
      const options = { realm: ATTACK_REALM, ...config.options(fx) };
      let thrown: unknown;
      try {
        createAuthenticator(options as VerifierOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(config.error === 'TypeError' ? TypeError : RangeError);
      expect((thrown as Error).message).not.toContain(fx.secret);
    });
  }

  it('every case is named once, and every bearer token is a valid RFC 6750 b64token', async () => {
    expect(new Set([...ATTACKS, ...CONFIG_ATTACKS].map((attack) => attack.id)).size).toBe(ATTACKS.length + CONFIG_ATTACKS.length);
    for (const attack of ATTACKS.filter((a) => a.via === 'bearer')) {
      const { token } = await attack.build(fx);
      expect(token, attack.id).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
    }
  });
});

describe('attack catalogue: claim patterns (AC-45, ReDoS)', () => {
  const issuer = 'https://hs.jwt-gate.test';
  const secret = 's'.repeat(48);

  it('refuses patterns that can backtrack exponentially, or keep state, when the policy is built', () => {
    /* eslint-disable regexp/no-super-linear-backtracking, regexp/no-super-linear-move, regexp/no-dupe-disjunctions -- the patterns the checker must refuse */
    for (const pattern of [/^(a+)+$/, /^(a|a)*$/, /^(\w+\s?)*$/, /^([a-z0-9]+\.?)*@x$/, /^(.*a){12}$/, /(a)\1/, /^(?<x>a)\k<x>$/, /^a+$/g, /^a+$/y]) {
      expect(() => claimMatches('email', pattern), String(pattern)).toThrow(TypeError);
    }
    // Polynomial patterns are held to a low degree: cubic up to 256 characters, quadratic beyond.
    expect(() => claimMatches('email', /a*a*a*a*b/)).toThrow(TypeError);
    expect(() => claimMatches('email', /^a*a*a*b/, { maxLength: 1024 })).toThrow(TypeError);
    /* eslint-enable regexp/no-super-linear-backtracking, regexp/no-super-linear-move, regexp/no-dupe-disjunctions */
  });

  it('never runs an accepted pattern on a claim longer than its bound, and runs it once otherwise', async () => {
    // eslint-disable-next-line regexp/no-super-linear-backtracking -- accepted as cubic-bounded by the checker: the case under test
    const pattern = /^[a-z0-9.]*[a-z0-9]+@example\.com$/;
    const now = Math.floor(Date.now() / 1000);
    const { hmacRaw } = await import('@jwt-gate/testing');
    const authenticator = createAuthenticator({ issuer, audience: 'api', secret, policy: claimMatches('email', pattern) });
    const sign = (email: string) => hmacRaw(secret, '{"alg":"HS256"}', JSON.stringify({ iss: issuer, aud: 'api', exp: now + 60, email }));
    const test = vi.spyOn(RegExp.prototype, 'test');
    const runs = () => test.mock.contexts.filter((context) => (context as RegExp).source === pattern.source).length;
    const view = (token: string) => requestView([['authorization', `Bearer ${token}`]]);

    await expect(authenticator.authenticate(view(await sign(`${'a'.repeat(6000)}!`)))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', status: 403, reason: 'too_large' });
    expect(runs()).toBe(0);
    await expect(authenticator.authenticate(view(await sign(`${'a'.repeat(255)}!`)))).rejects.toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'mismatch' });
    expect(runs()).toBe(1);
    await expect(authenticator.authenticate(view(await sign('alice@example.com')))).resolves.toMatchObject({ claims: { email: 'alice@example.com' } });
    expect(runs()).toBe(2);
  });
});
