import Router from '@koa/router';
import { listenerTarget, resourceMetadataSuite } from '@jwt-gate/testing';
import Koa from 'koa';
import { jwtAuth, protectedResourceMetadata, requireScopes } from '../src/index.js';

resourceMetadataSuite('Koa', async ({ rootMetadata, pathMetadata, auth }) => {
  const app = new Koa();
  const router = new Router();
  const authenticate = jwtAuth(auth);
  router.get('/open', (ctx) => void (ctx.body = { open: true }));
  router.get('/me', authenticate, (ctx) => void (ctx.body = { sub: ctx.state.auth.claims.sub }));
  router.get('/admin', authenticate, requireScopes('admin'), (ctx) => void (ctx.body = { admin: true }));
  app.use(protectedResourceMetadata(rootMetadata)).use(protectedResourceMetadata(pathMetadata)).use(router.routes());
  return listenerTarget(app.callback());
});
