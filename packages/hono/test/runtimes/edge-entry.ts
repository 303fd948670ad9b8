// The Edge Runtime's entry: the Hono app of app.ts answering the runtime's fetch events, with
// the keys the test put on the global object before evaluating this bundle.

import { createApp, type RuntimeKeys } from './app.js';

interface FetchEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

const edge = globalThis as unknown as { JWT_GATE_KEYS: RuntimeKeys; addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void };
const app = createApp(edge.JWT_GATE_KEYS);
edge.addEventListener('fetch', (event) => event.respondWith(app.fetch(event.request)));
