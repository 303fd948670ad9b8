// The inventory API, on Hono. Like the orders API it trusts the auth service through its
// issuer URL alone and accepts only tokens for its own audience; each route names the scope it
// needs, so the orders service's token reserves stock but cannot change it.
// Start: pnpm --filter ./examples/microservices start   (README.md walks through it with curl)

import { serve } from '@hono/node-server';
import { buildChallenge, createVerifier, isAuthError, type JWTPayload } from '@jwt-gate/core';
import { assertGuarded, jwtAuth, requireScopes } from '@jwt-gate/hono';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { authIssuer, host, INVENTORY_AUDIENCE, inventoryPort, remoteKeyTimings } from './config.js';
import { sharedRevocations } from './shared-state.js';

interface Claims extends JWTPayload {
  scope?: string;
  client_id?: string;
}

interface Item {
  id: string;
  name: string;
  stock: number;
}

const realm = INVENTORY_AUDIENCE;

// 1. Trust: the auth service's issuer URL, through discovery; our audience only. With
// REDIS_URL, a logged-out session is refused here too.
const revocations = await sharedRevocations('inventory API');
const verifier = createVerifier<Claims>({
  issuer: authIssuer,
  discovery: true,
  audience: INVENTORY_AUDIENCE,
  tokenType: 'at+jwt',
  realm,
  remote: remoteKeyTimings(),
  ...(revocations ? { isRevoked: revocations } : {}),
});
const auth = jwtAuth(verifier);

const items = new Map<string, Item>(
  [
    { id: 'widget', name: 'Widget', stock: 10 },
    { id: 'gadget', name: 'Gadget', stock: 3 },
    { id: 'gizmo', name: 'Gizmo', stock: 0 },
  ].map((item) => [item.id, item]),
);

function fail(c: Context, status: ContentfulStatusCode, error: string, description: string, challengeError?: string): Response {
  if (challengeError !== undefined) c.header('WWW-Authenticate', buildChallenge({ realm, error: challengeError, errorDescription: description }));
  return c.json({ error, error_description: description }, status);
}

/** A whole number from 0 (or 1) to 1000 in the JSON body, or undefined. */
async function amount(c: Context, name: string, min: number): Promise<number | undefined> {
  const body = await c.req.json<Record<string, unknown>>().catch(() => undefined);
  const value = typeof body === 'object' && body !== null ? body[name] : undefined;
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= 1000 ? (value as number) : undefined;
}

const app = new Hono();

app.get('/health', (c) => c.json({ status: 'ok' }));

// 2. Each route names the scope it needs; jwtAuth in front of it verifies the token.
app.get('/items', auth, requireScopes('inventory:read'), (c) => c.json({ items: [...items.values()] }));

app.get('/items/:id', auth, requireScopes('inventory:read'), (c) => {
  const item = items.get(c.req.param('id'));
  return item === undefined ? fail(c, 404, 'not_found', 'No such item') : c.json({ item });
});

// 3. Reserving stock: the orders service's job. `by` records who asked: the service itself.
app.post('/items/:id/reserve', auth, requireScopes('inventory:reserve'), async (c) => {
  const item = items.get(c.req.param('id'));
  if (item === undefined) return fail(c, 404, 'not_found', 'No such item');
  const quantity = await amount(c, 'quantity', 1);
  if (quantity === undefined) return fail(c, 400, 'invalid_request', 'quantity must be a whole number from 1 to 1000', 'invalid_request');
  if (item.stock < quantity) return fail(c, 409, 'out_of_stock', 'Not enough stock');
  item.stock -= quantity;
  const { claims } = c.var.auth;
  return c.json({ reservation: { id: crypto.randomUUID(), item: item.id, quantity, by: claims.client_id ?? claims.sub } }, 201);
});

// 4. Setting the stock level: inventory administrators only.
app.put('/items/:id/stock', auth, requireScopes('inventory:admin'), async (c) => {
  const item = items.get(c.req.param('id'));
  if (item === undefined) return fail(c, 404, 'not_found', 'No such item');
  const stock = await amount(c, 'stock', 0);
  if (stock === undefined) return fail(c, 400, 'invalid_request', 'stock must be a whole number from 0 to 1000', 'invalid_request');
  item.stock = stock;
  return c.json({ item });
});

// Errors: jwtAuth throws an HTTPException that carries its whole RFC 6750 response.
app.onError((error, c) => {
  if (isAuthError(error)) return c.json(error.body, error.status as ContentfulStatusCode, error.headers);
  if (error instanceof HTTPException) return error.getResponse();
  console.error(error);
  return c.json({ error: 'server_error', error_description: 'Internal server error' }, 500);
});

// Refuse to start if a route guard ever lacks jwtAuth in front of it.
assertGuarded(app);
serve({ fetch: app.fetch, port: inventoryPort, hostname: host }, () => {
  console.log(`inventory API (Hono) on http://${host}:${inventoryPort}, trusting ${authIssuer}`);
});
