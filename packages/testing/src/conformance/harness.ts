import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawRequest } from '../process.js';
import type { GuardedRouteName } from './guarded-routes.js';

/** The routes every conformance app serves. */
export type ConformanceRoute = 'me' | 'forwarded' | 'header-token' | 'header-only' | 'query-token' | 'admin' | 'hello' | GuardedRouteName;

/** The header `/header-token` and `/header-only` read the token from (`tokenHeader`). */
export const TOKEN_HEADER = 'x-access-token';

/** The header the `/forwarded` route's earlier middleware moves into `Authorization`. */
export const FORWARDED_TOKEN_HEADER = 'x-forwarded-token';

/**
 * `jwtAuth` options of the conformance apps: the example servers' configuration (HS256 from a
 * secret, `typ: at+jwt`), plus a second trusted issuer whose JWKS endpoint answers 500.
 */
export interface ConformanceAuthOptions {
  readonly issuers: readonly [
    { readonly issuer: string; readonly secret: string; readonly algorithms: readonly ['HS256'] },
    { readonly issuer: string; readonly jwksUri: string },
  ];
  readonly audience: string;
  readonly realm: string;
  readonly tokenType: 'at+jwt';
  /** The adapter's error mode, where a driver renders refusals in an error handler of its app. */
  readonly errors?: 'respond' | 'next';
  /** Records each refusal, as an application's logging hook would. */
  readonly onError?: (error: { readonly code: string; readonly status: number }) => void;
}

/**
 * What a driver builds its app from. The app serves, with these handlers:
 *
 * - every method on `/me`, `jwtAuth(auth)`: calls `handled('me')`, answers
 *   `{ sub, scope, roles, claims, header, issuer, token }` from the attached result (a CORS
 *   preflight needs credentials like any request: this handler answers OPTIONS too);
 * - `GET /forwarded`: a middleware that, when the request carries {@link FORWARDED_TOKEN_HEADER},
 *   sets `Authorization: Bearer <its value>` through the framework's own API (replacing any
 *   Authorization the client sent), then `jwtAuth(auth)`: calls `handled('forwarded')` and
 *   answers as `/me` does;
 * - `GET /header-token`, `jwtAuth({ ...auth, tokenHeader: TOKEN_HEADER })`; `GET /header-only`,
 *   `jwtAuth({ ...auth, tokenHeader: TOKEN_HEADER, authorizationHeader: false })`; and
 *   `GET /query-token`, `jwtAuth({ ...auth, getToken })` with a `getToken` that reads the query
 *   parameter `access_token` through the framework's own API and throws
 *   `new AuthError('ERR_MULTIPLE_TOKENS')` when it is repeated: call `handled(<name>)` and answer
 *   as `/me` does;
 * - `GET /admin`, `jwtAuth(auth)` then the adapter's `requireRoles('admin')` guard: calls
 *   `handled('admin')` and answers `{ message: 'Hello, admin <sub>' }`;
 * - `GET /hello`, `jwtAuth(optionalAuth)`: calls `handled('hello')`, answers
 *   `{ message: 'Hello, <sub>' }`, or `{ message: 'Hello, stranger' }` when anonymous;
 * - every route of `GUARDED_ROUTES`, `GET <path>` with the authentication it names in front
 *   (see `guardedAuthOptions`) and its guard built with the adapter's own functions: calls
 *   `handled(<name>)` and answers `{ route: <name>, sub }`.
 *
 * A guard's rejection reaches the client the way the app's rejections from `jwtAuth` do.
 */
export interface ConformanceSetup {
  readonly realm: string;
  /** Options of the required authentication on `/me`, `/admin` and most guarded routes. */
  readonly auth: ConformanceAuthOptions;
  /** Options of the optional authentication on `/hello` and the `optional` guarded routes. */
  readonly optionalAuth: ConformanceAuthOptions & { readonly optional: true };
  /** The same configuration as environment variables, for the example servers. */
  readonly env: Readonly<Record<string, string>>;
  /** Handlers call this once they run past their own checks. */
  handled(route: ConformanceRoute): void;
}

/**
 * The header an app's own error handler adds to the rejections it renders, so the suite can
 * tell that it took over.
 */
export const APP_ERROR_HANDLER_HEADER = 'x-error-handler';

/** A request of a scenario. Headers go out exactly as listed, repeated ones included. */
export interface ConformanceRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
}

/** A response, read in full; header names lower case. */
export interface ConformanceResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly text: string;
}

/** A running app the suite sends requests to. */
export interface ConformanceTarget {
  request(request: ConformanceRequest): Promise<ConformanceResponse>;
  close(): Promise<void>;
}

/** How a framework (or an example server) is run through the suite. */
export interface ConformanceDriver {
  /** `adapter`: built in-process from the setup. `example`: an example server, a real process. */
  readonly kind: 'adapter' | 'example';
  /**
   * True where repeated request headers reach the app comma-joined, as in every fetch
   * `Request` (Hono on any runtime, `@hono/node-server` included).
   */
  readonly joinsRepeatedHeaders: boolean;
  /** How rejections are rendered: the RFC 6750 JSON body, or the framework's default text body (Koa). */
  readonly errorBody: 'json' | 'text';
  /**
   * True when an error handler of the app renders rejections and marks them with
   * {@link APP_ERROR_HANDLER_HEADER}, to show that it took over from the adapter's default.
   */
  readonly appErrorHandler: boolean;
  /** Builds and starts the app. */
  start(setup: ConformanceSetup): Promise<ConformanceTarget>;
}

/** A target on a listening Node server, reached over real HTTP with raw headers. */
export function serverTarget(server: Server, close?: () => Promise<void>): ConformanceTarget {
  const { port } = server.address() as AddressInfo;
  return urlTarget(`http://127.0.0.1:${port}`, close ?? (() => closeServer(server)));
}

/** A target on a Node request listener (an Express app, `koa.callback()`), served on a free loopback port. */
export async function listenerTarget(listener: RequestListener): Promise<ConformanceTarget> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return serverTarget(server);
}

/** A target at a base URL, reached over real HTTP with raw headers. */
export function urlTarget(baseUrl: string, close: () => Promise<void>): ConformanceTarget {
  return {
    async request({ method, path, headers, body }) {
      const res = await rawRequest(`${baseUrl}${path}`, {
        method,
        headers: headers.map(([name, value]) => [name, value]),
        ...(body === undefined ? {} : { body }),
      });
      return { status: res.status, headers: res.headers, text: res.text };
    },
    close,
  };
}

/**
 * A target on a fetch handler (`app.request`, `app.fetch`), called in-process with a `Request`.
 * Repeated headers are appended, so they arrive comma-joined, as on every fetch runtime.
 */
export function fetchTarget(handle: (request: Request) => Response | Promise<Response>): ConformanceTarget {
  return {
    async request({ method, path, headers, body }) {
      const list = new Headers();
      for (const [name, value] of headers) list.append(name, value);
      const res = await handle(new Request(`http://localhost${path}`, { method, headers: list, ...(body === undefined ? {} : { body }) }));
      const out: Record<string, string> = {};
      res.headers.forEach((value, name) => (out[name] = value));
      return { status: res.status, headers: out, text: await res.text() };
    },
    close: async () => {},
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
