// A TCP proxy on loopback in front of a real server, to break the network between a client and
// it on purpose: hold what the client sends, swallow the server's replies, cut every connection.

import { createServer, connect, type Socket } from 'node:net';

/** What the proxy does with the bytes that pass. */
export type ProxyMode = 'pass' | 'hold-requests' | 'drop-replies';

/** A proxy started by {@link startTcpProxy}. */
export interface TcpProxy {
  readonly port: number;
  /** `pass` forwards both ways; `hold-requests` keeps what clients send; `drop-replies` discards what the server answers. */
  mode: ProxyMode;
  /** Bytes the clients sent while requests were held. */
  readonly heldBytes: number;
  /** Closes every open connection (both sides), as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let held = 0;
  const proxy: TcpProxy = {
    port: 0,
    mode: 'pass',
    get heldBytes() {
      return held;
    },
    cut() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cut();
        server.close(() => resolve());
      }),
  };
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('data', (chunk: Buffer) => {
      if (proxy.mode === 'hold-requests') held += chunk.length;
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (proxy.mode !== 'drop-replies') client.write(chunk);
    });
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  Object.defineProperty(proxy, 'port', { value: (server.address() as { port: number }).port });
  return proxy;
}
