import { incomingRequestView, type IncomingMessageLike, type RequestView } from '@jwt-gate/core';
import type { Context } from 'hono';

/**
 * The request as the core sees it, read through the Fetch `Headers` of `c.req.raw`. Fetch joins
 * repeated headers with a comma; the core refuses that for `Authorization`.
 */
class FetchRequestView implements RequestView {
  readonly method: string;
  readonly #headers: Headers;
  constructor(method: string, headers: Headers) {
    this.method = method;
    this.#headers = headers;
  }
  header(name: string): string | null {
    return this.#headers.get(name);
  }
}

// Why a second way to read the request: on @hono/node-server, `c.req.raw.headers` is a Headers
// object built lazily per request over the Node message, and one `get('authorization')` through
// it (an allocation, a name check, Node's header object, a copy of the raw lines, a scan of the
// value) cost about 0.05 of a small route's throughput in the paired benchmark: as much as the
// rest of a cached authentication. Reading the Node message as Express and Koa do
// (`incomingRequestView`: each Authorization line, so a repeated one is refused) is equivalent
// only while `c.req.raw` is still the request node-server built for that message and nobody has
// taken its Headers object: every change to a request header goes through that object
// (`headers.set`, `headers.delete`) or replaces `c.req.raw`. Both facts sit in node-server's
// private symbol properties, which are not an API, so they are learned by identity, never by
// name, from the first request: the property holding `c.env.incoming`, and the property holding
// the Headers object `c.req.raw.headers` just returned. A request of another shape takes the
// Headers path; a version that keeps its Headers elsewhere, or builds them up front, is never
// read the fast way. Not seen: a Proxy put in place of `c.req.raw` whose `headers` trap rewrites
// headers without ever reading the real ones.
interface NodeServerShape {
  /** The prototype of node-server's requests. */
  readonly proto: object;
  /** The property holding the Node message. */
  readonly message: symbol;
  /** The property holding the Headers object, absent until `headers` is first read. */
  readonly headers: symbol;
}

let known: NodeServerShape | undefined;
const notNodeServer = new WeakSet<object>();

/** The property of `raw` whose value is exactly `value`, if there is one and only one. */
function propertyHolding(raw: object, symbols: readonly symbol[], value: unknown): symbol | undefined {
  const holding = symbols.filter((symbol) => (raw as Record<symbol, unknown>)[symbol] === value);
  return holding.length === 1 ? holding[0] : undefined;
}

/** Learns node-server's shape from a request whose `headers` was just read, or rules its prototype out. */
function learn(c: Context, raw: Request, proto: object, headers: Headers): void {
  const env: unknown = c.env;
  const message = typeof env === 'object' && env !== null ? (env as { incoming?: unknown }).incoming : undefined;
  if (typeof message !== 'object' || message === null || !Array.isArray((message as Partial<IncomingMessageLike>).rawHeaders)) return;
  const symbols = Object.getOwnPropertySymbols(raw);
  const messageKey = propertyHolding(raw, symbols, message);
  const headersKey = propertyHolding(raw, symbols, headers);
  if (messageKey === undefined || headersKey === undefined || Object.hasOwn(raw, 'headers')) notNodeServer.add(proto);
  else known = { proto, message: messageKey, headers: headersKey };
}

/**
 * The request as the core sees it: the Node message, read as on Express and Koa, where that is
 * provably the same request; else `c.req.raw.headers`.
 */
export function requestView(c: Context): RequestView {
  const raw = c.req.raw;
  const proto = Object.getPrototypeOf(raw) as object | null;
  if (known !== undefined && proto === known.proto && !Object.hasOwn(raw, 'headers')) {
    const fields = raw as unknown as Record<symbol, unknown>;
    const message = fields[known.message] as IncomingMessageLike | undefined;
    if (fields[known.headers] === undefined && message !== undefined) return incomingRequestView(message);
  }
  const headers = raw.headers;
  if (known === undefined && proto !== null && !notNodeServer.has(proto)) learn(c, raw, proto, headers);
  return new FetchRequestView(c.req.method, headers);
}
