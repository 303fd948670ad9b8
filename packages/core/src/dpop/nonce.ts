/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9) that every instance accepts without storing
 * them: a nonce is an HMAC of the current time step under a secret the instances share, and a
 * proof may carry the nonce of the current step or of the one before.
 *
 * @module
 */

import { encodeBase64url } from '../jose/base64url.js';
import { ownOptions, positiveSeconds } from '../internal/options.js';

/** Options of server nonces: the shared secret and how often nonces rotate. */
export interface DPoPNonceOptions {
  /**
   * The secret nonces are derived from, shared by every instance: at least 32 bytes (a string
   * is taken as UTF-8), random, and used for nothing else.
   */
  secret: string | Uint8Array;
  /** Seconds between rotations; a nonce is accepted for one to two steps. Default 300. */
  step?: number;
}

/** Issues and checks nonces; built once per DPoP configuration. */
export interface NonceSource {
  /** The nonce of the current step, to send as `DPoP-Nonce`. */
  current(): Promise<string>;
  /** True when `nonce` is the current step's or the previous step's. */
  accepts(nonce: string): Promise<boolean>;
}

const encoder = new TextEncoder();

export function createNonceSource(input: DPoPNonceOptions, clock: () => number, where: string): NonceSource {
  // Stryker disable next-line StringLiteral: message text, not part of the contract: the name only appears in the option readers' messages
  const name = `${where}: dpop.nonce`;
  const options = ownOptions(input, name, ['secret', 'step']);
  const secret = typeof options.secret === 'string' ? encoder.encode(options.secret) : options.secret;
  // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) throw new TypeError(`${where}: dpop.nonce.secret must be at least 32 bytes, shared by every instance`);
  // Stryker disable next-line StringLiteral: the option's name, only in the message text
  const stepMs = positiveSeconds(name, 'step', options.step, 300) * 1000;
  // Stryker disable next-line BooleanLiteral: the key is never exported, so whether it could be changes no nonce
  const key = crypto.subtle.importKey('raw', Uint8Array.from(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  key.catch(() => undefined);
  // The two nonces in use are computed once per step, not per request.
  const computed = new Map<number, Promise<string>>();

  function nonceOf(step: number): Promise<string> {
    return computed.get(step) ?? compute(step);
  }

  function compute(step: number): Promise<string> {
    const nonce = key.then(async (k) => encodeBase64url(new Uint8Array(await crypto.subtle.sign('HMAC', k, encoder.encode(`dpop-nonce:${step}`))).subarray(0, 24)));
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: the map only caches nonces that are recomputed alike, so which old steps it drops changes no answer
    for (const old of computed.keys()) if (old < step - 1) computed.delete(old);
    computed.set(step, nonce);
    return nonce;
  }

  return Object.freeze({
    current: () => nonceOf(Math.floor(clock() / stepMs)),
    async accepts(nonce: string): Promise<boolean> {
      const step = Math.floor(clock() / stepMs);
      return nonce === (await nonceOf(step)) || nonce === (await nonceOf(step - 1));
    },
  });
}
