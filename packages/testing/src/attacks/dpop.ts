// The DPoP attacks (RFC 9449) every adapter runs: an app whose `/me` and `/admin` (behind a
// route guard) accept Bearer and DPoP (`mode: 'allowed'`), sent proofs made by an independent
// client (the `dpop` package) and hand-made malicious ones.

import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { expect, it } from 'vitest';
import type { ConformanceRequest, ConformanceTarget } from '../conformance/harness.js';
import { b64url } from '../keys.js';
import type { AttackFixture, AttackRoute } from './fixture.js';

/** The URL the DPoP attack apps are configured as reached at; proofs name it in `htu`. */
export const DPOP_EXTERNAL_URL = 'https://api.jwt-gate.test';
const ALGS = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519"';

/** What a DPoP attack sends, and the refusal it must meet (or `ACCEPTED`). */
interface DPoPAttack {
  readonly name: string;
  readonly expect: 'ACCEPTED' | 'invalid_dpop_proof' | 'invalid_token' | 'invalid_request' | 'insufficient_scope';
  /** The scheme whose challenge carries the error. Default: DPoP for `invalid_dpop_proof`, else Bearer. */
  readonly scheme?: 'Bearer' | 'DPoP';
  /** The requests to send in order; the last one is judged (earlier ones must pass). */
  build(context: DPoPContext): Promise<readonly ConformanceRequest[]>;
}

interface DPoPContext {
  readonly client: KeyPair;
  readonly other: KeyPair;
  /** A token bound to `client`'s key. */
  readonly bound: string;
  /** A token bound to `client`'s key, with the `admin` role `/admin` requires. */
  readonly boundAdmin: string;
  /** A token bound to no key. */
  readonly unbound: string;
  /** A proof hand-signed with `client`'s key, header and claims overridable. */
  handMade(header?: Record<string, unknown>, claims?: Record<string, unknown>): Promise<string>;
}

const to = (path: string, authorization: string, ...proofs: string[]): ConformanceRequest => ({
  method: 'GET',
  path,
  headers: [['authorization', authorization], ...proofs.map((proof) => ['dpop', proof] as const)],
});
const me = (authorization: string, ...proofs: string[]): ConformanceRequest => to('/me', authorization, ...proofs);
const fresh = (c: DPoPContext, token = c.bound, key = c.client, htu = `${DPOP_EXTERNAL_URL}/me`, htm = 'GET') => generateProof(key, htu, htm, undefined, token);

const DPOP_ATTACKS: readonly DPoPAttack[] = [
  { name: 'control: a bound token with a fresh proof', expect: 'ACCEPTED', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c))] },
  {
    name: 'a proof replayed',
    expect: 'invalid_dpop_proof',
    build: async (c) => {
      const proof = await fresh(c);
      return [me(`DPoP ${c.bound}`, proof), me(`DPoP ${c.bound}`, proof)];
    },
  },
  { name: 'a proof for another URL', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c, c.bound, c.client, `${DPOP_EXTERNAL_URL}/hello`))] },
  { name: 'a proof for another host', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c, c.bound, c.client, 'https://evil.jwt-gate.test/me'))] },
  { name: 'a proof for another method', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c, c.bound, c.client, `${DPOP_EXTERNAL_URL}/me`, 'POST'))] },
  { name: 'a proof with the ath of another token', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c, c.unbound))] },
  { name: 'a proof by another key than cnf.jkt names', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c, c.bound, c.other))] },
  { name: 'an unbound token with the DPoP scheme', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.unbound}`, await fresh(c, c.unbound))] },
  { name: 'a stale iat', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await c.handMade({}, { iat: Math.floor(Date.now() / 1000) - 3600 }))] },
  { name: 'a future iat', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await c.handMade({}, { iat: Math.floor(Date.now() / 1000) + 3600 }))] },
  { name: 'control: a hand-made proof', expect: 'ACCEPTED', build: async (c) => [me(`DPoP ${c.bound}`, await c.handMade())] },
  {
    name: 'private key members in jwk',
    expect: 'invalid_dpop_proof',
    build: async (c) => [me(`DPoP ${c.bound}`, await c.handMade({ jwk: { ...((await exportJWK(c.client.publicKey)) as JWK), d: 'AAAA' } }))],
  },
  {
    name: 'alg none',
    expect: 'invalid_dpop_proof',
    build: async (c) => {
      const [, payload] = (await c.handMade()).split('.');
      return [me(`DPoP ${c.bound}`, `${b64url(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: await exportJWK(c.client.publicKey) }))}.${payload}.`)];
    },
  },
  {
    name: 'an HS256 proof',
    expect: 'invalid_dpop_proof',
    build: async (c) => {
      const jwk = await exportJWK(c.client.publicKey);
      const claims = { htm: 'GET', htu: `${DPOP_EXTERNAL_URL}/me`, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID() };
      return [me(`DPoP ${c.bound}`, await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk }).sign(new Uint8Array(32)))];
    },
  },
  { name: 'typ JWT', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await c.handMade({ typ: 'JWT' }))] },
  { name: 'the DPoP scheme without a proof', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`)] },
  { name: 'two proof headers', expect: 'invalid_dpop_proof', build: async (c) => [me(`DPoP ${c.bound}`, await fresh(c), await fresh(c))] },
  { name: 'a bound token sent as Bearer (downgrade)', expect: 'invalid_token', build: async (c) => [me(`Bearer ${c.bound}`)] },
  { name: 'a proof beside the Bearer scheme', expect: 'invalid_request', build: async (c) => [me(`Bearer ${c.unbound}`, await fresh(c, c.unbound))] },
  { name: 'control: an unbound token as Bearer, where DPoP is allowed', expect: 'ACCEPTED', build: async (c) => [me(`Bearer ${c.unbound}`)] },
  // RFC 9449 §7.1: a route guard's refusal of a DPoP request is challenged under the DPoP scheme.
  {
    name: "control: an admin's bound token with a fresh proof, through the route guard",
    expect: 'ACCEPTED',
    build: async (c) => [to('/admin', `DPoP ${c.boundAdmin}`, await fresh(c, c.boundAdmin, c.client, `${DPOP_EXTERNAL_URL}/admin`))],
  },
  {
    name: 'a bound token with a fresh proof that the route guard denies',
    expect: 'insufficient_scope',
    scheme: 'DPoP',
    build: async (c) => [to('/admin', `DPoP ${c.bound}`, await fresh(c, c.bound, c.client, `${DPOP_EXTERNAL_URL}/admin`))],
  },
  { name: 'an unbound Bearer token that the route guard denies', expect: 'insufficient_scope', scheme: 'Bearer', build: async (c) => [to('/admin', `Bearer ${c.unbound}`)] },
];

/** The `WWW-Authenticate` an outcome of the DPoP app must carry: Bearer first, then DPoP with `algs`; the error in `scheme`'s. */
function dpopChallenge(realm: string, error: DPoPAttack['expect'], description: string, scheme: 'Bearer' | 'DPoP'): string {
  const failure = `error="${error}", error_description="${description}"`;
  if (scheme === 'DPoP') return `Bearer realm="${realm}", DPoP realm="${realm}", ${failure}, ${ALGS}`;
  return `Bearer realm="${realm}", ${failure}, DPoP realm="${realm}", ${ALGS}`;
}

const STATUS: Readonly<Record<Exclude<DPoPAttack['expect'], 'ACCEPTED'>, number>> = { invalid_dpop_proof: 401, invalid_token: 401, invalid_request: 400, insufficient_scope: 403 };

/**
 * Registers the DPoP cases against `target()`, an app built from the fixture's options with
 * `dpop: { externalUrl: DPOP_EXTERNAL_URL, mode: 'allowed' }`: each refusal's status, its
 * challenges in order (the error in the challenge of the scheme the request used, a route
 * guard's 403 included), the body's `error`, that the handler did not run and that no token or
 * proof comes back.
 */
export function dpopAttackCases(fixture: () => AttackFixture, target: () => ConformanceTarget, errorBody: 'json' | 'text', realm: string): void {
  let context: Promise<DPoPContext> | undefined;
  const contextOf = (): Promise<DPoPContext> =>
    (context ??= (async () => {
      const fx = fixture();
      const client = await generateKeyPair('ES256');
      const other = await generateKeyPair('ES256');
      const jkt = await calculateThumbprint(client.publicKey);
      const bound = await fx.sign('ec', { cnf: { jkt } });
      const boundAdmin = await fx.sign('ec', { cnf: { jkt }, roles: ['admin'] });
      const unbound = await fx.sign('ec');
      const jwk = await exportJWK(client.publicKey);
      const handMade = async (header: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) => {
        const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(bound))).toString('base64url');
        const payload = { htm: 'GET', htu: `${DPOP_EXTERNAL_URL}/me`, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ath, ...claims };
        return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header } as never).sign(client.privateKey);
      };
      return { client, other, bound, boundAdmin, unbound, handMade };
    })());

  for (const attack of DPOP_ATTACKS) {
    it(`DPoP: ${attack.name}`, async () => {
      const fx = fixture();
      const requests = await attack.build(await contextOf());
      for (const earlier of requests.slice(0, -1)) expect((await target().request(earlier)).status, 'an earlier request').toBe(200);
      fx.handled.length = 0;
      const request = requests[requests.length - 1] as ConformanceRequest;
      const response = await target().request(request);
      if (attack.expect === 'ACCEPTED') {
        expect(response.status).toBe(200);
        expect(fx.handled).toEqual([request.path === '/admin' ? 'admin' : 'me'] satisfies AttackRoute[]);
        return;
      }
      expect(response.status).toBe(STATUS[attack.expect]);
      const scheme = attack.scheme ?? (attack.expect === 'invalid_dpop_proof' ? 'DPoP' : 'Bearer');
      expect(fx.handled).toEqual([]);
      const challenge = response.headers['www-authenticate'];
      expect(typeof challenge).toBe('string');
      const body = errorBody === 'json' ? (JSON.parse(response.text) as { error: string; error_description: string }) : undefined;
      if (body !== undefined) {
        expect(body.error).toBe(attack.expect);
        expect(challenge).toBe(dpopChallenge(realm, attack.expect, body.error_description, scheme));
      } else {
        const [before, after] = dpopChallenge(realm, attack.expect, '\u0000', scheme).split('\u0000') as [string, string];
        expect((challenge as string).startsWith(before) && (challenge as string).endsWith(after), challenge as string).toBe(true);
      }
      for (const [, value] of request.headers) {
        const secret = value.replace(/^(DPoP|Bearer) /, '');
        if (secret.length > 16) {
          expect(response.text).not.toContain(secret);
          expect(challenge).not.toContain(secret);
        }
      }
    });
  }
}
