import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { RawResponse } from './process.js';

/** A request of {@link rawBodyRequest}. */
export interface RawBodyRequest {
  /** Default `POST`. */
  method?: string;
  /** Sent exactly as listed, so a header can repeat or be left out. */
  headers?: [string, string][];
  /** The body's bytes, sent as they are (a Content-Encoding header does not encode them). */
  body?: Buffer;
  /** Sends the body in two chunks (`Transfer-Encoding: chunked`) instead of with a Content-Length. */
  chunked?: boolean;
  /** The local address to connect from (another loopback address is another client). */
  localAddress?: string;
}

/**
 * Sends a request with a body of raw bytes (garbage gzip, a body in another charset, a body sent
 * in chunks), for the example servers' body checks; {@link rawRequest} sends text.
 */
export function rawBodyRequest(url: string, { method = 'POST', headers = [], body, chunked = false, localAddress }: RawBodyRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const flat: string[] = ['host', new URL(url).host];
    for (const [name, value] of headers) flat.push(name, value);
    if (body !== undefined && !chunked) flat.push('content-length', String(body.length));
    const req = httpRequest(url, { method, headers: flat, ...(localAddress === undefined ? {} : { localAddress }) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T }));
    });
    req.on('error', reject);
    if (body !== undefined && chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else req.end(body);
  });
}

/** Whether this machine has `address` to connect from (all of 127.0.0.0/8 is loopback on Linux, not on macOS). */
export function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}
