// hono/jwt's `jwt()` and hono/jwk's `jwk()` options, mapped onto jwtAuth's: what the migration
// guide's table says, as code.

import type { Context, MiddlewareHandler } from 'hono';
import { jwtAuth, type Algorithm, type JWK, type JwtAuthOptions } from '../../src/index.js';

type Cookie = string | { key: string; secret?: string; prefixOptions?: 'host' | 'secure' };
interface Verification {
  iss?: string;
  aud?: string | string[];
}
interface Common {
  cookie?: Cookie;
  headerName?: string;
  realm?: string;
  verification?: Verification;
}
export interface HonoJwtOptions extends Common {
  secret: string | JWK | CryptoKey;
  alg: Algorithm;
}
export interface HonoJwkOptions extends Common {
  keys?: JWK[] | ((c: Context) => JWK[] | Promise<JWK[]>);
  jwks_uri?: string | ((c: Context) => string | Promise<string>);
  allow_anon?: boolean;
  alg: Algorithm[];
}

function common({ cookie, headerName, realm, verification = {} }: Common) {
  const { iss, aud, ...unsupported } = verification;
  // `exp: false`, `nbf: false` and `iat: false` let tokens through that jwt-gate always refuses.
  if (Object.keys(unsupported).length > 0) throw new TypeError(`verification.${Object.keys(unsupported).join(', ')}: no counterpart`);
  const prefix = typeof cookie === 'object' ? { host: '__Host-', secure: '__Secure-', none: '' }[cookie.prefixOptions ?? 'none'] : '';
  return {
    // hono's verify checks iss and aud only when asked to, and accepts tokens without exp;
    // its refusals are HTTPExceptions, as errors: 'next' throws them.
    issuer: iss ?? null, audience: aud ?? null, requireExpiration: false, errors: 'next' as const,
    ...(realm === undefined ? {} : { realm }),
    ...(cookie === undefined ? {} : { cookie: typeof cookie === 'string' ? cookie : { name: `${prefix}${cookie.key}`, ...(cookie.secret === undefined ? {} : { signed: cookie.secret }) } }),
    // headerName replaces the Authorization header.
    ...(headerName === undefined || headerName.toLowerCase() === 'authorization' ? {} : { tokenHeader: headerName, authorizationHeader: false }),
  };
}

export function fromHonoJwt({ secret, alg, ...rest }: HonoJwtOptions): JwtAuthOptions {
  return { ...common(rest), algorithms: [alg], ...(typeof secret === 'string' && alg.startsWith('HS') ? { secret } : { publicKey: secret }) } as JwtAuthOptions;
}

/** `keys` or `jwks_uri` given as functions of the request: each answer gets its middleware, made once. */
export function honoJwk({ keys, jwks_uri, allow_anon = false, alg, ...rest }: HonoJwkOptions): MiddlewareHandler {
  // jwt-gate takes one key source: given both, jwtAuth() says so.
  if (keys !== undefined && jwks_uri !== undefined) return jwtAuth({ ...common(rest), algorithms: alg, jwks: { keys }, jwksUri: jwks_uri } as never) as MiddlewareHandler;
  const made = new Map<string, MiddlewareHandler>();
  const build = (found: JWK[] | string | undefined) =>
    jwtAuth({ ...common(rest), algorithms: alg, optional: allow_anon, ...(typeof found === 'string' ? { jwksUri: found } : { jwks: { keys: found ?? [] } }) } as JwtAuthOptions) as MiddlewareHandler;
  const source = keys ?? jwks_uri;
  if (typeof source !== 'function') return build(source);
  return async (c, next) => {
    const found = await source(c);
    const id = JSON.stringify(found);
    const middleware = made.get(id) ?? made.set(id, build(found)).get(id)!;
    return middleware(c, next);
  };
}
