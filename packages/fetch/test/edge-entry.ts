// The Edge Runtime's entry: the Worker of workerd/worker.ts answering the runtime's fetch events,
// with the bindings the test put on the global object before evaluating this bundle.

import worker, { type Env } from './workerd/worker.js';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const edge = globalThis as unknown as { JWT_GATE_ENV: Env; addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void };
edge.addEventListener('fetch', (event) => event.respondWith(worker.fetch(event.request, edge.JWT_GATE_ENV)));
