// The app hono's own jwt and jwk tests build: a middleware on /auth/*, a handler answering the
// claims (or an anonymous greeting), and a count of the handler's runs.

import { Hono, type MiddlewareHandler } from 'hono';
import type { AuthResult } from '../../src/index.js';

export interface ProtectedApp {
  readonly app: Hono;
  /** How often the protected handler ran. */
  ran(): number;
  /** GET `path` with these request headers. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

/** `middleware` on `/auth/*`, or created per request inside another middleware with `nested`. */
export function protectedApp(middleware: MiddlewareHandler | (() => MiddlewareHandler), nested = false): ProtectedApp {
  let ran = 0;
  const app = new Hono();
  app.use('/auth/*', nested ? (c, next) => (middleware as () => MiddlewareHandler)()(c, next) : (middleware as MiddlewareHandler));
  app.get('/auth/*', (c) => {
    ran++;
    return c.json((c.var as { auth?: AuthResult }).auth?.claims ?? { message: 'hello anon' });
  });
  return { app, ran: () => ran, get: async (path, headers = {}) => app.request(`http://localhost${path}`, { headers }) };
}
