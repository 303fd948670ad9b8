// Diagnostics through node:diagnostics_channel, so that a logger, OpenTelemetry or an APM agent
// can see every refusal and every key-source failure without an error handler. Reached through
// `process.getBuiltinModule` where the runtime has it (Node, Bun, Deno), never a static `node:`
// import; elsewhere nothing is published. No event ever carries a token.

import type { AuthError } from '../errors/auth-error.js';

interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface TracingChannel {
  readonly hasSubscribers?: boolean;
  readonly start: Channel;
  readonly end: Channel;
  readonly asyncStart: Channel;
  readonly asyncEnd: Channel;
  readonly error: Channel;
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}

interface DiagnosticsChannel {
  channel(name: string): Channel;
  tracingChannel(name: string): TracingChannel;
}

function diagnostics(): DiagnosticsChannel | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const module = runtime?.getBuiltinModule?.('node:diagnostics_channel') as Partial<DiagnosticsChannel> | undefined;
    return typeof module?.channel === 'function' && typeof module.tracingChannel === 'function' ? (module as DiagnosticsChannel) : undefined;
  } catch {
    return undefined;
  }
}

const dc = diagnostics();

/** Channel names, part of the public contract. */
export const CHANNELS = Object.freeze({
  /** A tracing channel around each verification: `start`, `asyncEnd` and `error` (with the AuthError). */
  verify: 'jwt-gate:verify',
  /** Every refused request: `{ error, code, reason, issuer }`. */
  refused: 'jwt-gate:refused',
  /** Key-source failures and recoveries: `{ kind, source, url, error }`. */
  keys: 'jwt-gate:keys',
});

const verifyChannel = dc?.tracingChannel(CHANNELS.verify);
const refusedChannel = dc?.channel(CHANNELS.refused);
const keysChannel = dc?.channel(CHANNELS.keys);

/** The tracing context of one verification: what is known before it runs, never the token. */
export interface VerifyTrace {
  /** The verifier's realm. */
  readonly realm: string;
}

/** True while anyone listens on `jwt-gate:verify`. */
export function tracingVerify(): boolean {
  if (verifyChannel === undefined) return false;
  // Bun's TracingChannel has no `hasSubscribers` (1.4): there, ask each of its channels.
  if (typeof verifyChannel.hasSubscribers === 'boolean') return verifyChannel.hasSubscribers;
  const { start, end, asyncStart, asyncEnd, error } = verifyChannel;
  return [start, end, asyncStart, asyncEnd, error].some((channel) => channel?.hasSubscribers === true);
}

/** Runs `verify` inside the `jwt-gate:verify` tracing channel when anyone listens. */
export function traceVerify<T>(context: VerifyTrace, verify: () => Promise<T>): Promise<T> {
  return tracingVerify() ? (verifyChannel as TracingChannel).tracePromise(verify, { ...context }) : verify();
}

/** What `jwt-gate:refused` carries for one refused request. */
export interface RefusedEvent {
  readonly error: AuthError;
  readonly code: AuthError['code'];
  readonly reason: string | undefined;
  readonly issuer: string | undefined;
}

/** Publishes a refusal on `jwt-gate:refused`. */
export function publishRefused(error: AuthError): void {
  if (refusedChannel?.hasSubscribers !== true) return;
  const event: RefusedEvent = { error, code: error.code, reason: error.reason, issuer: error.issuer };
  refusedChannel.publish(event);
}

/** What `jwt-gate:keys` carries: a remote key source failing, or answering again after failing. */
export interface KeysEvent {
  readonly kind: 'failure' | 'recovery';
  /** `jwks` (a JWKS URL) or `discovery` (issuer metadata). */
  readonly source: 'jwks' | 'discovery';
  /** The URL fetched. */
  readonly url: string;
  /** Why it failed (a fetch error, `JWKS endpoint answered 404`, ...); absent on recovery. */
  readonly error?: unknown;
}

/** Publishes a key-source event on `jwt-gate:keys`. */
export function publishKeys(event: KeysEvent): void {
  if (keysChannel?.hasSubscribers === true) keysChannel.publish(event);
}
