import { serverTarget, type ConformanceTarget } from '@jwt-gate/testing';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The app listening on a free loopback port, reached over real HTTP. */
export async function listening(app: FastifyInstance): Promise<ConformanceTarget> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return serverTarget(app.server, () => app.close());
}

/** The app reached through `app.inject`: repeated headers go in as arrays, as Node receives them. */
export async function injected(app: FastifyInstance): Promise<ConformanceTarget> {
  await app.ready();
  return {
    async request({ method, path, headers, body }) {
      const grouped: Record<string, string | string[]> = {};
      for (const [name, value] of headers) {
        const key = name.toLowerCase();
        const seen = grouped[key];
        grouped[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      const res = await app.inject({ method: method as 'GET', url: path, headers: grouped, ...(body === undefined ? {} : { payload: body }) });
      return { status: res.statusCode, headers: res.headers as Record<string, string | string[] | undefined>, text: res.body };
    },
    close: () => app.close(),
  };
}

/** A request as `app.inject` takes it: a path, or the method, path, headers and payload. */
export type HttpRequest = string | { method?: string; url: string; headers?: Record<string, string | string[]>; payload?: string };

/** A response with what the tests read of it, as `app.inject` gives it. */
export interface HttpResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

const opened = new Set<FastifyInstance>();

/**
 * Sends one request to the app over real HTTP, listening on a free loopback port first if it
 * is not yet; {@link closeApps} closes every app this opened.
 */
export async function send(app: FastifyInstance, sent: HttpRequest): Promise<HttpResponse> {
  const { method = 'GET', url, headers = {}, payload } = typeof sent === 'string' ? { url: sent } : sent;
  if (!opened.has(app)) {
    opened.add(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
  }
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ statusCode: res.statusCode as number, headers: res.headers, body, json: () => JSON.parse(body) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Closes every app {@link send} opened. */
export async function closeApps(): Promise<void> {
  const apps = [...opened];
  opened.clear();
  await Promise.all(apps.map((app) => app.close()));
}
