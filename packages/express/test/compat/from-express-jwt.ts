// express-jwt 8's options, mapped onto jwtAuth's: what the migration guide's table says, as code.

import type { Request } from 'express';
import type { Algorithm, JwtAuthOptions, RequestView } from '../../src/index.js';

type Key = string | Uint8Array;
/** The token as express-jwt hands it to `secret` and `isRevoked`: jwt-gate gives the verified one, or only the unverified `iss` to pick keys. */
interface PeerToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface ExpressJwtOptions {
  secret: Key | ((req: RequestView | undefined, token: PeerToken) => Key | readonly Key[] | Promise<Key | readonly Key[]>);
  algorithms: Algorithm[];
  credentialsRequired?: boolean;
  getToken?: (req: Request) => string | undefined | Promise<string | undefined>;
  isRevoked?: (req: RequestView | undefined, token: PeerToken) => boolean | Promise<boolean>;
  issuer?: string;
  audience?: string | string[];
  clockTolerance?: number;
  maxAge?: number;
}

export function fromExpressJwt({ secret, algorithms, credentialsRequired = true, getToken, isRevoked, issuer, audience, clockTolerance, maxAge }: ExpressJwtOptions): JwtAuthOptions {
  // jsonwebtoken checks iss and aud only when asked to, and accepts tokens without exp.
  const common = { audience: audience ?? null, requireExpiration: false, algorithms, optional: !credentialsRequired, errors: 'next' as const, clockTolerance, maxTokenAge: maxAge };
  const keys = typeof secret === 'function'
    // A secret callback becomes a resolver: it sees the unverified iss (and the request) only.
    ? { resolveIssuer: async (iss: string, req?: RequestView) => (issuer !== undefined && iss !== issuer ? null : { secret: await secret(req, { header: {}, payload: { iss } }) }) }
    : { issuer: issuer ?? null, ...([algorithms].flat().every((alg) => alg.startsWith('HS')) ? { secret } : { publicKey: secret as string }) };
  return {
    ...common,
    ...keys,
    // express-jwt reads getToken instead of the Authorization header, never beside it.
    ...(getToken === undefined ? {} : { getToken, authorizationHeader: false }),
    ...(isRevoked === undefined ? {} : { isRevoked: (token, req) => isRevoked(req, { header: { ...token.header }, payload: { ...token.claims } }) }),
  } as JwtAuthOptions;
}
