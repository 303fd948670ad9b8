// Fetching a metadata document or a JWKS for `check` and `jwks list`: a GET with a timeout and a
// size cap, no credentials, and the status and final URL kept for the report.

import { CliError, EXIT } from './output.js';
import { parseDuration } from './time.js';

/** What one GET returned. */
export interface Fetched {
  readonly status: number;
  /** The URL that answered, after redirects. */
  readonly url: string;
  /** The body as JSON; undefined when it was not JSON or the status was not 2xx. */
  readonly json: unknown;
}

const MAX_BODY = 262_144;

/** The `--timeout` flag in milliseconds (default 5 s, as the verifier's remote key sets). */
export function timeoutOf(flag: string | undefined): number {
  return flag === undefined ? 5_000 : parseDuration(flag, '--timeout') * 1000;
}

// The body, read until the cap: a huge or endless answer is refused, not buffered whole.
async function readCapped(response: Response, what: string): Promise<Uint8Array> {
  const tooLarge = () => new CliError(`${what} is larger than ${MAX_BODY} bytes`, EXIT.unavailable, 'unavailable');
  if (Number(response.headers.get('content-length') ?? 0) > MAX_BODY) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    size += next.value.byteLength;
    if (size > MAX_BODY) {
      await reader?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}

/** GETs `url`; a network failure, a timeout or an oversized body is a CliError with exit 3. */
export async function fetchDocument(url: string, what: string, timeout: number): Promise<Fetched> {
  let response: Response;
  let body: Uint8Array;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'follow', credentials: 'omit', signal: AbortSignal.timeout(timeout) });
    body = await readCapped(response, `${what} ${url}`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError(`${what} ${url} could not be fetched (${cause === 'TimeoutError' ? `no answer within ${timeout} ms` : cause})`, EXIT.unavailable, 'unavailable');
  }
  let json: unknown;
  if (response.ok) {
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, url: response.url || url, json };
}

/** GETs a JSON document: a failing endpoint is exit 3, an answer that is not JSON exit 1. */
export async function fetchJson(url: string, what: string, timeout: string | undefined): Promise<unknown> {
  const fetched = await fetchDocument(url, what, timeoutOf(timeout));
  if (fetched.status < 200 || fetched.status > 299) throw new CliError(`${what} ${url} answered ${fetched.status}`, EXIT.unavailable, 'unavailable');
  if (fetched.json === undefined) throw new CliError(`${what} ${url} did not answer JSON`, EXIT.refused, 'invalid');
  return fetched.json;
}
