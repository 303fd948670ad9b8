// What the stores use of a node-redis client, and one way to send a command: with a deadline,
// so that a Redis that is down or hung costs a request at most `timeout`, never a hang.

import { createHash } from 'node:crypto';

/** Per-command options the stores pass (node-redis 6 `CommandOptions`). */
export interface CommandOptions {
  /** Milliseconds: a command not sent by then is dropped, one sent is no longer waited for. */
  timeout?: number;
  /** Apply `timeout` to a command already sent too (node-redis 6). */
  rejectInFlight?: boolean;
}

/**
 * The part of a node-redis client (`createClient()` from `redis` 6) the stores use: commands,
 * and `duplicate()` for the revocation store's own subscriber connection. The stores never
 * connect, configure or close the client you pass.
 */
export interface RedisClient {
  sendCommand(args: readonly string[], options?: CommandOptions): Promise<unknown>;
  duplicate(): RedisSubscriber;
}

/** A duplicate of the client, owned by the revocation store: it subscribes to revocations. */
export interface RedisSubscriber {
  sendCommand(args: readonly string[], options?: CommandOptions): Promise<unknown>;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  on(event: 'ready' | 'error' | 'end', listener: (...args: unknown[]) => void): unknown;
  destroy(): void;
}

/**
 * A store's command failed: Redis unreachable, too slow, or an error reply. Answer it as
 * "temporarily unavailable" (503); `status` says so for frameworks that read it.
 */
export class RedisStoreError extends Error {
  override readonly name = 'RedisStoreError';
  readonly status = 503;
  readonly expose = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Sends one command; rejects with a {@link RedisStoreError} on any failure or after `timeout` ms. */
export async function send(client: { sendCommand: RedisClient['sendCommand'] }, args: readonly string[], timeout: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A backstop a little after the client's own deadline, for a client that does not apply it to
  // a command already sent (a hung server would otherwise hold the request forever).
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisStoreError(`Redis did not answer within ${timeout} ms`)), timeout + 25);
  });
  try {
    return await Promise.race([client.sendCommand(args, { timeout, rejectInFlight: true }), late]);
  } catch (error) {
    throw error instanceof RedisStoreError ? error : new RedisStoreError('Redis command failed', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** A Lua script, sent by its SHA-1 and loaded on the first NOSCRIPT (after a restart, a failover). */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

export async function run(client: RedisClient, { source, sha }: Script, keys: readonly string[], args: readonly string[], timeout: number): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await send(client, ['EVALSHA', sha, ...tail], timeout);
  } catch (error) {
    if (!String((error as { cause?: { message?: unknown } }).cause?.message ?? '').startsWith('NOSCRIPT')) throw error;
    return send(client, ['EVAL', source, ...tail], timeout);
  }
}

/** Keys up to this length are used as given; longer ones as their SHA-256, so every Redis key is small. */
const MAX_KEY_LENGTH = 128;

export function boundedKey(key: string, where: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${where}: key must be a non-empty string`);
  return key.length <= MAX_KEY_LENGTH ? key : `#${createHash('sha256').update(key).digest('base64url')}`;
}

export function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Common options: the client, the key prefix and the command deadline. */
export interface StoreOptions {
  /** A node-redis client (`createClient()` from `redis` 6). You connect it and close it. */
  client: RedisClient;
  /**
   * Prepended to every key and channel, so several applications can share one Redis: letters,
   * digits and `._:-`. Default `jwt-gate`.
   */
  prefix?: string;
  /** Milliseconds a command may take before the store gives up on it (503). Default 1000. */
  commandTimeout?: number;
}

const PREFIX = /^[\w.:-]{1,64}$/;

/** Reads and checks the common options; unknown names are refused, as everywhere in jwt-gate. */
export function commonOptions<T extends StoreOptions>(input: T, where: string, known: readonly string[]): { options: T; client: RedisClient; prefix: string; timeout: number } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError(`${where}: options must be an object`);
  const options = Object.create(null) as T;
  for (const key of Object.keys(input)) {
    if (!['client', 'prefix', 'commandTimeout', ...known].includes(key)) throw new TypeError(`${where}: unknown option ${JSON.stringify(key.slice(0, 40))}`);
    (options as Record<string, unknown>)[key] = (input as Record<string, unknown>)[key];
  }
  const client = options.client;
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function' || typeof client.duplicate !== 'function') {
    throw new TypeError(`${where}: client must be a node-redis client (createClient() from redis)`);
  }
  const prefix = options.prefix ?? 'jwt-gate';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw new TypeError(`${where}: prefix must be 1 to 64 letters, digits or ._:-`);
  const timeout = positiveMs(where, 'commandTimeout', options.commandTimeout, 1000);
  return { options, client, prefix, timeout };
}

export function positiveMs(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${where}: ${name} must be a positive number of milliseconds`);
  return value;
}
