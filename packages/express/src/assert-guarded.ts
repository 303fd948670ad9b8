import { isPolicy } from '@jwt-gate/core';
import { assertGuardOrder } from '@jwt-gate/core/adapter';
import type { Application, Router } from 'express';

// The parts of Express's router internals read here. Express 5 (router 2) keeps a layer's
// path in `rawPath` and returns the match; Express 4 keeps only a RegExp and stores the match
// in `layer.path`.
interface Layer {
  handle: unknown;
  route?: { path: unknown; stack: Layer[]; methods: Record<string, boolean | undefined> };
  method?: string;
  rawPath?: unknown;
  regexp?: RegExp & { fast_slash?: boolean };
  path?: string;
  match(path: string): unknown;
}

interface Entry {
  /** The mount layers it sits under, outermost first, then its own layer. */
  readonly layers: readonly Layer[];
  readonly handle: unknown;
  /** For a handler inside a route: the method it answers, `''` for all. */
  readonly method?: string;
}

const MAX_DEPTH = 16;

function stackOf(value: unknown): Layer[] | undefined {
  const stack = (value as { stack?: unknown } | null | undefined)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

function flatten(stack: readonly Layer[], mounts: readonly Layer[], out: Entry[], depth: number): void {
  for (const layer of stack) {
    const nested = typeof layer.handle === 'function' ? stackOf(layer.handle) : undefined;
    if (layer.route !== undefined) {
      for (const inner of layer.route.stack) out.push({ layers: [...mounts, layer], handle: inner.handle, method: inner.method ?? '' });
    } else if (nested !== undefined && depth < MAX_DEPTH) {
      flatten(nested, [...mounts, layer], out, depth + 1);
    } else {
      out.push({ layers: [...mounts, layer], handle: layer.handle });
    }
  }
}

/** A layer's own path as a string to join into a full path, or null when it is not a plain string. */
function pathOf(layer: Layer): string | null {
  if (typeof layer.rawPath === 'string') return layer.rawPath === '/' ? '' : layer.rawPath.replace(/\/$/, '');
  if (layer.rawPath !== undefined) return null;
  // Express 4: '/' is flagged; a plain mount path can be read back from its RegExp.
  if (layer.regexp?.fast_slash === true) return '';
  const plain = /^\^((?:\\\/(?:[\w~-]|\\\.)+)+)\\\/\?\(\?=\\\/\|\$\)$/.exec(layer.regexp?.source ?? '');
  return plain === null ? null : (plain[1] as string).replace(/\\/g, '');
}

/** A concrete path a route's pattern matches: optional groups taken, parameter names kept as values. */
function sample(path: unknown): string | null {
  if (typeof path !== 'string') return null;
  return path.replace(/[{}]/g, '').replace(/\\(.)/g, '$1') || '/';
}

function fullPath(entry: Entry, own: string | null): string | null {
  let path = '';
  for (const layer of entry.layers.slice(0, -1)) {
    const part = pathOf(layer);
    if (part === null) return null;
    path += part;
  }
  return own === null ? null : path + own || '/';
}

/** What of `path` a layer matches, as Express's router trims it, or null. */
function prefix(layer: Layer, path: string): string | null {
  const match = layer.match(path);
  if (match === false || match === null || match === undefined) return null;
  const matched = typeof match === 'object' ? String((match as { path?: unknown }).path ?? '') : (layer.path ?? '');
  if (matched.length > 0 && (!path.startsWith(matched) || (path.length > matched.length && path[matched.length] !== '/'))) return null;
  return matched;
}

/** Whether `entry` runs for a request to `path` with `method` (`''`: any method); a path not known counts as a match. */
function runsFor(entry: Entry, path: string | null, method: string): boolean {
  if (entry.method !== undefined && entry.method !== '' && entry.method !== method) return false;
  if (path === null) return true;
  let rest = path;
  const last = entry.layers.length - 1;
  for (let i = 0; i < last; i++) {
    const matched = prefix(entry.layers[i] as Layer, rest);
    if (matched === null) return false;
    rest = rest.slice(matched.length) || '/';
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  return prefix(entry.layers[last] as Layer, rest) !== null;
}

function check(entries: readonly Entry[], end: number, own: readonly Entry[], path: string | null, method: string, label: string): void {
  const chain = entries.slice(0, end).filter((entry) => runsFor(entry, path, method));
  assertGuardOrder([...chain, ...own.filter((entry) => entry.method === undefined || entry.method === '' || entry.method === method)].map((entry) => entry.handle), label);
}

/**
 * Checks, before the app listens, that every route guard of the app has `jwtAuth()` in front
 * of it, and throws an `AuthError` `ERR_CONFIG_INVALID` naming the first route where one
 * does not (`GET /admin: the requireRoles guard has no jwtAuth() in front of it`). Express has
 * no start-up hook, so call it yourself, after the last route is added.
 *
 * It walks the app's routes and the routers mounted with `app.use()` / `router.use()`, on
 * Express 5 and 4. Sub-applications (`app.use('/x', express())`) are opaque to it; a guard it
 * cannot see still refuses every request with 500 `ERR_CONFIG_INVALID`, never letting one pass.
 *
 * @example
 * ```ts
 * app.get('/admin', jwtAuth(options), requireRoles('admin'), showAdmin);
 * assertGuarded(app);
 * app.listen(3000);
 * ```
 */
export function assertGuarded(app: Application | Router): void {
  const holder = app as unknown as { _router?: unknown; router?: unknown; lazyrouter?: unknown; stack?: unknown };
  // Express 4 creates `_router` with the first route, and its `app.router` getter throws.
  const root = stackOf(holder) ?? stackOf(holder._router) ?? (typeof holder.lazyrouter === 'function' ? undefined : stackOf(holder.router));
  if (root === undefined) return;
  const entries: Entry[] = [];
  flatten(root, [], entries, 0);

  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    const layer = entry.layers[entry.layers.length - 1] as Layer;
    const route = layer.route;
    if (route === undefined) {
      if (isPolicy(entry.handle)) {
        const path = fullPath(entry, pathOf(layer));
        check(entries, i, [entry], path, '', `ALL ${path ?? '(a pattern)'}`);
      }
      continue;
    }
    // A route: checked once, at its first handler, for each method it answers.
    if (i > 0 && (entries[i - 1] as Entry).layers.at(-1) === layer) continue;
    let end = i;
    while (end < entries.length && (entries[end] as Entry).layers.at(-1) === layer) end++;
    const own = entries.slice(i, end);
    if (!own.some((handler) => isPolicy(handler.handle))) continue;
    const path = fullPath(entry, sample(route.path));
    const label = path ?? String(route.path);
    const methods = Object.keys(route.methods).filter((method) => route.methods[method] === true && method !== '_all');
    if (route.methods['_all'] === true || methods.length === 0) check(entries, i, own, path, '', `ALL ${label}`);
    for (const method of methods) check(entries, i, own, path, method, `${method.toUpperCase()} ${label}`);
  }
}
