// The orders API, on Express. It trusts the auth service through its issuer URL alone
// (discovery finds the keys) and accepts only tokens for its own audience. To place an order it
// reserves stock at the inventory API with a service token of its own, never the user's token.
// Start: pnpm --filter ./examples/microservices start   (README.md walks through it with curl)

import { randomUUID } from 'node:crypto';
import { AuthError, buildChallenge, createVerifier, isAuthError, type JWTPayload } from '@jwt-gate/core';
import { assertGuarded, getAuth, jwtAuth, requireScopes } from '@jwt-gate/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  authIssuer,
  host,
  INVENTORY_AUDIENCE,
  inventoryUrl,
  ORDERS_AUDIENCE,
  ORDERS_CLIENT_ID,
  ordersPort,
  remoteKeyTimings,
  requiredSecret,
  SESSION_LIFETIME,
} from './config.js';
import { createServiceToken } from './service-token.js';
import { sharedRevocations } from './shared-state.js';

interface Claims extends JWTPayload {
  scope?: string;
  sid?: string;
}

interface Order {
  id: string;
  user: string;
  item: string;
  quantity: number;
  reservation: unknown;
}

const realm = ORDERS_AUDIENCE;

// 1. Trust: the auth service's issuer URL; its metadata names the JWKS. Tokens for other
// audiences (the inventory API's, for one) are refused. With REDIS_URL, every token is also
// checked against the shared revocations (a local mirror, no network call per request).
const revocations = await sharedRevocations(`orders API :${ordersPort}`);
const verifier = createVerifier<Claims>({
  issuer: authIssuer,
  discovery: true,
  audience: ORDERS_AUDIENCE,
  tokenType: 'at+jwt',
  realm,
  remote: remoteKeyTimings(),
  ...(revocations ? { isRevoked: revocations } : {}),
});
const auth = jwtAuth(verifier);

// 2. Our own identity towards the inventory API: reserving stock is all we need there.
const inventoryToken = createServiceToken({
  issuer: authIssuer,
  clientId: ORDERS_CLIENT_ID,
  clientSecret: requiredSecret('ORDERS_CLIENT_SECRET'),
  audience: INVENTORY_AUDIENCE,
  scope: 'inventory:reserve',
});

const orders: Order[] = [];

function fail(res: Response, status: number, error: string, description: string, challengeError?: string): void {
  if (challengeError !== undefined) res.set('WWW-Authenticate', buildChallenge({ realm, error: challengeError, errorDescription: description }));
  res.status(status).json({ error, error_description: description });
}

function reserve(item: string, quantity: number, token: string): Promise<globalThis.Response> {
  return fetch(`${inventoryUrl}/items/${encodeURIComponent(item)}/reserve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ quantity }),
    // The service token goes to the inventory API only: no redirect is followed.
    redirect: 'error',
    signal: AbortSignal.timeout(5_000),
  });
}

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '4kb' }));

app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

// 3. The user's orders. Each route names the scope it needs; jwtAuth in front of it verifies the token.
app.get('/orders', auth, requireScopes('orders:read'), (req, res) => {
  const { claims } = getAuth<Claims>(req);
  res.json({ orders: orders.filter((order) => order.user === claims.sub) });
});

// 4. Place an order: reserve the stock first, as the orders service.
app.post('/orders', auth, requireScopes('orders:write'), async (req, res) => {
  const { claims } = getAuth<Claims>(req);
  const { item, quantity } = (req.body ?? {}) as { item?: unknown; quantity?: unknown };
  if (typeof item !== 'string' || !/^[a-z0-9-]{1,40}$/.test(item) || !Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 100) {
    return fail(res, 400, 'invalid_request', 'item (an item id) and quantity (1 to 100) are required', 'invalid_request');
  }
  let answer: globalThis.Response;
  try {
    answer = await reserve(item, quantity as number, await inventoryToken.get());
    // A cached token can stop working before it expires (its key retired at the auth service): once, get a new one.
    if (answer.status === 401) {
      inventoryToken.forget();
      answer = await reserve(item, quantity as number, await inventoryToken.get());
    }
  } catch (error) {
    console.error('reserving stock failed:', error instanceof Error ? error.message : error);
    return fail(res, 503, 'temporarily_unavailable', 'Stock cannot be reserved right now');
  }
  if (answer.status === 404) return fail(res, 404, 'not_found', 'No such item');
  if (answer.status === 409) return fail(res, 409, 'out_of_stock', 'Not enough stock for this order');
  if (answer.status !== 201) {
    console.error(`the inventory API answered ${answer.status} to a reservation`);
    return fail(res, 502, 'bad_gateway', 'The inventory API refused the reservation');
  }
  const { reservation } = (await answer.json()) as { reservation: unknown };
  const order: Order = { id: randomUUID(), user: claims.sub as string, item, quantity: quantity as number, reservation };
  orders.push(order);
  res.status(201).json({ order });
});

// 5. Log out (with REDIS_URL): the user's login session (sid) is revoked in Redis, so every
// instance of every API refuses its access tokens within a second, and the auth service its
// refresh tokens.
app.post('/logout', auth, async (req, res) => {
  const { claims } = getAuth<Claims>(req);
  if (revocations === undefined) return fail(res, 501, 'not_implemented', 'Logout needs REDIS_URL: the sessions live at the auth service');
  if (typeof claims.sid !== 'string') return fail(res, 400, 'invalid_request', 'This token belongs to no login session', 'invalid_request');
  try {
    await revocations.revokeFamily(authIssuer, claims.sid, Math.ceil(Date.now() / 1000) + SESSION_LIFETIME);
  } catch (error) {
    throw new AuthError('ERR_REVOCATION_UNAVAILABLE', { cause: error });
  }
  res.status(204).end();
});

// Errors: jwtAuth passes its AuthErrors here (status, challenge, JSON body).
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (isAuthError(error)) return void res.status(error.status).set(error.headers).json(error.body);
  const status = (error as { status?: number }).status;
  if (status === 400 || status === 413) return fail(res, status, 'invalid_request', 'The request body is not valid JSON', 'invalid_request');
  next(error);
});

// Refuse to start if a route guard ever lacks jwtAuth in front of it.
assertGuarded(app);
app.listen(ordersPort, host, (error) => {
  // A port in use ends the process (start.ts then stops the others).
  if (error) throw error;
  console.log(`orders API (Express) on http://${host}:${ordersPort}, trusting ${authIssuer}`);
});
