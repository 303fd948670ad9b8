import { listenerTarget, resourceMetadataSuite } from '@jwt-gate/testing';
import express from 'express';
import express4 from 'express4';
import { jwtAuth, protectedResourceMetadata, requireScopes } from '../src/index.js';

for (const [name, framework] of [['Express 5', express], ['Express 4', express4]] as const) {
  resourceMetadataSuite(name, async ({ rootMetadata, pathMetadata, auth }) => {
    const app = framework();
    app.use(protectedResourceMetadata(rootMetadata), protectedResourceMetadata(pathMetadata));
    const authenticate = jwtAuth(auth);
    app.get('/open', (_req, res) => void res.json({ open: true }));
    app.get('/me', authenticate, (req, res) => void res.json({ sub: req.auth?.claims.sub }));
    app.get('/admin', authenticate, requireScopes('admin'), (_req, res) => void res.json({ admin: true }));
    return listenerTarget(app);
  });
}
