import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { fetchTarget, resourceMetadataSuite, serverTarget, type ConformanceTarget, type MetadataSuiteSetup } from '@jwt-gate/testing';
import { Hono } from 'hono';
import { jwtAuth, protectedResourceMetadata, requireScopes } from '../src/index.js';

function createApp({ rootMetadata, pathMetadata, auth }: MetadataSuiteSetup): Hono {
  const app = new Hono();
  app.use(protectedResourceMetadata(rootMetadata), protectedResourceMetadata(pathMetadata));
  const authenticate = jwtAuth(auth);
  app.get('/open', (c) => c.json({ open: true }));
  app.get('/me', authenticate, (c) => c.json({ sub: c.var.auth.claims.sub }));
  app.get('/admin', authenticate, requireScopes('admin'), (c) => c.json({ admin: true }));
  return app;
}

resourceMetadataSuite('Hono on @hono/node-server', (setup) => {
  const app = createApp(setup);
  return new Promise<ConformanceTarget>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(serverTarget(server as Server)));
  });
});
resourceMetadataSuite('Hono through app.request', async (setup) => {
  const app = createApp(setup);
  return fetchTarget((request) => app.request(request));
});
