import { resourceMetadataSuite, type ConformanceTarget } from '@jwt-gate/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { jwtAuth, jwtGate, protectedResourceMetadata, requireScopes } from '../src/index.js';
import { injected, listening } from './targets.js';

const over: Record<string, (app: FastifyInstance) => Promise<ConformanceTarget>> = { 'over HTTP': listening, 'through app.inject': injected };
for (const [transport, target] of Object.entries(over)) {
  resourceMetadataSuite(`Fastify, jwtAuth() hooks, ${transport}`, async ({ rootMetadata, pathMetadata, auth }) => {
    const app = Fastify();
    await app.register(protectedResourceMetadata(rootMetadata));
    await app.register(protectedResourceMetadata(pathMetadata));
    const authenticate = jwtAuth(auth);
    app.get('/open', () => ({ open: true }));
    app.get('/me', { onRequest: authenticate }, (request) => ({ sub: request.auth?.claims.sub }));
    app.get('/admin', { onRequest: authenticate, preHandler: requireScopes('admin') }, () => ({ admin: true }));
    return target(app);
  });
  resourceMetadataSuite(`Fastify, the jwtGate plugin, ${transport}`, async ({ rootMetadata, pathMetadata, auth }) => {
    const app = Fastify();
    await app.register(jwtGate, auth);
    await app.register(protectedResourceMetadata(rootMetadata));
    await app.register(protectedResourceMetadata(pathMetadata));
    app.get('/open', { config: { jwtGate: false } }, () => ({ open: true }));
    app.get('/me', (request) => ({ sub: request.auth?.claims.sub }));
    app.get('/admin', { preHandler: requireScopes('admin') }, () => ({ admin: true }));
    return target(app);
  });
}
