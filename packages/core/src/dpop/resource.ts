/**
 * DPoP at a resource server (RFC 9449 §7): reading `Authorization: DPoP <token>`, checking its
 * proof, and the challenges of a resource that accepts DPoP.
 *
 * @module
 */

import { AuthError, type DPoPChallenge } from '../errors/auth-error.js';
import type { RequestView } from '../adapter/request-view.js';
import { buildDPoPVerifier, type DPoPProofOptions, type InspectedProof } from './proof.js';

/**
 * Whether a middleware takes DPoP: `required`, only DPoP-bound tokens with a proof; `allowed`,
 * those and Bearer tokens (a migration step). Without the `dpop` option, DPoP is off.
 */
export type DPoPMode = 'required' | 'allowed';

/** The `dpop` option of `jwtAuth` and `createAuthenticator`: the proof checks, and the mode. */
export interface DPoPOptions extends DPoPProofOptions {
  /**
   * `required` (default): requests need `Authorization: DPoP` and a proof; Bearer tokens are
   * refused with 401. Turning DPoP on means tokens should be bound to a key, and a Bearer
   * fallback would be the way around that. `allowed`: Bearer tokens are accepted beside DPoP
   * ones, for the time clients move over. In both, a DPoP-bound token sent as Bearer is refused.
   */
  mode?: DPoPMode;
}

/** DPoP as one middleware applies it, built once. */
export interface DPoPGate {
  readonly required: boolean;
  /** The challenge of a refusal, for a request that used `scheme`. */
  challenge(scheme: 'Bearer' | 'DPoP'): DPoPChallenge;
  /** The token of `Authorization: DPoP <token>`, or null for another scheme; throws 400 for a malformed one. */
  token(view: RequestView): string | null;
  /** True when the request carries a `DPoP` header. */
  proofSent(view: RequestView): boolean;
  /** Checks the request's proof for `token`, without recording it yet. */
  inspect(view: RequestView, token: string): Promise<InspectedProof>;
}

// RFC 9449 §7.1: token68, as the Bearer scheme's b64token.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A DPoP-bound token's key thumbprint (`cnf.jkt`), read as own properties; undefined when unbound. */
export function boundThumbprint(claims: object): unknown {
  if (!Object.hasOwn(claims, 'cnf')) return undefined;
  const cnf = (claims as { cnf?: unknown }).cnf;
  return typeof cnf === 'object' && cnf !== null && Object.hasOwn(cnf, 'jkt') ? ((cnf as { jkt?: unknown }).jkt ?? null) : undefined;
}

// One gate per options object and realm: a middleware rebuilt from the same options (Fastify's
// per-route optional mode) keeps the same default replay store, so a proof is used once across them.
const built = new WeakMap<object, Map<string, DPoPGate>>();

export function createDPoPGate(input: DPoPOptions, realm: string, where: string): DPoPGate {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${where}: dpop must be { externalUrl, mode?, ... } or false`);
  const known = built.get(input)?.get(realm);
  if (known !== undefined) return known;
  const gate = newGate(input, realm, where);
  built.set(input, (built.get(input) ?? new Map<string, DPoPGate>()).set(realm, gate));
  return gate;
}

function newGate(input: DPoPOptions, realm: string, where: string): DPoPGate {
  const { mode = 'required', ...proofOptions } = input;
  if (mode !== 'required' && mode !== 'allowed') throw new TypeError(`${where}: dpop.mode must be "required" or "allowed"`);
  const verifier = buildDPoPVerifier(proofOptions, where);
  const required = mode === 'required';
  const challenges = {
    Bearer: Object.freeze({ algs: verifier.algorithms, bearer: !required, scheme: 'Bearer' as const }),
    DPoP: Object.freeze({ algs: verifier.algorithms, bearer: !required, scheme: 'DPoP' as const }),
  };
  return Object.freeze({
    required,
    challenge: (scheme: 'Bearer' | 'DPoP') => challenges[scheme],
    token(view: RequestView): string | null {
      const raw = view.header('authorization');
      // Two Authorization headers are the extractor's to refuse.
      if (typeof raw !== 'string' || raw.length < 4 || raw.slice(0, 4).toLowerCase() !== 'dpop') return null;
      if (raw.length === 4) throw new AuthError('ERR_INVALID_REQUEST', { realm, reason: 'dpop_scheme' });
      if (raw.charCodeAt(4) !== 0x20) return null;
      const token = raw.slice(5);
      if (!TOKEN68.test(token)) throw new AuthError('ERR_INVALID_REQUEST', { realm, reason: 'dpop_scheme' });
      return token;
    },
    proofSent(view: RequestView): boolean {
      const proof = view.header('dpop');
      return proof !== undefined && proof !== null && proof !== '';
    },
    inspect(view: RequestView, token: string): Promise<InspectedProof> {
      return verifier.inspect({ proof: view.header('dpop'), method: view.method ?? 'GET', url: view.url as string }, token, realm);
    },
  });
}
