import { SignJWT, type JWTPayload } from 'jose';
import { startJwksServer, type JwksServer } from '../jwks-server.js';
import { createTestKey, randomSecret, rawToken, signToken } from '../keys.js';
import type { ConformanceRoute, ConformanceSetup } from './harness.js';

/** The realm of every conformance app (the example servers' realm). */
export const REALM = 'jwt-gate-example';

/** The tokens scenarios send, by name. */
export type TokenName =
  | 'alice'
  | 'bob'
  | 'carol'
  | 'expired'
  | 'notYetValid'
  | 'wrongAudience'
  | 'untrustedIssuer'
  | 'wrongType'
  | 'forged'
  | 'tampered'
  | 'algNone'
  | 'wrongAlgorithm'
  | 'malformed'
  | 'oversized'
  | 'trustedIssuer'
  // Claim policies.
  | 'keycloak'
  | 'namespaced'
  | 'verified'
  | 'verifiedAsString'
  | 'suspended'
  | 'tenant'
  | 'orderClerk'
  | 'emailAsArray'
  | 'withoutMfa'
  | 'builtinRoles'
  | 'scopeAsArray'
  | 'scopeLookalike'
  | 'rolesAsString'
  | 'rolesNested'
  | 'rolesArrayLike'
  | 'manyRoles';

/** Everything one run of the suite shares: the setup given to the driver and the tokens. */
export interface Fixture {
  readonly setup: ConformanceSetup;
  readonly tokens: Readonly<Record<TokenName, string>>;
  /** The routes whose handlers ran, in order; the suite empties it before each request. */
  readonly handled: ConformanceRoute[];
  /** The refusals `onError` saw (in-process adapters). */
  readonly refused: { code: string; status: number }[];
  close(): Promise<void>;
}

const AUDIENCE = 'jwt-gate-example';
const ISSUER = 'https://auth.jwt-gate.test';

/**
 * Mints a fresh secret and the scenario tokens, and starts the second issuer's JWKS endpoint,
 * which answers 500 to everything.
 */
export async function createFixture(): Promise<Fixture> {
  const secret = randomSecret(48);
  const keysDown: JwksServer = await startJwksServer();
  keysDown.behaviour = { kind: 'status', status: 500 };
  const trusted = keysDown.origin;

  const now = Math.floor(Date.now() / 1000);
  let serial = 0;
  const hs = (claims: JWTPayload, header: Record<string, unknown> = {}, key: string = secret) =>
    new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 900, jti: `conformance-${++serial}`, ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header })
      .sign(new TextEncoder().encode(key));

  const alice = await hs({ sub: 'alice', scope: 'profile:read profile:write admin', roles: ['admin'] });
  const bob = await hs({ sub: 'bob', scope: 'profile:read', roles: ['user'] });
  const [aliceHeader, , aliceSignature] = alice.split('.');
  const bobPayload = bob.split('.')[1];
  const otherKey = await createTestKey('ES256');

  const tokens: Record<TokenName, string> = {
    alice,
    bob,
    carol: await hs({ sub: 'carol', scope: 'read write', roles: ['user'] }),
    expired: await hs({ sub: 'alice', iat: now - 1200, exp: now - 300 }),
    notYetValid: await hs({ sub: 'alice', nbf: now + 600, exp: now + 1200 }),
    wrongAudience: await hs({ sub: 'alice', aud: 'another-api' }),
    untrustedIssuer: await hs({ sub: 'alice', iss: 'https://evil.example' }),
    wrongType: await hs({ sub: 'alice' }, { typ: 'JWT' }),
    forged: await hs({ sub: 'alice', roles: ['admin'] }, {}, randomSecret(48)),
    // Alice's header and signature around Bob's claims.
    tampered: `${aliceHeader}.${bobPayload}.${aliceSignature}`,
    algNone: rawToken('{"alg":"none","typ":"at+jwt"}', JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: now + 900 }), ''),
    wrongAlgorithm: await signToken(otherKey, { iss: ISSUER, aud: AUDIENCE, sub: 'alice' }, { header: { typ: 'at+jwt' } }),
    malformed: 'abc.def.ghi',
    oversized: `${alice}${'A'.repeat(9000 - alice.length)}`,
    trustedIssuer: await signToken(otherKey, { iss: trusted, aud: AUDIENCE, sub: 'dave' }, { header: { typ: 'at+jwt' } }),
    keycloak: await hs({ sub: 'kim', realm_access: { roles: ['admin'] }, roles: ['user'] }),
    namespaced: await hs({ sub: 'nina', 'https://jwt-gate.test/roles': ['admin'] }),
    verified: await hs({ sub: 'vera', email_verified: true }),
    verifiedAsString: await hs({ sub: 'vic', email_verified: 'true' }),
    suspended: await hs({ sub: 'sam', scope: 'write', roles: ['suspended'] }),
    tenant: await hs({ sub: 'tess', tenant: 'acme' }),
    orderClerk: await hs({ sub: 'olga', permissions: ['orders:read'], amr: ['pwd', 'mfa'], email: 'olga@jwt-gate.test' }),
    withoutMfa: await hs({ sub: 'olga', permissions: ['orders:read'], amr: ['pwd'], email: 'olga@jwt-gate.test' }),
    emailAsArray: await hs({ sub: 'olga', permissions: ['orders:read'], amr: ['pwd', 'mfa'], email: ['olga@jwt-gate.test'] }),
    builtinRoles: await hs({ sub: 'ivy', roles: ['toString', 'constructor'] }),
    scopeAsArray: await hs({ sub: 'sid', scope: ['read', 'write'] }),
    scopeLookalike: await hs({ sub: 'lou', scope: 'writer rewrite write:all' }),
    rolesAsString: await hs({ sub: 'rita', roles: 'admin' }),
    rolesNested: await hs({ sub: 'nick', roles: [['admin']] }),
    rolesArrayLike: await hs({ sub: 'abe', roles: { 0: 'admin', length: 1 } }),
    // 5000 entries, the admin role first: refused whole, never walked. Numbers keep the token
    // small enough for Node's 16 KiB of request headers.
    manyRoles: await hs({ sub: 'mona', roles: ['admin', ...Array.from({ length: 4999 }, () => 0)] }),
  };

  const auth = {
    issuers: [
      { issuer: ISSUER, secret, algorithms: ['HS256'] },
      { issuer: trusted, jwksUri: keysDown.jwksUri },
    ],
    audience: AUDIENCE,
    realm: REALM,
    tokenType: 'at+jwt',
  } as const;
  const handled: ConformanceRoute[] = [];
  const refused: { code: string; status: number }[] = [];
  const authWithHook = { ...auth, onError: (error: { code: string; status: number }) => void refused.push({ code: error.code, status: error.status }) };

  return {
    setup: {
      realm: REALM,
      auth: authWithHook,
      optionalAuth: { ...authWithHook, optional: true },
      env: { JWT_SECRET: secret, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, TRUSTED_ISSUER: trusted, TRUSTED_JWKS_URI: keysDown.jwksUri },
      handled: (route) => void handled.push(route),
    },
    tokens,
    handled,
    refused,
    close: () => keysDown.close(),
  };
}
