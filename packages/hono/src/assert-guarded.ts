import { isPolicy } from '@jwt-gate/core';
import { assertGuardOrder } from '@jwt-gate/core/adapter';
import type { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';

// Not an HTTP method (it holds a space): only handlers registered for every method match it.
const ANY_METHOD = 'any method';
const PARAM = /:[^/{}?]+(?:\{((?:[^{}]|\{[^{}]*\})+)\})?\??/g;
const VALUES = ['1', 'a', 'x1', 'a-1', 'a.b', 'A'];

/** A concrete path a route's pattern matches, or null when no simple value fits a parameter's pattern. */
function sample(path: string): string | null {
  let fits = true;
  const filled = path.replace(PARAM, (_, pattern: string | undefined) => {
    if (pattern === undefined) return 'x';
    let test: RegExp;
    try {
      test = new RegExp(`^(?:${pattern})$`);
    } catch {
      fits = false;
      return 'x';
    }
    const value = VALUES.find((candidate) => test.test(candidate));
    if (value === undefined) fits = false;
    return value ?? 'x';
  });
  return fits ? filled.replace(/\*/g, 'x') : null;
}

// `app.route()` wraps the handlers of a sub-app that has its own onError; Hono keeps the original.
function unwrap(handler: unknown): unknown {
  let current = handler;
  for (let i = 0; i < 8 && typeof current === 'function' && '__COMPOSED_HANDLER' in current; i++) current = current.__COMPOSED_HANDLER;
  return current;
}

/**
 * Checks, before the app serves, that every route guard of the app has `jwtAuth()` in front
 * of it, and throws an `AuthError` `ERR_CONFIG_INVALID` naming the first route where one
 * does not (`GET /admin: the requireRoles guard has no jwtAuth() in front of it`). Hono has no
 * start-up hook, so call it yourself, after the last route is added.
 *
 * It reads `app.routes` (sub-apps added with `app.route()` included) and matches them with
 * Hono's own router, method and path. A guard on a path whose parameters it cannot fill
 * (`:id{[0-9a-f]{24}}`) is checked against every handler registered before it. A guard it
 * cannot see still refuses every request with 500 `ERR_CONFIG_INVALID`, never letting one pass.
 *
 * @example
 * ```ts
 * app.get('/admin', jwtAuth(options), requireRoles('admin'), (c) => c.json({ ok: true }));
 * assertGuarded(app);
 * export default app;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function assertGuarded(app: Hono<any, any, any>): void {
  const routes = app.routes;
  const handlers = routes.map((route) => unwrap(route.handler));
  if (!handlers.some((handler) => isPolicy(handler))) return;
  const router = new TrieRouter<number>();
  routes.forEach((route, i) => router.add(route.method, route.path, i));

  for (let i = 0; i < routes.length; i++) {
    if (!isPolicy(handlers[i])) continue;
    const { method, path } = routes[i] as { method: string; path: string };
    const concrete = sample(path);
    const before =
      concrete === null
        ? routes.flatMap((route, j) => (j < i && (route.method === 'ALL' || route.method === method) ? [j] : []))
        : router
            .match(method === 'ALL' ? ANY_METHOD : method, concrete)[0]
            .map(([j]) => j)
            .filter((j) => j < i)
            .sort((a, b) => a - b);
    assertGuardOrder([...before.map((j) => handlers[j]), handlers[i]], `${method} ${path}`);
  }
}
