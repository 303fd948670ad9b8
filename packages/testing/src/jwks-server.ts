import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { JWK } from 'jose';

/** How the local key server answers. */
export type JwksBehaviour =
  | { kind: 'ok' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number }
  | { kind: 'invalid-json' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'body'; body: string }
  /** Closes the connection without answering. */
  | { kind: 'drop' }
  /** Starts a 200 answer, then closes the connection halfway through the body. */
  | { kind: 'truncate' }
  /** Answers `/jwks.json` with a redirect to `location` (other paths as usual). */
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 };

/** A real HTTP server on loopback serving a JWKS and OpenID metadata. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The JWKS URL (`/jwks.json`). */
  readonly jwksUri: string;
  /** The issuer its metadata names (the origin unless changed). */
  issuer: string;
  /** A metadata document served verbatim instead of `{ issuer, jwks_uri }`, when set. */
  metadata: string | undefined;
  /** The keys served. */
  keys: JWK[];
  /** How it answers from now on. */
  behaviour: JwksBehaviour;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  /** The headers of every request received, in order, with its path. */
  readonly requests: { readonly path: string; readonly headers: Readonly<Record<string, string | string[] | undefined>> }[];
  /** Total requests received. */
  readonly total: () => number;
  /** TCP connections accepted, whether or not a request followed. */
  readonly connections: () => number;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a key server on 127.0.0.1 with a random port. Serves `/jwks.json`,
 * `/.well-known/openid-configuration` and (when `rfc8414` is set, instead)
 * `/.well-known/oauth-authorization-server`.
 */
export async function startJwksServer(options: { keys?: JWK[]; rfc8414?: boolean; issuerPath?: string } = {}): Promise<JwksServer> {
  const hits = new Map<string, number>();
  const requests: JwksServer['requests'] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const state = {
    keys: options.keys ?? [],
    behaviour: { kind: 'ok' } as JwksBehaviour,
    issuer: '',
    metadata: undefined as string | undefined,
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push({ path, headers: { ...req.headers } });
    const behaviour = state.behaviour;
    if (behaviour.kind === 'redirect' && path === '/jwks.json') {
      res.writeHead(behaviour.status ?? 302, { location: behaviour.location }).end();
      return;
    }
    if (behaviour.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (res.destroyed) return;
    if (behaviour.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (behaviour.kind === 'status') {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const suffix = options.issuerPath ?? '';
    const oidc = `${suffix}/.well-known/openid-configuration`;
    const as = `/.well-known/oauth-authorization-server${suffix}`;
    let body: string;
    if (path === '/jwks.json') {
      if (behaviour.kind === 'invalid-json') body = '{"keys": [';
      else if (behaviour.kind === 'huge') body = `{"keys":[],"pad":"${'x'.repeat(behaviour.bytes)}"}`;
      else if (behaviour.kind === 'body') body = behaviour.body;
      else body = JSON.stringify({ keys: state.keys });
    } else if ((path === oidc && !options.rfc8414) || (path === as && options.rfc8414)) {
      body = state.metadata ?? JSON.stringify({ issuer: state.issuer, jwks_uri: `${server.origin}/jwks.json` });
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    if (behaviour.kind === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length * 2) });
      res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }

  const http: Server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy());
  });
  http.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  state.issuer = `${origin}${options.issuerPath ?? ''}`;

  const server: JwksServer = {
    origin,
    jwksUri: `${origin}/jwks.json`,
    get issuer() {
      return state.issuer;
    },
    set issuer(value: string) {
      state.issuer = value;
    },
    get metadata() {
      return state.metadata;
    },
    set metadata(value: string | undefined) {
      state.metadata = value;
    },
    get keys() {
      return state.keys;
    },
    set keys(value: JWK[]) {
      state.keys = value;
    },
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value: JwksBehaviour) {
      state.behaviour = value;
    },
    hits,
    requests,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };
  return server;
}
