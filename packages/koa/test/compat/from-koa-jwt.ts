// koa-jwt 4's options, mapped onto jwtAuth's: what the migration guide's table says, as code.
// `key`, `tokenKey` and `ctx.state.secret` have no counterpart (see the guide).

import type { Context } from 'koa';
import type { Algorithm, AuthResult, JwtAuthOptions, RequestView } from '../../src/index.js';

type Key = string | Uint8Array;

export interface KoaJwtOptions {
  secret: Key | Key[] | ((header: Record<string, unknown>, payload: Record<string, unknown>) => Promise<Key | Key[]>);
  passthrough?: boolean;
  getToken?: (ctx: Context, opts: KoaJwtOptions) => string | null | undefined;
  cookie?: string;
  isRevoked?: (ctx: RequestView | undefined, decoded: Record<string, unknown>, token: string) => Promise<boolean>;
  issuer?: string;
  audience?: string | string[];
  algorithms?: Algorithm[];
  debug?: boolean;
}

export function fromKoaJwt(opts: KoaJwtOptions): JwtAuthOptions {
  const { secret, passthrough = false, getToken, cookie, isRevoked, issuer, audience, algorithms } = opts;
  // jsonwebtoken checks iss and aud only when asked to, and accepts tokens without exp; koa-jwt
  // throws its refusals to Koa's error path. `debug` has no counterpart: messages never vary.
  const common = { audience: audience ?? null, requireExpiration: false, optional: passthrough, errors: 'next' as const, algorithms };
  const keys = typeof secret === 'function'
    // A secret provider becomes a resolver: it sees the unverified iss only.
    ? { resolveIssuer: async (iss: string) => (issuer !== undefined && iss !== issuer ? null : { secret: await secret({}, { iss }) }) }
    : { issuer: issuer ?? null, secret };
  return {
    ...common,
    ...keys,
    ...(cookie === undefined ? {} : { cookie }),
    ...(getToken === undefined ? {} : { getToken: (ctx: Context) => getToken(ctx, opts) }),
    ...(isRevoked === undefined ? {} : { isRevoked: ({ claims, token }: AuthResult, ctx?: RequestView) => isRevoked(ctx, { ...claims }, token) }),
  } as JwtAuthOptions;
}
