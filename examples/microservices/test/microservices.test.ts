// The example end to end: the auth service, the orders API and the inventory API as real
// processes on loopback ports, talking to each other over HTTP.

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AuthError } from '@jwt-gate/core';
import { freePort, startProcess, type StartedProcess } from '@jwt-gate/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const secret = () => randomBytes(32).toString('base64url');

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

async function call(
  url: string,
  options: { method?: string; token?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(url, { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { header: header!, claims: claims! };
}

/** Polls until `check` holds or the deadline passes; returns the last answer. */
async function eventually(probe: () => Promise<Answer>, check: (answer: Answer) => boolean, deadlineMs = 10_000): Promise<Answer> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const answer = await probe();
    if (check(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const challenge = (code: ConstructorParameters<typeof AuthError>[0], realm: string, scope?: string[]) =>
  new AuthError(code, { realm, ...(scope === undefined ? {} : { scope }) }).challenge;

describe('microservices example: one issuer, two APIs, service tokens (real processes)', () => {
  const clientSecret = secret();
  const adminSecret = secret();
  let auth: StartedProcess;
  let orders: StartedProcess;
  let inventory: StartedProcess;

  beforeAll(async () => {
    const [authPort, ordersPort, inventoryPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      AUTH_PORT: String(authPort),
      ORDERS_PORT: String(ordersPort),
      INVENTORY_PORT: String(inventoryPort),
      ORDERS_CLIENT_SECRET: clientSecret,
      ADMIN_SECRET: adminSecret,
      // Every unknown key id refetches the JWKS at once (by default at most once per 30 s), so
      // the APIs notice a rotation or an outage on the next request, without waiting.
      JWKS_COOLDOWN_MS: '0',
    };
    const start = (file: string, port: number) => startProcess({ command: process.execPath, args: ['--import', 'tsx', `src/${file}`], cwd, env, port });
    auth = await start('auth-service.ts', authPort);
    [orders, inventory] = await Promise.all([start('orders-api.ts', ordersPort), start('inventory-api.ts', inventoryPort)]);
  });
  afterAll(async () => {
    await Promise.all([auth?.stop(), orders?.stop(), inventory?.stop()]);
  });

  const login = async (username: string): Promise<Tokens> => {
    const answer = await call(`${auth.baseUrl}/login`, { method: 'POST', json: { username, password: `${username}-password` } });
    expect(answer.status).toBe(200);
    return answer.body as Tokens;
  };
  /** Single sign-on: the login session (refresh token) gets a token for another API, no password. */
  const tokenFor = async (session: Tokens, audience: string): Promise<Tokens> => {
    const answer = await call(`${auth.baseUrl}/oauth/token`, { method: 'POST', form: { grant_type: 'refresh_token', refresh_token: session.refresh_token, audience } });
    expect(answer.status).toBe(200);
    return answer.body as Tokens;
  };
  const clientCredentials = (form: Record<string, string> = {}, basic = `orders-api:${clientSecret}`) =>
    call(`${auth.baseUrl}/oauth/token`, {
      method: 'POST',
      form: { grant_type: 'client_credentials', ...form },
      headers: { authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
    });
  const stockOf = async (item: string, token: string) => {
    const answer = await call(`${inventory.baseUrl}/items/${item}`, { token });
    expect(answer.status).toBe(200);
    return answer.body.item.stock as number;
  };

  it('publishes discovery metadata naming its JWKS and token endpoint', async () => {
    const metadata = await call(`${auth.baseUrl}/.well-known/openid-configuration`);
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      issuer: auth.baseUrl,
      jwks_uri: `${auth.baseUrl}/.well-known/jwks.json`,
      token_endpoint: `${auth.baseUrl}/oauth/token`,
    });
    const jwks = await call(metadata.body.jwks_uri as string);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });

  it('one login serves both APIs: single sign-on through one issuer', async () => {
    const session = await login('alice');
    expect(decode(session.access_token).claims).toMatchObject({ iss: auth.baseUrl, sub: 'alice', aud: 'orders-api', scope: 'orders:read orders:write' });
    expect((await call(`${orders.baseUrl}/orders`, { token: session.access_token })).status).toBe(200);

    // The same login, no password: a token for the inventory API with the inventory scopes.
    const forInventory = await tokenFor(session, 'inventory-api');
    expect(decode(forInventory.access_token).claims).toMatchObject({ iss: auth.baseUrl, sub: 'alice', aud: 'inventory-api', scope: 'inventory:read inventory:admin' });
    const items = await call(`${inventory.baseUrl}/items`, { token: forInventory.access_token });
    expect(items.status).toBe(200);
    expect(items.body.items.map((item: { id: string }) => item.id)).toEqual(['widget', 'gadget', 'gizmo']);

    // Each refresh token is good once: a replayed one is refused, and its successor works.
    const replay = await call(`${auth.baseUrl}/oauth/token`, { method: 'POST', form: { grant_type: 'refresh_token', refresh_token: session.refresh_token, audience: 'inventory-api' } });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(decode(forInventory.refresh_token).claims.sub).toBe('alice');
  });

  it('a user token for the orders API is refused by the inventory API, and the other way round', async () => {
    const session = await login('alice');
    const atInventory = await call(`${inventory.baseUrl}/items`, { token: session.access_token });
    expect(atInventory).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(atInventory.headers.get('www-authenticate')).toBe(challenge('ERR_AUDIENCE_INVALID', 'inventory-api'));

    const forInventory = await tokenFor(session, 'inventory-api');
    const atOrders = await call(`${orders.baseUrl}/orders`, { token: forInventory.access_token });
    expect(atOrders).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(atOrders.headers.get('www-authenticate')).toBe(challenge('ERR_AUDIENCE_INVALID', 'orders-api'));

    // No token at all: a bare challenge.
    const anonymous = await call(`${inventory.baseUrl}/items`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="inventory-api"');
  });

  it('a service token reaches the inventory API, and only the routes its scopes allow', async () => {
    const issued = await clientCredentials();
    expect(issued).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'inventory:read inventory:reserve' } });
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const token = issued.body.access_token as string;
    expect(decode(token).claims).toMatchObject({ iss: auth.baseUrl, sub: 'orders-api', client_id: 'orders-api', aud: 'inventory-api' });

    expect((await call(`${inventory.baseUrl}/items`, { token })).status).toBe(200);
    const reserved = await call(`${inventory.baseUrl}/items/gadget/reserve`, { method: 'POST', token, json: { quantity: 1 } });
    expect(reserved).toMatchObject({ status: 201, body: { reservation: { item: 'gadget', quantity: 1, by: 'orders-api' } } });
    const restock = await call(`${inventory.baseUrl}/items/gadget/stock`, { method: 'PUT', token, json: { stock: 50 } });
    expect(restock).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
    expect(restock.headers.get('www-authenticate')).toBe(challenge('ERR_INSUFFICIENT_SCOPE', 'inventory-api', ['inventory:admin']));

    // Its audience is the inventory API: the orders API refuses it.
    expect((await call(`${orders.baseUrl}/orders`, { token })).status).toBe(401);

    // Narrowed to one scope, it can read and no more.
    const readOnly = await clientCredentials({ scope: 'inventory:read' });
    expect(readOnly.body.scope).toBe('inventory:read');
    const refused = await call(`${inventory.baseUrl}/items/gadget/reserve`, { method: 'POST', token: readOnly.body.access_token as string, json: { quantity: 1 } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe(challenge('ERR_INSUFFICIENT_SCOPE', 'inventory-api', ['inventory:reserve']));
  });

  it('gives a client no scope, audience or token beyond what it is allowed', async () => {
    expect(await clientCredentials({ scope: 'inventory:read inventory:admin' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await clientCredentials({ audience: 'orders-api' })).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    const wrong = await clientCredentials({}, `orders-api:${secret()}`);
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(wrong.body).not.toHaveProperty('access_token');
    expect((await clientCredentials({}, `inventory-api:${clientSecret}`)).status).toBe(401);
    // client_secret_post works too; both methods at once do not.
    const post = await call(`${auth.baseUrl}/oauth/token`, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'orders-api', client_secret: clientSecret } });
    expect(post.status).toBe(200);
    expect(await clientCredentials({ client_secret: clientSecret })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await clientCredentials({ grant_type: 'password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
  });

  it('user scopes decide at the inventory API too: reserving is for services, restocking for admins', async () => {
    const alice = await tokenFor(await login('alice'), 'inventory-api');
    const bob = await tokenFor(await login('bob'), 'inventory-api');
    expect((await call(`${inventory.baseUrl}/items/widget/reserve`, { method: 'POST', token: alice.access_token, json: { quantity: 1 } })).status).toBe(403);
    expect((await call(`${inventory.baseUrl}/items/widget/stock`, { method: 'PUT', token: bob.access_token, json: { stock: 20 } })).status).toBe(403);
    const restocked = await call(`${inventory.baseUrl}/items/widget/stock`, { method: 'PUT', token: alice.access_token, json: { stock: 20 } });
    expect(restocked).toMatchObject({ status: 200, body: { item: { id: 'widget', stock: 20 } } });
  });

  it('the orders API reserves stock with its own service token, never the user’s', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const reader = (await tokenFor(alice, 'inventory-api')).access_token;
    const before = await stockOf('widget', reader);

    const placed = await call(`${orders.baseUrl}/orders`, { method: 'POST', token: alice.access_token, json: { item: 'widget', quantity: 2 } });
    expect(placed).toMatchObject({ status: 201, body: { order: { user: 'alice', item: 'widget', quantity: 2 } } });
    // The inventory API saw the orders service, not alice (whose token it would refuse anyway).
    expect(placed.body.order.reservation).toMatchObject({ item: 'widget', quantity: 2, by: 'orders-api' });
    expect(await stockOf('widget', reader)).toBe(before - 2);

    const mine = await call(`${orders.baseUrl}/orders`, { token: alice.access_token });
    expect(mine.body.orders.map((order: { id: string }) => order.id)).toContain(placed.body.order.id);
    const theirs = await call(`${orders.baseUrl}/orders`, { token: bob.access_token });
    expect(theirs.body.orders.map((order: { id: string }) => order.id)).not.toContain(placed.body.order.id);

    expect(await call(`${orders.baseUrl}/orders`, { method: 'POST', token: alice.access_token, json: { item: 'gizmo', quantity: 1 } })).toMatchObject({
      status: 409,
      body: { error: 'out_of_stock' },
    });
    expect((await call(`${orders.baseUrl}/orders`, { method: 'POST', token: alice.access_token, json: { item: 'nothing', quantity: 1 } })).status).toBe(404);
    expect((await call(`${orders.baseUrl}/orders`, { method: 'POST', token: alice.access_token, json: { item: 'widget', quantity: 0 } })).status).toBe(400);
  });

  it('a key rotation at the auth service is picked up by both APIs without a restart', async () => {
    const oldSession = await login('alice');
    const oldInventory = await tokenFor(oldSession, 'inventory-api');
    const oldKid = decode(oldSession.access_token).header.kid;

    const rotateUrl = `${auth.baseUrl}/admin/rotate-key`;
    expect((await call(rotateUrl, { method: 'POST' })).status).toBe(403);
    expect((await call(rotateUrl, { method: 'POST', headers: { 'x-admin-secret': secret() } })).status).toBe(403);
    const rotated = await call(rotateUrl, { method: 'POST', headers: { 'x-admin-secret': adminSecret } });
    expect(rotated.status).toBe(200);
    const newKid = rotated.body.active as string;
    expect(newKid).not.toBe(oldKid);
    const jwks = await call(`${auth.baseUrl}/.well-known/jwks.json`);
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toEqual([newKid, oldKid]);

    const session = await login('alice');
    const forInventory = await tokenFor(session, 'inventory-api');
    expect(decode(session.access_token).header.kid).toBe(newKid);
    expect(decode(forInventory.access_token).header.kid).toBe(newKid);
    const atOrders = await eventually(() => call(`${orders.baseUrl}/orders`, { token: session.access_token }), (a) => a.status === 200);
    expect(atOrders.status).toBe(200);
    const atInventory = await eventually(() => call(`${inventory.baseUrl}/items`, { token: forInventory.access_token }), (a) => a.status === 200);
    expect(atInventory.status).toBe(200);

    // Tokens of the earlier key keep working: it is still published.
    expect((await call(`${orders.baseUrl}/orders`, { token: oldSession.access_token })).status).toBe(200);
    expect((await call(`${inventory.baseUrl}/items`, { token: oldInventory.access_token })).status).toBe(200);
    const placed = await call(`${orders.baseUrl}/orders`, { method: 'POST', token: session.access_token, json: { item: 'widget', quantity: 1 } });
    expect(placed.status).toBe(201);
  });

  it('while the auth service is down, known keys still verify and unknown keys get 503', async () => {
    // Tokens of the key both APIs know now, not yet shown to either.
    const known = await login('alice');
    const knownInventory = await tokenFor(known, 'inventory-api');
    // A rotation the APIs have not seen: no request reaches them until the auth service is gone.
    const rotated = await call(`${auth.baseUrl}/admin/rotate-key`, { method: 'POST', headers: { 'x-admin-secret': adminSecret } });
    expect(rotated.status).toBe(200);
    const unknown = await login('bob');
    const unknownInventory = await tokenFor(unknown, 'inventory-api');
    expect(decode(unknown.access_token).header.kid).toBe(rotated.body.active);
    expect(decode(known.access_token).header.kid).not.toBe(rotated.body.active);

    await auth.stop();
    await expect(fetch(`${auth.baseUrl}/health`)).rejects.toThrow();

    expect((await call(`${orders.baseUrl}/orders`, { token: known.access_token })).status).toBe(200);
    expect((await call(`${inventory.baseUrl}/items`, { token: knownInventory.access_token })).status).toBe(200);
    // The orders API's cached service token still reserves stock.
    expect((await call(`${orders.baseUrl}/orders`, { method: 'POST', token: known.access_token, json: { item: 'widget', quantity: 1 } })).status).toBe(201);

    for (const [url, token] of [
      [`${orders.baseUrl}/orders`, unknown.access_token],
      [`${inventory.baseUrl}/items`, unknownInventory.access_token],
    ] as const) {
      const answer = await call(url, { token });
      expect(answer).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
      expect(answer.headers.get('www-authenticate')).toBeNull();
    }
  });
});
