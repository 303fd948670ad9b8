// One benchmark server: `tsx src/server.ts <framework> <variant>`, configured through
// BENCH_CONFIG (JSON: port, alg, secret or public key). The protected route and the open route
// answer the same JSON, so their throughput ratio is the cost of authentication; a refused token
// gets each middleware's own 401.

import { createServer } from 'node:http';
import { createPublicKey } from 'node:crypto';
import { serve } from '@hono/node-server';
import { jwtAuth as expressAuth } from '@jwt-gate/express';
import { jwtAuth as honoAuth } from '@jwt-gate/hono';
import { jwtAuth as koaAuth } from '@jwt-gate/koa';
import { createRevocationStore, type RevocationStore } from '@jwt-gate/core';
import { createRedisRevocationStore } from '@jwt-gate/redis';
import { createClient } from 'redis';
import express from 'express';
import { expressjwt } from 'express-jwt';
import { Hono, type MiddlewareHandler } from 'hono';
import { jwt as honoJwt } from 'hono/jwt';
import Koa from 'koa';
import koaJwt from 'koa-jwt';

export type Framework = 'express' | 'koa' | 'hono';
export type Variant = 'open' | 'noop' | 'jwt-gate' | 'jwt-gate-cache' | 'peer' | 'revocation-memory' | 'revocation-redis';

interface Config {
  port: number;
  alg: 'HS256' | 'ES256';
  secret?: string;
  publicPem?: string;
  issuer: string;
  audience: string;
  /** For the revocation-redis variant. */
  redisUrl?: string;
}

const [framework, variant] = process.argv.slice(2) as [Framework, Variant];
const config = JSON.parse(process.env.BENCH_CONFIG ?? '{}') as Config;
const keyOptions = config.secret ? { secret: config.secret, algorithms: ['HS256' as const] } : { publicKey: config.publicPem as string };
// The revocation variants: jwt-gate as users run it (token cache on) with a revocation store
// holding other tokens' revocations, in memory or on Redis (checked against its local mirror).
const REVOKED_OTHERS = 10_000;
async function revocationStore(): Promise<RevocationStore | undefined> {
  if (variant !== 'revocation-memory' && variant !== 'revocation-redis') return undefined;
  let store: RevocationStore;
  if (variant === 'revocation-memory') store = createRevocationStore({ familyClaim: 'sid' });
  else {
    const client = createClient({ url: config.redisUrl as string });
    client.on('error', () => {});
    await client.connect();
    const redis = createRedisRevocationStore({ client, familyClaim: 'sid', prefix: `jwt-gate-bench-${process.pid}` });
    await redis.ready();
    store = redis;
  }
  const exp = Math.floor(Date.now() / 1000) + 3600;
  for (let i = 0; i < REVOKED_OTHERS; i++) await store.revoke(config.issuer, `other-${i}`, exp);
  return store;
}
const revocations = await revocationStore();
const gate = {
  issuer: config.issuer,
  audience: config.audience,
  ...keyOptions,
  ...(variant === 'jwt-gate' ? { tokenCache: false as const } : {}),
  ...(revocations ? { isRevoked: revocations } : {}),
};
const gated = variant === 'jwt-gate' || variant === 'jwt-gate-cache' || revocations !== undefined;
const peerKey = config.secret ?? (config.publicPem as string);
const body = { sub: 'user-7f3a9c2e' };

function expressApp() {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (variant === 'noop') app.use((_req, _res, next) => next());
  if (gated) app.use(expressAuth(gate));
  if (variant === 'peer') app.use(expressjwt({ secret: peerKey, algorithms: [config.alg], issuer: config.issuer, audience: config.audience }));
  app.get('/resource', (_req, res) => {
    res.json(body);
  });
  // express-jwt hands refusals to the app's error handler: this is the one its README shows
  // (Express's default handler would also log each refusal's stack).
  if (variant === 'peer') {
    app.use((error: Error, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (error.name === 'UnauthorizedError') res.status(401).send('invalid token...');
      else next(error);
    });
  }
  return createServer(app);
}

function koaApp() {
  const app = new Koa();
  if (variant === 'noop') app.use((_ctx, next) => next());
  if (gated) app.use(koaAuth(gate));
  if (variant === 'peer') app.use(koaJwt({ secret: peerKey, algorithms: [config.alg], issuer: config.issuer, audience: config.audience }));
  app.use((ctx) => {
    ctx.body = body;
  });
  return createServer(app.callback());
}

function honoApp() {
  const app = new Hono();
  if (variant === 'noop') app.use('/resource', (_c, next) => next());
  if (gated) app.use('/resource', honoAuth(gate) as MiddlewareHandler);
  if (variant === 'peer') {
    const secret = config.secret ?? (createPublicKey(config.publicPem as string).export({ format: 'jwk' }) as never);
    app.use('/resource', honoJwt({ secret, alg: config.alg, verification: { iss: config.issuer, aud: config.audience } }));
  }
  app.get('/resource', (c) => c.json(body));
  return app;
}

if (framework === 'hono') {
  serve({ fetch: honoApp().fetch, port: config.port, hostname: '127.0.0.1' }, () => console.log('ready'));
} else {
  (framework === 'express' ? expressApp() : koaApp()).listen(config.port, '127.0.0.1', () => console.log('ready'));
}
