import type { ServerResponse } from 'node:http';
import { AuthError } from '@jwt-gate/core';
import type { McpRequest } from './jwt-auth.js';

/** Options of {@link requireToolScopes}: what its challenges say, as `jwtAuth()`'s do. */
export interface ToolScopesOptions {
  /** The realm of its challenges. Default `"api"`. */
  realm?: string;
  /** The RFC 9728 metadata URL its challenges name (`resource_metadata`). */
  resourceMetadata?: string | URL;
}

function send(res: ServerResponse, error: AuthError): void {
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(error.body));
}

/** An absolute http(s) URL without a fragment, which a quoted challenge parameter can carry. */
function readMetadataUrl(where: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(value instanceof URL ? value.href : String(value));
  } catch {
    url = undefined;
  }
  if ((typeof value !== 'string' && !(value instanceof URL)) || url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash !== '' || /["\\\s]/.test(url.href)) {
    throw new TypeError(`${where}: resourceMetadata must be the absolute URL of the metadata document`);
  }
  return url.href;
}

/** The tools a JSON-RPC message (or batch) calls. */
function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const tools: string[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as { method?: unknown; params?: unknown };
    if (method !== 'tools/call' || typeof params !== 'object' || params === null) continue;
    const name = (params as { name?: unknown }).name;
    if (typeof name === 'string') tools.push(name);
  }
  return tools;
}

/**
 * Node (and Express) middleware for the MCP endpoint, after {@link jwtAuth} and a JSON body
 * parser: a `tools/call` of a tool listed here needs these scopes beyond the endpoint's, from
 * `req.auth.scopes`. Without them the request is refused before the tool runs, with 403
 * `insufficient_scope` naming the scopes the tool needs (and `resource_metadata`), which the
 * SDK's client answers by asking for them (MCP step-up authorization). A request without
 * `req.auth` is a 401; one whose body was not parsed (`req.body` undefined) a 500, never a pass.
 * Listed names and scopes are checked now.
 *
 * @example
 * ```ts
 * app.post('/mcp', jwtAuth(options), express.json(), requireToolScopes({ 'delete-order': ['orders:admin'] }, { resourceMetadata }), handle);
 * ```
 */
export function requireToolScopes(
  scopesByTool: Readonly<Record<string, readonly string[]>>,
  options: ToolScopesOptions = {},
): (req: McpRequest & { body?: unknown }, res: ServerResponse, next: (error?: unknown) => void) => void {
  const where = 'requireToolScopes';
  if (typeof scopesByTool !== 'object' || scopesByTool === null) throw new TypeError(`${where} needs { toolName: ['scope', ...] }`);
  const needs = new Map<string, readonly string[]>();
  for (const [tool, scopes] of Object.entries(scopesByTool)) {
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || scope.length === 0 || /\s/.test(scope))) {
      throw new TypeError(`${where}: the scopes of ${JSON.stringify(tool.slice(0, 40))} must be a non-empty array of scope names`);
    }
    needs.set(tool, Object.freeze([...scopes]));
  }
  const { realm, resourceMetadata } = options;
  const metadataUrl = resourceMetadata === undefined ? undefined : readMetadataUrl(where, resourceMetadata);
  const challenge = { ...(realm === undefined ? {} : { realm }), ...(metadataUrl === undefined ? {} : { resourceMetadata: metadataUrl }) };
  return function mcpToolScopes(req, res, next) {
    if (req.body === undefined) return send(res, new AuthError('ERR_CONFIG_INVALID', { ...challenge, message: `${where} ran before a JSON body parser` }));
    for (const tool of calledTools(req.body)) {
      const scopes = needs.get(tool);
      if (scopes === undefined) continue;
      if (req.auth === undefined) return send(res, new AuthError('ERR_TOKEN_MISSING', challenge));
      const granted = req.auth.scopes;
      if (!scopes.every((scope) => granted.includes(scope))) return send(res, new AuthError('ERR_INSUFFICIENT_SCOPE', { ...challenge, scope: scopes }));
    }
    next();
  };
}
