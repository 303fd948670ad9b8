import { serverTarget, type ConformanceTarget } from '@jwt-gate/testing';
import type { FastifyInstance } from 'fastify';

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
