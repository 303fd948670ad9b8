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

/** GETs `url`; a network failure, a timeout or an oversized body is a CliError with exit 3. */
export async function fetchDocument(url: string, what: string, timeout: number): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'follow', credentials: 'omit', signal: AbortSignal.timeout(timeout) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError(`${what} ${url} could not be fetched (${cause === 'TimeoutError' ? `no answer within ${timeout} ms` : cause})`, EXIT.unavailable, 'unavailable');
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.byteLength > MAX_BODY) throw new CliError(`${what} ${url} is larger than ${MAX_BODY} bytes`, EXIT.unavailable, 'unavailable');
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
