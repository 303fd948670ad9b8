// Where everything listens and what the services call each other, from the environment.
// Every service reads this file; `start.ts` passes the same environment to all three.

import type { RemoteOptions } from '@jwt-gate/core';

function port(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new RangeError(`${name} must be a TCP port (1-65535)`);
  return value;
}

function milliseconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number of milliseconds`);
  return value;
}

/** A secret the services share; `start.ts` generates one when it is not set. */
export function requiredSecret(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.length < 32) {
    throw new TypeError(`${name} must be set to a random string of at least 32 characters (npm start generates one)`);
  }
  return value;
}

export const host = process.env.HOST ?? '127.0.0.1';
export const authPort = port('AUTH_PORT', 4000);
export const ordersPort = port('ORDERS_PORT', 4001);
export const inventoryPort = port('INVENTORY_PORT', 4002);

/** The auth service's issuer identifier: the one URL both APIs trust. */
export const authIssuer = process.env.AUTH_ISSUER ?? `http://${host}:${authPort}`;
/** Where the orders API reaches the inventory API. */
export const inventoryUrl = process.env.INVENTORY_URL ?? `http://${host}:${inventoryPort}`;

/** Each API's audience: a token names the one API it is for. */
export const ORDERS_AUDIENCE = 'orders-api';
export const INVENTORY_AUDIENCE = 'inventory-api';

/** The scopes each API understands; a token for an API carries only its own. */
export const API_SCOPES: Readonly<Record<string, readonly string[]>> = {
  [ORDERS_AUDIENCE]: ['orders:read', 'orders:write'],
  [INVENTORY_AUDIENCE]: ['inventory:read', 'inventory:reserve', 'inventory:admin'],
};

/** The orders API's client at the auth service (client credentials). */
export const ORDERS_CLIENT_ID = 'orders-api';

/**
 * How the APIs fetch the auth service's keys: JWKS_CACHE_MAX_AGE_MS (refresh keys older than
 * this, default 10 minutes) and JWKS_COOLDOWN_MS (at most one fetch per this many ms on an
 * unknown key id, default 30 s). Unset, the core's defaults apply.
 */
export function remoteKeyTimings(): RemoteOptions {
  const cacheMaxAge = milliseconds('JWKS_CACHE_MAX_AGE_MS');
  const cooldown = milliseconds('JWKS_COOLDOWN_MS');
  return { ...(cacheMaxAge === undefined ? {} : { cacheMaxAge }), ...(cooldown === undefined ? {} : { cooldown }) };
}

/**
 * With REDIS_URL, login sessions (refresh-token families) and revocations live in that Redis:
 * the auth service and every API instance share them, so a logout or a reused refresh token is
 * seen everywhere. `start` then runs a second orders API on ORDERS_REPLICA_PORT.
 */
export const redisUrl = process.env.REDIS_URL || undefined;
export const ordersReplicaPort = port('ORDERS_REPLICA_PORT', 4003);
/** How long a login session (its refresh tokens) lasts: the auth service issues, the APIs revoke. */
export const SESSION_LIFETIME = 1_209_600;
