import { CompactEncrypt, importJWK, importPKCS8, SignJWT, type JWK, type JWTPayload } from 'jose';
import { fixture } from '../fixtures.js';
import { startJwksServer, type JwksServer } from '../jwks-server.js';
import { b64url, createTestKey, randomSecret, type TestKey } from '../keys.js';

/** The realm of every app the attack suite builds. */
export const ATTACK_REALM = 'jwt-gate-attacks';
/** The audience every trusted issuer's tokens must name. */
export const ATTACK_AUDIENCE = 'jwt-gate-attacks';

/** The trusted issuers, one per kind of key, by short name. */
export const ATTACK_ISSUERS = {
  hs: 'https://hs.jwt-gate.test',
  rsa: 'https://rsa.jwt-gate.test',
  ec: 'https://ec.jwt-gate.test',
  ed: 'https://ed.jwt-gate.test',
  remote: 'https://remote.jwt-gate.test',
} as const;

/** A trusted issuer's short name. */
export type AttackIssuer = keyof typeof ATTACK_ISSUERS;
/** Who signs: a trusted issuer's key, or the attacker's own ES256 key or HMAC secret. */
export type AttackSigner = AttackIssuer | 'attacker' | 'attackerSecret';

/** A trusted issuer of the attack apps: an HMAC secret, a public key, or a remote JWKS. */
export type AttackTrustedIssuer =
  | { readonly issuer: string; readonly secret: { readonly kid: string; readonly key: string }; readonly algorithms: readonly ['HS256'] }
  | { readonly issuer: string; readonly publicKey: JWK | { readonly kid: string; readonly key: string }; readonly algorithms?: readonly ['RS256'] }
  | { readonly issuer: string; readonly jwksUri: string }
  | { readonly issuer: string; readonly discovery: true };

/**
 * The `jwtAuth` options of the attack apps: five trusted issuers, `typ: at+jwt`, revocation by
 * (`iss`, `jti`). The fault-injection apps trust one remote issuer and pin the clock and the
 * fetch settings.
 */
export interface AttackAuthOptions {
  readonly issuers: readonly AttackTrustedIssuer[];
  readonly audience: string;
  readonly realm: string;
  readonly tokenType: 'at+jwt';
  /** Counts its calls; true for a revoked (`iss`, `jti`). */
  readonly isRevoked: (token: { readonly claims: Readonly<Record<string, unknown>> }) => boolean;
  /** Current time in milliseconds. */
  readonly clock?: () => number;
  /** Fetch settings of remote key sets and discovery. */
  readonly remote?: { readonly cooldown?: number; readonly timeout?: number; readonly cacheMaxAge?: number };
  /** The adapter's error mode, where a driver renders refusals in an error handler of its app. */
  readonly errors?: 'respond' | 'next';
  /** DPoP, on the apps of the DPoP attacks. */
  readonly dpop?: { readonly externalUrl: string; readonly mode: 'allowed' | 'required' };
}

/** The routes of an attack app. */
export type AttackRoute = 'me' | 'hello' | 'admin';

/**
 * What a driver builds an attack app from. The app serves, on the framework's own routing:
 * - every method on `/me`, `jwtAuth(auth)`: calls `handled('me')` and answers `{ sub }` from
 *   the attached claims;
 * - `GET /hello`, `jwtAuth(optionalAuth)`: calls `handled('hello')` and answers `{ sub }`
 *   (`sub` absent when anonymous);
 * - `GET /admin`, `jwtAuth(auth)` then the adapter's `requireRoles('admin')` guard: calls
 *   `handled('admin')` and answers `{ sub }`.
 * Rejections reach the client the adapter's way (or through the app's error handler).
 */
export interface AttackSetup {
  readonly realm: string;
  readonly auth: AttackAuthOptions;
  readonly optionalAuth: AttackAuthOptions & { readonly optional: true };
  handled(route: AttackRoute): void;
}

/** What the attack suite can see of the work a request caused, outside the verifier. */
export interface AttackCounters {
  /** Requests the remote issuer's JWKS endpoint received. */
  readonly jwksFetches: number;
  /** Connections the trap listener (the target of `jku`, `x5u` and friends) accepted. */
  readonly trapConnections: number;
  /** Calls of the revocation check, which must only ever see verified tokens. */
  readonly revocationChecks: number;
}

/**
 * Everything the attack cases build from: the keys of five trusted issuers (HS256, RS256,
 * ES256, EdDSA, and ES256 through a JWKS served by a real local server), the attacker's own
 * keys, a trap listener that must never be contacted, a revocation list keyed on (`iss`,
 * `jti`), and the `jwtAuth` options that trust all of it.
 */
export interface AttackFixture {
  /** What a driver builds its app from. */
  readonly setup: AttackSetup;
  /** The same options, for the core. */
  readonly auth: AttackAuthOptions;
  /** The routes whose handlers ran; the suite empties it before each request. */
  readonly handled: AttackRoute[];
  /** The HMAC secret of the `hs` issuer: it must never be echoed. */
  readonly secret: string;
  readonly keys: Readonly<Record<Exclude<AttackSigner, 'attackerSecret' | 'hs'>, TestKey>>;
  /** The attacker's HMAC secret. */
  readonly attackerSecret: string;
  /** The listener `jku` and `x5u` point at. */
  readonly trap: JwksServer;
  /** The remote issuer's JWKS endpoint. */
  readonly jwks: JwksServer;
  /** Current time in seconds, fixed when the fixture was made. */
  readonly now: number;
  /** Standard claims of an issuer's access token, merged with `extra` (an `undefined` value drops a claim). */
  claims(issuer: AttackIssuer, extra?: Record<string, unknown>): Record<string, unknown>;
  /** A token signed by `signer`: the issuer's standard claims and `typ: at+jwt`, with overrides. */
  sign(signer: AttackSigner, extra?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Signs header and payload JSON text exactly as given (duplicate members and all). */
  signRaw(signer: AttackSigner, headerJson: string, payloadJson: string | Uint8Array): Promise<string>;
  /** Marks (`iss`, `jti`) as revoked. */
  revoke(iss: string, jti: string): void;
  /** A snapshot of the counters. */
  counters(): AttackCounters;
  close(): Promise<void>;
}

const SIGNING: Record<string, AlgorithmIdentifier | EcdsaParams | RsaPssParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  EdDSA: { name: 'Ed25519' },
};

/** Mints the keys and starts the JWKS endpoint and the trap listener. */
export async function createAttackFixture(): Promise<AttackFixture> {
  const secret = randomSecret(48);
  const attackerSecret = randomSecret(48);
  const keys = {
    rsa: await createTestKey('RS256', { kid: 'rsa-1' }),
    ec: await createTestKey('ES256', { kid: 'ec-1' }),
    ed: await createTestKey('EdDSA', { kid: 'ed-1' }),
    remote: await createTestKey('ES256', { kid: 'remote-1' }),
    attacker: await createTestKey('ES256', { kid: 'attacker-1' }),
  };
  const jwks = await startJwksServer({ keys: [keys.remote.publicJwk as JWK] });
  const trap = await startJwksServer({ keys: [keys.attacker.publicJwk as JWK] });
  const now = Math.floor(Date.now() / 1000);
  const revoked = new Set<string>();
  let revocationChecks = 0;
  let serial = 0;

  const auth: AttackAuthOptions = {
    issuers: [
      { issuer: ATTACK_ISSUERS.hs, secret: { kid: 'hs-1', key: secret }, algorithms: ['HS256'] },
      { issuer: ATTACK_ISSUERS.rsa, publicKey: { kid: 'rsa-1', key: keys.rsa.publicPem as string }, algorithms: ['RS256'] },
      { issuer: ATTACK_ISSUERS.ec, publicKey: keys.ec.publicJwk as JWK },
      { issuer: ATTACK_ISSUERS.ed, publicKey: keys.ed.publicJwk as JWK },
      { issuer: ATTACK_ISSUERS.remote, jwksUri: jwks.jwksUri },
    ],
    audience: ATTACK_AUDIENCE,
    realm: ATTACK_REALM,
    tokenType: 'at+jwt',
    isRevoked: (token) => {
      revocationChecks++;
      const { iss, jti } = token.claims;
      return typeof iss === 'string' && typeof jti === 'string' && revoked.has(JSON.stringify([iss, jti]));
    },
  };
  const handled: AttackRoute[] = [];

  const signerKey = (signer: AttackSigner): { alg: string; kid: string | undefined; key: CryptoKey | Uint8Array } => {
    if (signer === 'hs') return { alg: 'HS256', kid: 'hs-1', key: new TextEncoder().encode(secret) };
    if (signer === 'attackerSecret') return { alg: 'HS256', kid: undefined, key: new TextEncoder().encode(attackerSecret) };
    const key = keys[signer];
    return { alg: key.alg, kid: key.kid, key: key.privateKey };
  };
  const issuerOf = (signer: AttackSigner): string => (signer === 'attacker' || signer === 'attackerSecret' ? ATTACK_ISSUERS.ec : ATTACK_ISSUERS[signer]);

  const self: AttackFixture = {
    setup: { realm: ATTACK_REALM, auth, optionalAuth: { ...auth, optional: true }, handled: (route) => void handled.push(route) },
    auth,
    handled,
    secret,
    keys,
    attackerSecret,
    trap,
    jwks,
    now,
    claims(issuer, extra = {}) {
      return { iss: ATTACK_ISSUERS[issuer], aud: ATTACK_AUDIENCE, sub: 'alice', iat: now, exp: now + 900, jti: `attack-${++serial}`, ...extra };
    },
    async sign(signer, extra = {}, header = {}) {
      const { alg, kid, key } = signerKey(signer);
      const claims = { ...self.claims(signer === 'attacker' || signer === 'attackerSecret' ? 'ec' : signer), iss: issuerOf(signer), ...extra };
      return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }), typ: 'at+jwt', ...header } as never).sign(key);
    },
    async signRaw(signer, headerJson, payloadJson) {
      const { alg, key } = signerKey(signer);
      const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
      const data = new TextEncoder().encode(input);
      let signature: ArrayBuffer;
      if (key instanceof Uint8Array) {
        const mac = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        signature = await crypto.subtle.sign('HMAC', mac, data);
      } else {
        signature = await crypto.subtle.sign(SIGNING[alg] as AlgorithmIdentifier, key, data);
      }
      return `${input}.${b64url(new Uint8Array(signature))}`;
    },
    revoke(iss, jti) {
      revoked.add(JSON.stringify([iss, jti]));
    },
    counters: () => ({ jwksFetches: jwks.total(), trapConnections: trap.connections(), revocationChecks }),
    async close() {
      await Promise.all([jwks.close(), trap.close()]);
    },
  };
  return self;
}

/** The base64 body of a PEM block, decoded. */
export function pemBytes(pem: string): Uint8Array {
  const body = pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/** Bytes as PEM with the given label, 64 characters a line. */
export function toPem(bytes: Uint8Array, label: string): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  const lines = btoa(text).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** base64url decoded to bytes. */
export function fromB64url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** A compact JWE of `claims`, RSA-OAEP-256 to the `rsa` issuer's own public key, as if nested. */
export async function encryptTo(key: TestKey, claims: Record<string, unknown>): Promise<string> {
  const { kty, n, e } = key.publicJwk as JWK;
  const publicKey = await importJWK({ kty, n, e } as JWK, 'RSA-OAEP-256');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', typ: 'at+jwt' })
    .encrypt(publicKey);
}

/** A token signed by the self-signed certificate's key, carrying the certificate in `x5c`. */
export async function signWithX5c(claims: Record<string, unknown>): Promise<string> {
  const der = pemBytes(fixture('ec-cert.pem'));
  const key = await importPKCS8(fixture('ec-cert-key.pem'), 'ES256');
  let text = '';
  for (const byte of der) text += String.fromCharCode(byte);
  return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'ES256', kid: 'ec-1', typ: 'at+jwt', x5c: [btoa(text)] }).sign(key);
}
