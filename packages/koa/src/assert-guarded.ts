import { isPolicy } from '@jwt-gate/core';
import { assertGuardOrder } from '@jwt-gate/core/adapter';

// The parts of @koa/router read here: `router.routes()` carries its router, whose layers hold
// a path, the methods of a route (none for `router.use()`), and the middleware that runs.
interface RouterLayer {
  readonly path: unknown;
  readonly methods: readonly string[];
  readonly stack: readonly unknown[];
}

interface RouterLike {
  readonly stack: readonly RouterLayer[];
  match(path: string, method: string): { readonly pathAndMethod: readonly RouterLayer[]; readonly route: boolean };
}

function routerOf(middleware: unknown): RouterLike | undefined {
  const router = typeof middleware === 'function' ? (middleware as { router?: Partial<RouterLike> }).router : undefined;
  return Array.isArray(router?.stack) && typeof router?.match === 'function' ? (router as RouterLike) : undefined;
}

/** A concrete path a route's pattern matches: optional groups taken, parameter names kept as values. */
function sample(path: unknown): string | null {
  return typeof path === 'string' ? path.replace(/[{}]/g, '').replace(/\\(.)/g, '$1') || '/' : null;
}

/**
 * The middleware a router runs for `method` and `path`, up to and including the route `until`.
 * A path that cannot be matched counts every layer for the method, so nothing is missed.
 */
function routerChain(router: RouterLike, path: string | null, method: string, until?: RouterLayer): unknown[] {
  const all = router.stack.filter((layer) => layer.methods.length === 0 || layer.methods.includes(method));
  let layers: readonly RouterLayer[] = all;
  if (path !== null) {
    const match = router.match(path, method);
    if (until === undefined && !match.route) return [];
    if (until === undefined || match.pathAndMethod.includes(until)) layers = match.pathAndMethod;
  }
  if (until !== undefined) layers = layers.slice(0, layers.indexOf(until) + 1);
  return layers.flatMap((layer) => layer.stack);
}

/**
 * Checks, before the app listens, that every route guard of the app has `jwtAuth()` in front
 * of it, and throws an `AuthError` `ERR_CONFIG_INVALID` naming the first route where one
 * does not (`GET /admin: the requireRoles guard has no jwtAuth() in front of it`). Koa has no
 * start-up hook, so call it yourself, after the last `app.use()`.
 *
 * It reads `app.middleware` and the routes of `@koa/router` routers mounted with
 * `app.use(router.routes())`. Other composed middleware is opaque to it; a guard it cannot see
 * still refuses every request with 500 `ERR_CONFIG_INVALID`, never letting one pass.
 *
 * @example
 * ```ts
 * router.get('/admin', jwtAuth(options), requireRoles('admin'), showAdmin);
 * app.use(router.routes());
 * assertGuarded(app);
 * app.listen(3000);
 * ```
 */
export function assertGuarded(app: { readonly middleware: readonly unknown[] }): void {
  const middleware = app.middleware;
  for (let i = 0; i < middleware.length; i++) {
    const router = routerOf(middleware[i]);
    if (router === undefined) {
      // App-level middleware runs for every request; a router in front authenticates its own routes only.
      if (isPolicy(middleware[i])) assertGuardOrder(middleware.slice(0, i + 1).filter((entry) => routerOf(entry) === undefined), 'every request');
      continue;
    }
    for (const layer of router.stack) {
      if (layer.methods.length === 0 || !layer.stack.some((entry) => isPolicy(entry))) continue;
      const path = sample(layer.path);
      for (const method of layer.methods) {
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        const before = middleware.slice(0, i).flatMap((entry) => {
          const other = routerOf(entry);
          return other === undefined ? [entry] : routerChain(other, path, method);
        });
        assertGuardOrder([...before, ...routerChain(router, path, method, layer)], `${method} ${String(layer.path)}`);
      }
    }
  }
}
