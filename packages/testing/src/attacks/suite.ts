import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceRequest, ConformanceResponse, ConformanceTarget } from '../conformance/harness.js';
import { ATTACKS, CONFIG_ATTACKS, type AttackCase, type AttackInput } from './cases.js';
import { ATTACK_REALM, createAttackFixture, type AttackAuthOptions, type AttackFixture, type AttackRoute, type AttackSetup } from './fixture.js';
import { echoProbes, expectedResponse, workBound } from './outcomes.js';
import { DPOP_EXTERNAL_URL, dpopAttackCases } from './dpop.js';

/** How an adapter is run through the attack suite. */
export interface AttackDriver {
  /** How rejections are rendered: the RFC 6750 JSON body, or the framework's default text body (Koa). */
  readonly errorBody: 'json' | 'text';
  /** Builds and starts the app described by {@link AttackSetup}; throws (or rejects) when `jwtAuth` refuses the options. */
  start(setup: AttackSetup): Promise<ConformanceTarget>;
}

/** The request an attack sends: its own, or its token as `Authorization: Bearer <token>` on `/me`. */
export function attackRequest(input: AttackInput): ConformanceRequest {
  if (input.request !== undefined) return { method: 'GET', path: input.request.path ?? '/me', headers: input.request.headers };
  return { method: 'GET', path: '/me', headers: [['authorization', `Bearer ${input.token as string}`]] };
}

/** The route a request path reaches. */
export function attackRoute(path: string): AttackRoute {
  return path.startsWith('/hello') ? 'hello' : path.startsWith('/admin') ? 'admin' : 'me';
}

function single(response: ConformanceResponse, name: string): string | undefined {
  const value = response.headers[name];
  if (value === undefined) return undefined;
  expect(typeof value, `one ${name} header`).toBe('string');
  return value as string;
}

/**
 * Registers the attack suite for one adapter: every case of {@link ATTACKS} that can travel
 * over HTTP, sent to an app the driver builds from the attack fixture, and every
 * configuration of {@link CONFIG_ATTACKS}, which must make the app fail to build.
 *
 * Each case asserts the status, the exact challenge and the body's `error`; that the handler
 * did not run (or did, for the controls); that nothing the client sent comes back; and that the
 * work stayed bounded: the revocation check saw only tokens that verified, the remote JWKS was
 * fetched at most once, and the listener that `jku` and `x5u` name was never contacted.
 *
 * @example
 * ```ts
 * attacks('Express 5', { errorBody: 'json', start: (setup) => listenerTarget(createApp(setup)) });
 * ```
 */
export function attacks(name: string, driver: AttackDriver): void {
  describe(`attacks: ${name}`, () => {
    let fx: AttackFixture;
    let target: ConformanceTarget;

    beforeAll(async () => {
      fx = await createAttackFixture();
      target = await driver.start(fx.setup);
    });
    afterAll(async () => {
      await target?.close();
      await fx?.close();
    });

    for (const attack of ATTACKS) {
      if (attack.via === 'verifier') continue;
      it(`${attack.id} ${attack.name}`, () => send(attack));
    }

    describe('DPoP allowed beside Bearer', () => {
      let dpopTarget: ConformanceTarget | undefined;
      beforeAll(async () => {
        const auth: AttackAuthOptions = { ...fx.auth, dpop: { externalUrl: DPOP_EXTERNAL_URL, mode: 'allowed' } };
        dpopTarget = await driver.start({ ...fx.setup, auth, optionalAuth: { ...auth, optional: true } });
      });
      afterAll(async () => {
        await dpopTarget?.close();
      });
      dpopAttackCases(() => fx, () => dpopTarget as ConformanceTarget, driver.errorBody, ATTACK_REALM);
    });

    it('contacted no listener named in a token and fetched the remote key set at most twice in all', () => {
      const counters = fx.counters();
      expect(counters.trapConnections).toBe(0);
      expect(counters.jwksFetches).toBeGreaterThanOrEqual(1);
      expect(counters.jwksFetches).toBeLessThanOrEqual(2);
    });

    for (const config of CONFIG_ATTACKS) {
      it(`${config.id} refuses ${config.name} when the app is built`, async () => {
        // Deliberately wrong options, typed as the right ones only to reach jwtAuth.
        const options = { realm: ATTACK_REALM, ...config.options(fx) } as unknown as AttackAuthOptions;
        const setup: AttackSetup = { ...fx.setup, auth: options, optionalAuth: { ...options, optional: true } };
        const outcome = await Promise.resolve()
          .then(() => driver.start(setup))
          .then(
            async (started) => {
              await started.close();
              return undefined;
            },
            (error: unknown) => error,
          );
        expect(outcome).toBeInstanceOf(Error);
        expect((outcome as Error).name).toBe(config.error);
        expect((outcome as Error).message).not.toContain(fx.secret);
      });
    }

    async function send(attack: AttackCase): Promise<void> {
      const input = await attack.build(fx);
      const request = attackRequest(input);
      const before = fx.counters();
      fx.handled.length = 0;
      const response = await target.request(request);
      const after = fx.counters();
      const want = expectedResponse(attack.expect, ATTACK_REALM);

      expect(response.status).toBe(want.status);
      expect(single(response, 'www-authenticate') ?? null).toBe(want.challenge);
      if (want.status === 200) {
        expect(fx.handled).toEqual([attackRoute(request.path)]);
        expect(JSON.parse(response.text)).toEqual({ sub: 'alice' });
      } else {
        expect(fx.handled).toEqual([]);
        if (driver.errorBody === 'json') expect(JSON.parse(response.text)).toEqual({ error: want.error, error_description: expect.any(String) });
        const challenge = single(response, 'www-authenticate') ?? '';
        for (const probe of echoProbes([fx.secret, ...request.headers.map(([, value]) => value), request.path], input.echo)) {
          expect(response.text).not.toContain(probe);
          expect(challenge).not.toContain(probe);
        }
      }

      const bound = workBound(attack.expect);
      expect(after.revocationChecks - before.revocationChecks, 'revocation checks').toBe(bound.revocationChecks);
      expect(after.jwksFetches - before.jwksFetches, 'JWKS fetches').toBeLessThanOrEqual(1);
      expect(after.trapConnections, 'connections to a listener a token named').toBe(0);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
}
