import { fixture } from '../fixtures.js';
import { b64url } from '../keys.js';
import { ATTACK_AUDIENCE, ATTACK_ISSUERS, encryptTo, fromB64url, pemBytes, signWithX5c, toPem, type AttackFixture, type AttackIssuer } from './fixture.js';
import type { AttackOutcome } from './outcomes.js';
import { ecdsaDer, ecdsaTwin, ed25519Twin, es256Signature, nonCanonical, P256_ORDER, signatureOf, withSignature } from './signatures.js';

/** A whole request: headers exactly as listed (repeated ones included), on `/me` unless `path` says otherwise. */
export interface AttackRequest {
  /** `/me` (authentication required) or `/hello` (optional), with any query string. */
  readonly path?: string;
  readonly headers: readonly (readonly [string, string])[];
}

/** What a case builds: a token, or a request. */
export interface AttackInput {
  readonly token?: string;
  readonly request?: AttackRequest;
  /** Attacker-chosen text (a `kid`, a header value) that must never come back. */
  readonly echo?: readonly string[];
}

/**
 * One attack. `via` says how it travels:
 * - `bearer`: a token, verified directly and sent as `Authorization: Bearer <token>` (it is a
 *   valid RFC 6750 b64token, so extraction passes it to the verifier untouched);
 * - `verifier`: a token that cannot travel in a header (whitespace, braces): the verifier only;
 * - `request`: a whole request, through the authenticator and every adapter.
 */
export interface AttackCase {
  /** The security.md catalogue id (`AC-xx`), a dot and a variant number; `OK-x` for controls. */
  readonly id: string;
  readonly name: string;
  readonly via: 'bearer' | 'verifier' | 'request';
  readonly build: (fx: AttackFixture) => Promise<AttackInput>;
  readonly expect: AttackOutcome;
  /**
   * For requests built to be slow (long whitespace runs, ...): the same request grown past a
   * MiB, for runs that no HTTP server's header limit stands in front of. It must get the same
   * answer; linear work gives it in milliseconds, quadratic work would take hours, far past any
   * test's timeout, so no clock is read.
   */
  readonly large?: () => AttackRequest;
}

/** A configuration that must be refused when the middleware is created. */
export interface ConfigAttack {
  readonly id: string;
  readonly name: string;
  /** `jwtAuth` options, deliberately wrong. */
  readonly options: (fx: AttackFixture) => Record<string, unknown>;
  readonly error: 'TypeError' | 'RangeError';
}

const enc = new TextEncoder();
const json = (value: unknown) => JSON.stringify(value);
const HS = (extra: Record<string, unknown> = {}) => json({ alg: 'HS256', kid: 'hs-1', typ: 'at+jwt', ...extra });
const ES = (extra: Record<string, unknown> = {}) => json({ alg: 'ES256', kid: 'ec-1', typ: 'at+jwt', ...extra });
const segments = (token: string) => token.split('.') as [string, string, string];
const withoutSignature = (token: string) => token.slice(0, token.lastIndexOf('.') + 1);
const bytes = (...values: number[]) => Uint8Array.from(values);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

const token = (id: string, name: string, expect: AttackOutcome, build: (fx: AttackFixture) => Promise<string> | string, echo: readonly string[] = []): AttackCase => ({
  id,
  name,
  via: 'bearer',
  expect,
  build: async (fx) => ({ token: await build(fx), echo }),
});
const raw = (id: string, name: string, expect: AttackOutcome, build: (fx: AttackFixture) => Promise<string> | string): AttackCase => ({
  id,
  name,
  via: 'verifier',
  expect,
  build: async (fx) => ({ token: await build(fx) }),
});
const request = (
  id: string,
  name: string,
  expect: AttackOutcome,
  build: (fx: AttackFixture) => Promise<AttackRequest> | AttackRequest,
  echo: readonly string[] = [],
  large?: () => AttackRequest,
): AttackCase => ({ id, name, via: 'request', expect, build: async (fx) => ({ request: await build(fx), echo }), ...(large === undefined ? {} : { large }) });
const authorization = (...values: string[]) => ({ headers: values.map((value) => ['authorization', value] as const) });

/** An HMAC token keyed with public key material: the algorithm-confusion forgery (RFC 8725 §2.1). */
const confused = (issuer: AttackIssuer, kid: string, key: (fx: AttackFixture) => Uint8Array | string, alg = 'HS256') => async (fx: AttackFixture) => {
  const secret = key(fx);
  const input = `${b64url(json({ alg, kid, typ: 'at+jwt' }))}.${b64url(json(fx.claims(issuer)))}`;
  const hash = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }[alg] as string;
  const mac = await crypto.subtle.importKey('raw', (typeof secret === 'string' ? enc.encode(secret) : secret) as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash }, false, ['sign']);
  return `${input}.${b64url(new Uint8Array(await crypto.subtle.sign('HMAC', mac, enc.encode(input))))}`;
};

const rsaJwk = (fx: AttackFixture) => fx.keys.rsa.publicJwk as { n: string; e: string };
const ecJwk = (fx: AttackFixture) => fx.keys.ec.publicJwk as { x: string; y: string };
// SPKI of an RSA 2048 key: a 24-byte prefix, then the PKCS#1 RSAPublicKey.
const pkcs1 = (fx: AttackFixture) => toPem(pemBytes(fx.keys.rsa.publicPem as string).subarray(24), 'RSA PUBLIC KEY');

/** JSON text of `depth` nested arrays. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A valid HS256 token of exactly `length` characters, padded with a claim (and a header member, to reach every length). */
async function tokenOfLength(fx: AttackFixture, length: number): Promise<string> {
  const base = await fx.sign('hs', { pad: '' });
  const start = Math.floor(((length - base.length) * 3) / 4) - 20;
  for (let extra = 0; extra < 4; extra++) {
    for (let pad = start; pad < start + 40; pad++) {
      const candidate = await fx.sign('hs', { pad: 'x'.repeat(pad) }, { x: 'x'.repeat(extra) });
      if (candidate.length === length) return candidate;
    }
  }
  throw new RangeError(`no token of ${length} characters`);
}

/** Every attack the suite runs, against the core and through every adapter. */
export const ATTACKS: readonly AttackCase[] = [
  // Controls: each issuer's own valid token passes, so every refusal below is for its own reason.
  token('OK-1', 'control: a valid HS256 token', 'ACCEPTED', (fx) => fx.sign('hs')),
  token('OK-2', 'control: a valid RS256 token', 'ACCEPTED', (fx) => fx.sign('rsa')),
  token('OK-3', 'control: a valid ES256 token', 'ACCEPTED', (fx) => fx.sign('ec')),
  token('OK-4', 'control: a valid EdDSA token', 'ACCEPTED', (fx) => fx.sign('ed')),
  token('OK-5', 'control: a valid ES256 token of the issuer behind a remote JWKS', 'ACCEPTED', (fx) => fx.sign('remote')),
  token('OK-6', 'control: a token exactly at the 8192-character cap', 'ACCEPTED', (fx) => tokenOfLength(fx, 8192)),
  token('OK-7', 'control: constructor and prototype members are inert data', 'ACCEPTED', (fx) => fx.sign('hs', { constructor: { prototype: { polluted: true } }, prototype: { polluted: true } })),
  request('OK-8', 'control: the Bearer scheme in lower case', 'ACCEPTED', async (fx) => authorization(`bearer ${await fx.sign('hs')}`)),
  request('OK-9', 'control: the Bearer scheme in upper case', 'ACCEPTED', async (fx) => authorization(`BEARER ${await fx.sign('ec')}`)),

  // b.1 Algorithms.
  token('AC-01.1', 'alg none with an empty signature', 'ERR_TOKEN_MALFORMED', (fx) => `${b64url(json({ alg: 'none', typ: 'at+jwt' }))}.${b64url(json(fx.claims('hs')))}.`),
  ...['None', 'NONE', 'nOnE', 'none ', 'none\u0000', 'none\u200b'].map((alg, i) =>
    token(`AC-02.${i + 1}`, `alg ${json(alg)} (a case or padding variant of none)`, 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => `${b64url(json({ alg, typ: 'at+jwt' }))}.${b64url(json(fx.claims('hs')))}.AAAA`),
  ),
  token('AC-03.1', 'alg none with a non-empty signature', 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => `${b64url(json({ alg: 'none', typ: 'at+jwt' }))}.${b64url(json(fx.claims('hs')))}.${b64url(crypto.getRandomValues(new Uint8Array(32)))}`),
  token('AC-04.1', "HS256 keyed with the RSA issuer's SPKI PEM", 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => fx.keys.rsa.publicPem as string)),
  token('AC-04.2', 'HS256 keyed with the PEM after leading whitespace', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => `  \n\t${fx.keys.rsa.publicPem}`)),
  token('AC-04.3', 'HS256 keyed with the PEM after a byte-order mark', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => `\ufeff${fx.keys.rsa.publicPem}`)),
  token('AC-04.4', 'HS256 keyed with the PEM without its final newline', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => (fx.keys.rsa.publicPem as string).trimEnd())),
  token('AC-04.5', 'HS256 keyed with the PKCS#1 RSA PUBLIC KEY PEM', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', pkcs1)),
  token('AC-04.6', 'HS256 keyed with the SPKI DER bytes', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => pemBytes(fx.keys.rsa.publicPem as string))),
  token('AC-04.7', 'HS384 keyed with the SPKI PEM', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => fx.keys.rsa.publicPem as string, 'HS384')),
  token('AC-04.8', 'HS512 keyed with the SPKI PEM', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => fx.keys.rsa.publicPem as string, 'HS512')),
  token('AC-05.1', 'HS256 keyed with the public JWK as JSON text', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => json(fx.keys.rsa.publicJwk))),
  token('AC-05.2', 'HS256 keyed with the JWKS as JSON text', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => json({ keys: [fx.keys.rsa.publicJwk] }))),
  token('AC-05.3', 'HS256 keyed with the RFC 7638 thumbprint input', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => json({ e: rsaJwk(fx).e, kty: 'RSA', n: rsaJwk(fx).n }))),
  token('AC-05.4', 'HS256 keyed with the raw modulus', 'ERR_ALGORITHM_NOT_ALLOWED', confused('rsa', 'rsa-1', (fx) => fromB64url(rsaJwk(fx).n))),
  token('AC-06.1', "HS256 keyed with the EC issuer's SPKI PEM", 'ERR_ALGORITHM_NOT_ALLOWED', confused('ec', 'ec-1', (fx) => fx.keys.ec.publicPem as string)),
  token('AC-06.2', 'HS256 keyed with the EC public JWK as JSON text', 'ERR_ALGORITHM_NOT_ALLOWED', confused('ec', 'ec-1', (fx) => json(fx.keys.ec.publicJwk))),
  token('AC-06.3', 'HS256 keyed with the uncompressed EC point', 'ERR_ALGORITHM_NOT_ALLOWED', confused('ec', 'ec-1', (fx) => concat(bytes(4), fromB64url(ecJwk(fx).x), fromB64url(ecJwk(fx).y)))),
  token('AC-06.4', 'HS256 keyed with the EC x coordinate', 'ERR_ALGORITHM_NOT_ALLOWED', confused('ec', 'ec-1', (fx) => fromB64url(ecJwk(fx).x))),
  token('AC-06.5', "HS256 keyed with the Ed25519 issuer's SPKI PEM", 'ERR_ALGORITHM_NOT_ALLOWED', confused('ed', 'ed-1', (fx) => fx.keys.ed.publicPem as string)),
  token('AC-06.6', 'HS256 keyed with the Ed25519 public JWK as JSON text', 'ERR_ALGORITHM_NOT_ALLOWED', confused('ed', 'ed-1', (fx) => json(fx.keys.ed.publicJwk))),
  token('AC-06.7', 'HS256 keyed with the raw Ed25519 public key', 'ERR_ALGORITHM_NOT_ALLOWED', confused('ed', 'ed-1', (fx) => fromB64url((fx.keys.ed.publicJwk as { x: string }).x))),
  token('AC-06.8', 'HS256 keyed with the remote JWKS key as JSON text', 'ERR_ALGORITHM_NOT_ALLOWED', confused('remote', 'remote-1', (fx) => json(fx.keys.remote.publicJwk))),
  token('AC-08.1', 'RS512 on a key pinned to RS256', 'ERR_ALGORITHM_NOT_ALLOWED', async (fx) => {
    const [, p, s] = segments(await fx.sign('rsa'));
    return `${b64url(json({ alg: 'RS512', kid: 'rsa-1', typ: 'at+jwt' }))}.${p}.${s}`;
  }),
  token('AC-08.2', 'PS256 on an RS256 key', 'ERR_ALGORITHM_NOT_ALLOWED', async (fx) => {
    const [, p, s] = segments(await fx.sign('rsa'));
    return `${b64url(json({ alg: 'PS256', kid: 'rsa-1', typ: 'at+jwt' }))}.${p}.${s}`;
  }),
  token('AC-08.3', 'ES384 on a P-256 key', 'ERR_ALGORITHM_NOT_ALLOWED', async (fx) => {
    const [, p, s] = segments(await fx.sign('ec'));
    return `${b64url(ES({ alg: 'ES384' }))}.${p}.${s}`;
  }),
  token('AC-08.4', 'Ed25519 on a key pinned to EdDSA', 'ERR_ALGORITHM_NOT_ALLOWED', async (fx) => {
    const [, p, s] = segments(await fx.sign('ed'));
    return `${b64url(json({ alg: 'Ed25519', kid: 'ed-1', typ: 'at+jwt' }))}.${p}.${s}`;
  }),
  token('AC-08.5', "HS256 with the HMAC issuer's own secret, claiming the EC issuer", 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => fx.signRaw('hs', HS({ kid: 'ec-1' }), json(fx.claims('ec')))),
  ...[
    ['missing', {}],
    ['an array', { alg: ['HS256'] }],
    ['null', { alg: null }],
    ['a number', { alg: 1 }],
    ['an object', { alg: { name: 'HS256' } }],
  ].map(([what, header], i) => token(`AC-09.${i + 1}`, `alg ${what as string}`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', json({ kid: 'hs-1', typ: 'at+jwt', ...(header as object) }), json(fx.claims('hs'))))),
  token('AC-09.6', 'alg an empty string', 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => fx.signRaw('hs', HS({ alg: '' }), json(fx.claims('hs')))),
  token('AC-09.7', 'alg "__proto__"', 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => fx.signRaw('hs', HS({ alg: '__proto__' }), json(fx.claims('hs')))),
  ...(
    [
      ['r = s = 0', () => es256Signature(0n, 0n)],
      ['r = s = n', () => es256Signature(P256_ORDER, P256_ORDER)],
      ['r = s = 1', () => es256Signature(1n, 1n)],
      ['r = 0 with the real s', (t: string) => es256Signature(0n, BigInt(`0x${[...signatureOf(t).subarray(32)].map((b) => b.toString(16).padStart(2, '0')).join('')}`))],
      ['r = n - 1, s = n - 1', () => es256Signature(P256_ORDER - 1n, P256_ORDER - 1n)],
    ] as const
  ).map(([what, signature], i) => token(`AC-10.${i + 1}`, `ES256 signature with ${what}`, 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('ec');
    return withSignature(real, signature(real));
  })),
  token('AC-11.1', 'ES256 signature DER-encoded', 'ERR_SIGNATURE_INVALID', async (fx) => ecdsaDer(await fx.sign('ec'))),
  token('AC-11.2', 'ES256 signature one byte short', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('ec');
    return withSignature(real, signatureOf(real).subarray(0, 63));
  }),
  token('AC-11.3', 'ES256 signature with a zero byte appended', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('ec');
    return withSignature(real, concat(signatureOf(real), bytes(0)));
  }),
  token('AC-11.4', 'ES256 signature with r and s zero-padded to 33 bytes', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('ec');
    const signature = signatureOf(real);
    return withSignature(real, concat(bytes(0), signature.subarray(0, 32), bytes(0), signature.subarray(32)));
  }),
  token('AC-11.5', 'Ed25519 signature with S + L (non-canonical scalar)', 'ERR_SIGNATURE_INVALID', async (fx) => ed25519Twin(await fx.sign('ed'))),
  token('AC-12.1', 'control: the (r, n - s) twin of a valid ES256 token verifies (malleability is real)', 'ACCEPTED', async (fx) => ecdsaTwin(await fx.sign('ec'))),
  token('AC-13.1', 'RS256 signature one byte short', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('rsa');
    return withSignature(real, signatureOf(real).subarray(1));
  }),
  token('AC-13.2', 'RS256 signature with a leading zero byte', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const real = await fx.sign('rsa');
    return withSignature(real, concat(bytes(0), signatureOf(real)));
  }),
  token('AC-13.3', 'RS256 signature of another message', 'ERR_SIGNATURE_INVALID', async (fx) => {
    const [h, p] = segments(await fx.sign('rsa', { sub: 'bob' }));
    return `${h}.${p}.${segments(await fx.sign('rsa', { sub: 'alice' }))[2]}`;
  }),

  // b.2 Key selection and header-supplied keys.
  token('AC-20.1', "embedded attacker jwk under the real key's kid", 'ERR_SIGNATURE_INVALID', (fx) => fx.sign('attacker', {}, { kid: 'ec-1', jwk: fx.keys.attacker.publicJwk })),
  token('AC-20.2', 'embedded attacker jwk and no kid', 'ERR_SIGNATURE_INVALID', (fx) => fx.sign('attacker', {}, { kid: undefined, jwk: fx.keys.attacker.publicJwk })),
  token('AC-20.3', "embedded attacker jwk under the attacker's kid", 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', {}, { jwk: fx.keys.attacker.publicJwk })),
  token('AC-20.4', 'embedded symmetric jwk holding the HMAC key the token is signed with', 'ERR_SIGNATURE_INVALID', (fx) =>
    fx.signRaw('attackerSecret', HS({ jwk: { kty: 'oct', k: b64url(fx.attackerSecret) } }), json(fx.claims('hs'))),
  ),
  token('AC-20.5', 'embedded attacker jwk at the issuer behind a remote JWKS', 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', { iss: ATTACK_ISSUERS.remote }, { jwk: fx.keys.attacker.publicJwk })),
  token('AC-21.1', "jku naming a listener that serves the attacker's key", 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', {}, { jku: fx.trap.jwksUri })),
  token('AC-21.2', 'jku at the issuer behind a remote JWKS', 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', { iss: ATTACK_ISSUERS.remote }, { jku: fx.trap.jwksUri })),
  token('AC-21.3', 'jku with the real kid at the issuer behind a remote JWKS', 'ERR_SIGNATURE_INVALID', (fx) => fx.sign('attacker', { iss: ATTACK_ISSUERS.remote }, { kid: 'remote-1', jku: fx.trap.jwksUri })),
  token('AC-21.4', 'jku naming a local file', 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', {}, { jku: 'file:///etc/passwd' })),
  token('AC-22.1', 'x5u naming the listener', 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', { iss: ATTACK_ISSUERS.remote }, { x5u: `${fx.trap.origin}/cert.pem` })),
  token('AC-22.2', "x5c carrying a self-signed certificate of the signer's key", 'ERR_SIGNATURE_INVALID', (fx) => signWithX5c(fx.claims('ec'))),
  ...['../../../../../../dev/null', '/dev/null', '..\\..\\..\\windows\\win.ini', '/proc/self/environ', 'file:///dev/null'].map((kid, i) =>
    token(`AC-23.${i + 1}`, `kid path traversal ${json(kid)}`, 'ERR_KEY_NOT_FOUND', (fx) => fx.signRaw('attackerSecret', HS({ kid }), json(fx.claims('hs'))), [kid]),
  ),
  ...["x' UNION SELECT '1';--", "' OR '1'='1", '{"$ne":null}', '*)(uid=*))(|(uid=*', '__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((kid, i) =>
    token(`AC-24.${i + 1}`, `kid injection ${json(kid)}`, 'ERR_KEY_NOT_FOUND', (fx) => fx.signRaw('attackerSecret', HS({ kid }), json(fx.claims('hs'))), [kid]),
  ),
  ...[
    ['an object', { $ne: null }],
    ['a number', 1],
    ['an array', ['hs-1']],
    ['an empty string', ''],
    ['257 characters', 'k'.repeat(257)],
  ].map(([what, kid], i) => token(`AC-24.${i + 9}`, `kid ${what as string}`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS({ kid }), json(fx.claims('hs'))))),
  ...['|sleep 10', '$(curl http://127.0.0.1:1/)', '`id`', "'; sleep 10; '"].map((kid, i) =>
    token(`AC-25.${i + 1}`, `kid command injection ${json(kid)} at the issuer behind a remote JWKS`, 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('attacker', { iss: ATTACK_ISSUERS.remote }, { kid }), [kid]),
  ),
  token('AC-29.1', "the remote issuer's key claiming the EC issuer, with its kid", 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('remote', { iss: ATTACK_ISSUERS.ec })),
  token('AC-29.2', "the remote issuer's key claiming the EC issuer, without a kid", 'ERR_SIGNATURE_INVALID', (fx) => fx.sign('remote', { iss: ATTACK_ISSUERS.ec }, { kid: undefined })),
  token('AC-29.3', "the EC issuer's key claiming the remote issuer", 'ERR_KEY_NOT_FOUND', (fx) => fx.sign('ec', { iss: ATTACK_ISSUERS.remote })),
  token('AC-29.4', "the Ed25519 issuer's key claiming the EC issuer", 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => fx.sign('ed', { iss: ATTACK_ISSUERS.ec })),
  token('AC-29.5', "the HMAC issuer's secret claiming the RSA issuer", 'ERR_ALGORITHM_NOT_ALLOWED', (fx) => fx.sign('hs', { iss: ATTACK_ISSUERS.rsa })),

  // b.3 Structure, encoding and serialization.
  token('AC-30.1', 'HS256 with the signature stripped', 'ERR_TOKEN_MALFORMED', async (fx) => withoutSignature(await fx.sign('hs'))),
  token('AC-30.2', 'RS256 with the signature stripped', 'ERR_TOKEN_MALFORMED', async (fx) => withoutSignature(await fx.sign('rsa'))),
  ...(
    [
      ['two segments', ([h, p]) => `${h}.${p}`],
      ['four segments', ([h, p, s]) => `${h}.${p}.${s}.${s}`],
      ['an empty fourth segment', ([h, p, s]) => `${h}.${p}.${s}.`],
      ['no header', ([, p, s]) => `.${p}.${s}`],
      ['no payload', ([h, , s]) => `${h}..${s}`],
      ['only dots', () => '....'],
      ['one segment', ([h]) => h],
    ] as const satisfies readonly (readonly [string, (parts: [string, string, string]) => string])[]
  ).map(([what, shape], i) => token(`AC-31.${i + 1}`, what, 'ERR_TOKEN_MALFORMED', async (fx) => shape(segments(await fx.sign('hs'))))),
  token('AC-31.8', 'five segments (the shape of a JWE)', 'ERR_JWE_NOT_ACCEPTED', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return `${h}.${p}.${s}.${p}.${s}`;
  }),
  raw('AC-31.9', 'an empty string', 'ERR_TOKEN_MALFORMED', () => ''),
  ...(
    [
      ['a trailing newline', (t) => `${t}\n`],
      ['a leading space', (t) => ` ${t}`],
      ['a space inside the signature', (t) => `${t.slice(0, -10)} ${t.slice(-10)}`],
      ['a tab inside the payload', (t) => t.replace('.', '.\t')],
      ['a CRLF inside the payload', (t) => t.replace('.', '.\r\n')],
      ['a trailing NUL', (t) => `${t}\u0000`],
      ['a line-wrapped payload', (t) => t.replace(/\.(.{20})/, '.$1\n')],
    ] as const satisfies readonly (readonly [string, (t: string) => string])[]
  ).map(([what, change], i) => raw(`AC-32.${i + 1}`, what, 'ERR_TOKEN_MALFORMED', async (fx) => change(await fx.sign('hs')))),
  request('AC-32.8', 'a space inside the token in the Authorization header', 'ERR_INVALID_REQUEST', async (fx) => {
    const t = await fx.sign('hs');
    return authorization(`Bearer ${t.slice(0, -10)} ${t.slice(-10)}`);
  }),
  // Extraction is linear in the header length: a whitespace run that a regex around the comma
  // would backtrack over (quadratic in its length) is answered at once. 16,000 characters still
  // fit Node's default 16 KiB header limit; runs without a server also send 2 MiB.
  ...(
    [
      ['AC-32.9', 'spaces inside', (n: number) => `Bearer a${' '.repeat(n)}b`],
      ['AC-32.10', 'spaces before a comma', (n: number) => `Bearer a${' '.repeat(n)},b`],
      ['AC-32.11', 'tab-comma pairs', (n: number) => `Bearer a${'\t,'.repeat(n / 2)}b`],
    ] as const
  ).map(([id, what, header]) =>
    request(id, `a Bearer header with 16,000 characters of ${what}`, 'ERR_INVALID_REQUEST', () => authorization(header(16_000)), [], () => authorization(header(2 ** 21))),
  ),
  token('AC-33.1', 'padding on the signature', 'ERR_TOKEN_MALFORMED', async (fx) => `${await fx.sign('hs')}=`),
  token('AC-33.2', 'two padding characters on an ES256 signature', 'ERR_TOKEN_MALFORMED', async (fx) => `${await fx.sign('ec')}==`),
  raw('AC-33.3', 'padding on the header', 'ERR_TOKEN_MALFORMED', async (fx) => (await fx.sign('hs')).replace('.', '=.')),
  token('AC-33.4', 'standard-alphabet + and / in the signature', 'ERR_TOKEN_MALFORMED', async (fx) => `${(await fx.sign('hs')).slice(0, -2)}+/`),
  token('AC-33.5', 'non-canonical unused bits in the HS256 signature', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const t = await fx.sign('hs');
    return withSignature(t, nonCanonical(segments(t)[2]));
  }),
  token('AC-33.6', 'non-canonical unused bits in the ES256 signature', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const t = await fx.sign('ec');
    return withSignature(t, nonCanonical(segments(t)[2]));
  }),
  token('AC-33.7', 'a ~ in the payload', 'ERR_TOKEN_MALFORMED', async (fx) => (await fx.sign('hs')).replace('.', '.~')),
  token('AC-33.8', 'an impossible segment length (4n + 1 characters)', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return `${h}.${p}${'A'.repeat((5 - (p.length % 4)) % 4)}.${s}`;
  }),
  raw('AC-34.1', 'the flattened JSON serialization of a valid JWS', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return json({ protected: h, payload: p, signature: s });
  }),
  raw('AC-34.2', 'the general JSON serialization of a valid JWS', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return json({ payload: p, signatures: [{ protected: h, header: { kid: 'x' }, signature: s }] });
  }),
  request('AC-34.3', 'a JSON-serialized JWS in the Authorization header', 'ERR_INVALID_REQUEST', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return authorization(`Bearer ${json({ protected: h, payload: p, signature: s })}`);
  }),
  ...['[]', '"HS256"', 'null', '1', `[${HS()}]`, `${HS()}x`].map((header, i) =>
    token(`AC-35.${i + 1}`, `header ${header.length > 12 ? 'with trailing text or in an array' : header}`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', header, json(fx.claims('hs')))),
  ),
  ...[
    ['an array', (c: string) => `[${c}]`],
    ['a string', () => '"claims"'],
    ['null', () => 'null'],
    ['followed by text', (c: string) => `${c}x`],
    ['not JSON', () => 'iss=https://hs.jwt-gate.test'],
    ['two objects', (c: string) => `${c}${c}`],
  ].map(([what, shape], i) =>
    token(`AC-35.${i + 7}`, `payload ${what as string}`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS(), (shape as (c: string) => string)(json(fx.claims('hs'))))),
  ),
  ...[
    ['an invalid byte (0xFF)', bytes(0xff)],
    ['an overlong encoding (C0 AF)', bytes(0xc0, 0xaf)],
    ['a lone surrogate (ED A0 80)', bytes(0xed, 0xa0, 0x80)],
    ['a truncated sequence (E2 82)', bytes(0xe2, 0x82)],
  ].map(([what, bad], i) =>
    token(`AC-36.${i + 1}`, `payload with ${what as string}`, 'ERR_TOKEN_MALFORMED', (fx) => {
      const claims = json({ ...fx.claims('hs'), name: '#' });
      const [before, after] = claims.split('#') as [string, string];
      return fx.signRaw('hs', HS(), concat(enc.encode(before), bad as Uint8Array, enc.encode(after)));
    }),
  ),
  token('AC-36.5', 'payload in UTF-16LE with a byte-order mark', 'ERR_TOKEN_MALFORMED', (fx) => {
    const claims = json(fx.claims('hs'));
    const utf16 = new Uint8Array(2 + claims.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < claims.length; i++) utf16[2 + i * 2] = claims.charCodeAt(i);
    return fx.signRaw('hs', HS(), utf16);
  }),
  token('AC-36.6', 'header with an invalid byte', 'ERR_TOKEN_MALFORMED', (fx) => `${b64url(concat(enc.encode('{"alg":"HS256","x":"'), bytes(0xff), enc.encode('"}')))}.${b64url(json(fx.claims('hs')))}.AAAA`),
  ...[
    ['an unknown extension', { crit: ['x-custom'], 'x-custom': 1 }],
    ['a registered claim name', { crit: ['exp'] }],
    ['an empty list', { crit: [] }],
    ['a string', { crit: 'b64' }],
    ['a parameter that is absent', { crit: ['x-missing'] }],
    ['b64 true', { crit: ['b64'], b64: true }],
  ].map(([what, extra], i) => token(`AC-37.${i + 1}`, `crit naming ${what as string}`, 'ERR_CRIT_UNSUPPORTED', (fx) => fx.signRaw('hs', HS(extra as Record<string, unknown>), json(fx.claims('hs'))))),
  token('AC-38.1', 'b64 false with crit (an unencoded payload)', 'ERR_CRIT_UNSUPPORTED', (fx) => fx.signRaw('hs', HS({ b64: false, crit: ['b64'] }), json(fx.claims('hs')))),
  token('AC-38.2', 'b64 false without crit', 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS({ b64: false }), json(fx.claims('hs')))),
  token('AC-38.3', 'b64 as the string "false"', 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS({ b64: 'false' }), json(fx.claims('hs')))),
  token('AC-39.1', "a JWE (RSA-OAEP-256) to the RSA issuer's own key where a JWS is expected", 'ERR_JWE_NOT_ACCEPTED', (fx) => encryptTo(fx.keys.rsa, fx.claims('rsa'))),
  token('AC-39.2', 'a JWE with alg dir', 'ERR_JWE_NOT_ACCEPTED', (fx) =>
    `${b64url(json({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' }))}..${b64url(crypto.getRandomValues(new Uint8Array(12)))}.${b64url(json(fx.claims('hs')))}.${b64url(crypto.getRandomValues(new Uint8Array(16)))}`,
  ),
  token('AC-74.1', 'a JWE with zip DEF (a decompression bomb carrier)', 'ERR_JWE_NOT_ACCEPTED', () =>
    `${b64url(json({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' }))}..${b64url(new Uint8Array(12))}.${b64url(new Uint8Array(2048))}.${b64url(new Uint8Array(16))}`,
  ),
  token('AC-75.1', 'a JWE with PBES2 and p2c 2^31 - 1', 'ERR_JWE_NOT_ACCEPTED', () =>
    `${b64url(json({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM', p2c: 2 ** 31 - 1, p2s: 'AAAAAAAAAAAAAAAAAAAAAA' }))}.${b64url(new Uint8Array(24))}.${b64url(new Uint8Array(12))}.${b64url(new Uint8Array(32))}.${b64url(new Uint8Array(16))}`,
  ),
  ...[
    '{"alg":"none","kid":"hs-1","typ":"at+jwt","alg":"HS256"}',
    '{"alg":"HS256","kid":"hs-1","typ":"at+jwt","alg":"none"}',
    '{"alg":"HS256","kid":"hs-1","typ":"at+jwt","\\u0061lg":"HS256"}',
    '{"alg":"HS256","kid":"hs-1","typ":"JWT","typ":"at+jwt"}',
    '{"alg":"HS256","kid":"ec-1","kid":"hs-1","typ":"at+jwt"}',
  ].map((header, i) => token(`AC-40.${i + 1}`, `duplicate header member (${header.slice(1, 28)}...)`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', header, json(fx.claims('hs'))))),
  ...[
    ['sub', (c: string) => `${c.slice(0, -1)},"sub":"admin"}`],
    ['aud', (c: string) => `${c.slice(0, -1)},"aud":"another-api"}`],
    ['exp', (c: string) => `${c.slice(0, -1)},"exp":99999999999}`],
    ['an escaped duplicate', (c: string) => `${c.slice(0, -1)},"\\u0073ub":"admin"}`],
    ['a nested object', (c: string) => `${c.slice(0, -1)},"roles":{"a":1,"a":2}}`],
  ].map(([what, dup], i) =>
    token(`AC-41.${i + 1}`, `duplicate claim: ${what as string}`, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS(), (dup as (c: string) => string)(json(fx.claims('hs'))))),
  ),
  ...[
    ['__proto__ in the claims', (c: string) => `${c.slice(0, -1)},"__proto__":{"admin":true,"polluted":true}}`],
    ['an escaped __proto__ in the claims', (c: string) => `${c.slice(0, -1)},"\\u005f_proto__":{"polluted":true}}`],
    ['__proto__ nested in a claim', (c: string) => `${c.slice(0, -1)},"roles":{"__proto__":{"polluted":true}}}`],
  ].map(([what, shape], i) =>
    token(`AC-42.${i + 1}`, what as string, 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', HS(), (shape as (c: string) => string)(json(fx.claims('hs'))))),
  ),
  token('AC-42.4', '__proto__ in the header', 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('hs', '{"alg":"HS256","kid":"hs-1","typ":"at+jwt","__proto__":{"polluted":true}}', json(fx.claims('hs')))),
  ...[
    ['sub a number', { sub: 1 }],
    ['sub an array', { sub: ['alice'] }],
    ['sub an object', { sub: { id: 'alice' } }],
    ['jti a number', { jti: 7 }],
  ].map(([what, extra], i) => token(`AC-44.${i + 1}`, what as string, 'ERR_CLAIM_INVALID', (fx) => fx.sign('hs', extra as Record<string, unknown>))),

  // b.4 Claims.
  token('AC-50.1', 'expired a minute ago', 'ERR_TOKEN_EXPIRED', (fx) => fx.sign('hs', { exp: fx.now - 60 })),
  token('AC-50.2', 'expired just past the clock tolerance', 'ERR_TOKEN_EXPIRED', (fx) => fx.sign('ec', { exp: fx.now - 10 })),
  token('AC-52.1', 'no exp', 'ERR_CLAIM_MISSING', (fx) => fx.sign('hs', { exp: undefined })),
  ...['"9999999999"', 'null', 'true', '1e400', '[9999999999]', '{}', '"Infinity"'].map((exp, i) =>
    token(`AC-53.${i + 1}`, `exp ${exp}`, 'ERR_CLAIM_INVALID', (fx) => fx.signRaw('hs', HS(), json(fx.claims('hs', { exp: '#' })).replace('"#"', exp))),
  ),
  token('AC-53.8', 'exp 0', 'ERR_TOKEN_EXPIRED', (fx) => fx.sign('hs', { exp: 0 })),
  token('AC-53.9', 'exp negative', 'ERR_TOKEN_EXPIRED', (fx) => fx.sign('hs', { exp: -1 })),
  token('AC-53.10', 'nbf -1e400', 'ERR_CLAIM_INVALID', (fx) => fx.signRaw('hs', HS(), json(fx.claims('hs', { nbf: '#' })).replace('"#"', '-1e400'))),
  token('AC-53.11', 'iat -1e400', 'ERR_CLAIM_INVALID', (fx) => fx.signRaw('hs', HS(), json(fx.claims('hs', { iat: '#' })).replace('"#"', '-1e400'))),
  token('AC-53.12', 'nbf a string', 'ERR_CLAIM_INVALID', (fx) => fx.sign('hs', { nbf: '0' })),
  token('AC-54.1', 'nbf an hour ahead', 'ERR_TOKEN_NOT_YET_VALID', (fx) => fx.sign('hs', { nbf: fx.now + 3600 })),
  token('AC-55.1', 'iat an hour ahead', 'ERR_CLAIM_INVALID', (fx) => fx.sign('ec', { iat: fx.now + 3600 })),
  ...[
    ['another audience', 'another-api'],
    ['no aud', undefined],
    ['an empty list', []],
    ['a list without ours', ['another-api', 'third-api']],
    ['an object', { aud: ATTACK_AUDIENCE }],
    ['a number', 1],
    ['ours in upper case', ATTACK_AUDIENCE.toUpperCase()],
    ['ours with a trailing space', `${ATTACK_AUDIENCE} `],
    ['a list holding ours in a nested list', [[ATTACK_AUDIENCE]]],
  ].map(([what, aud], i) => token(`AC-56.${i + 1}`, `aud ${what as string}`, 'ERR_AUDIENCE_INVALID', (fx) => fx.sign('hs', { aud: aud as unknown }))),
  token('AC-56.10', 'control: aud a list that holds ours among others', 'ACCEPTED', (fx) => fx.sign('hs', { aud: ['another-api', ATTACK_AUDIENCE] })),
  ...[
    ['a list holding the trusted issuer', (iss: string) => ['https://evil.example', iss]],
    ['absent', () => undefined],
    ['with a trailing slash', (iss: string) => `${iss}/`],
    ['in upper case', (iss: string) => iss.toUpperCase()],
    ['an object', (iss: string) => ({ iss })],
    ['a number', () => 1],
    ['null', () => null],
    ['untrusted', () => 'https://evil.example'],
  ].map(([what, iss], i) => token(`AC-57.${i + 1}`, `iss ${what as string}`, 'ERR_ISSUER_INVALID', (fx) => fx.sign('hs', { iss: (iss as (s: string) => unknown)(ATTACK_ISSUERS.hs) }))),
  token('AC-57.9', 'iss of the remote issuer with a trailing slash (nothing is fetched for it)', 'ERR_ISSUER_INVALID', (fx) => fx.sign('remote', { iss: `${ATTACK_ISSUERS.remote}/` })),
  token('AC-58.1', 'an OpenID Connect ID token used as an access token', 'ERR_TOKEN_TYPE_INVALID', (fx) =>
    fx.sign('ec', { aud: 'client-app', nonce: 'n-0S6_WzA2Mj', auth_time: fx.now }, { typ: 'JWT' }),
  ),
  ...[
    ['absent', undefined],
    ['"JWT"', 'JWT'],
    ['"application/jwt"', 'application/jwt'],
    ['"at+jwt " (trailing space)', 'at+jwt '],
    ['a list', ['at+jwt']],
    ['"dpop+jwt"', 'dpop+jwt'],
    ['"rt+jwt" (a refresh token)', 'rt+jwt'],
    ['"at+jwt" with a quote injection', 'at+jwt", error="x'],
  ].map(([what, typ], i) => token(`AC-58.${i + 2}`, `typ ${what as string}`, 'ERR_TOKEN_TYPE_INVALID', (fx) => fx.sign('hs', {}, { typ }))),
  token('AC-58.10', 'control: typ in upper case', 'ACCEPTED', (fx) => fx.sign('hs', {}, { typ: 'AT+JWT' })),
  token('AC-58.11', 'control: typ with the application/ prefix', 'ACCEPTED', (fx) => fx.sign('rsa', {}, { typ: 'application/at+jwt' })),

  // b.5 Revocation: keyed on (iss, jti), so a malleated twin is revoked too.
  token('AC-60.1', 'a revoked ES256 token', 'ERR_TOKEN_REVOKED', (fx) => revokedToken(fx, 'ec')),
  token('AC-60.2', 'the (r, n - s) twin of a revoked ES256 token', 'ERR_TOKEN_REVOKED', async (fx) => ecdsaTwin(await revokedToken(fx, 'ec'))),
  token('AC-60.3', 'a revoked ES256 token with padding', 'ERR_TOKEN_MALFORMED', async (fx) => `${await revokedToken(fx, 'ec')}==`),
  token('AC-60.4', 'a revoked ES256 token with non-canonical signature bits', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const t = await revokedToken(fx, 'ec');
    return withSignature(t, nonCanonical(segments(t)[2]));
  }),
  raw('AC-60.5', 'a revoked ES256 token with a trailing newline', 'ERR_TOKEN_MALFORMED', async (fx) => `${await revokedToken(fx, 'ec')}\n`),
  token('AC-60.6', 'a revoked HS256 token', 'ERR_TOKEN_REVOKED', (fx) => revokedToken(fx, 'hs')),
  token('AC-60.7', 'a revoked HS256 token with non-canonical signature bits', 'ERR_TOKEN_MALFORMED', async (fx) => {
    const t = await revokedToken(fx, 'hs');
    return withSignature(t, nonCanonical(segments(t)[2]));
  }),
  token('AC-60.8', 'a revoked Ed25519 token with S + L', 'ERR_SIGNATURE_INVALID', async (fx) => ed25519Twin(await revokedToken(fx, 'ed'))),
  token('AC-61.1', 'a forged token naming a revoked jti (the revocation check never sees it)', 'ERR_SIGNATURE_INVALID', async (fx) => {
    await revokedToken(fx, 'ec');
    return fx.sign('attacker', { jti: 'revoked-ec' }, { kid: 'ec-1' });
  }),

  // b.6 Resource exhaustion.
  token('AC-70.1', 'one character over the 8192-character cap', 'ERR_TOKEN_TOO_LARGE', (fx) => tokenOfLength(fx, 8193)),
  token('AC-70.2', 'a 15,000-character token', 'ERR_TOKEN_TOO_LARGE', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return `${h}.${p}${'A'.repeat(15_000 - h.length - p.length - s.length - 2)}.${s}`;
  }),
  raw('AC-70.3', 'a 1 MiB token', 'ERR_TOKEN_TOO_LARGE', async (fx) => {
    const [h, p, s] = segments(await fx.sign('hs'));
    return `${h}.${p}${'A'.repeat(1_048_576)}.${s}`;
  }),
  token('AC-71.1', 'claims nested 2900 levels deep', 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('attackerSecret', HS(), json(fx.claims('hs', { x: '#' })).replace('"#"', nested(2900)))),
  token('AC-71.2', 'a header nested 2900 levels deep', 'ERR_TOKEN_MALFORMED', (fx) => fx.signRaw('attackerSecret', HS({ x: '#' }).replace('"#"', nested(2900)), json(fx.claims('hs')))),
  token('AC-71.3', 'claims nested 800 objects deep', 'ERR_TOKEN_MALFORMED', (fx) =>
    fx.signRaw('attackerSecret', HS(), json(fx.claims('hs', { x: '#' })).replace('"#"', `${'{"a":'.repeat(800)}1${'}'.repeat(800)}`)),
  ),
  token('AC-72.1', 'four hundred claims under a forged signature', 'ERR_SIGNATURE_INVALID', (fx) =>
    fx.signRaw('attackerSecret', HS(), json({ ...fx.claims('hs'), ...Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`c${i}`, 0])) })),
  ),

  // b.8 The HTTP layer.
  request('AC-90.1', 'no credentials', 'ERR_TOKEN_MISSING', () => ({ headers: [] })),
  ...['Basic', 'Token', 'JWT', 'DPoP', 'Digest'].map((scheme, i) =>
    request(`AC-91.${i + 1}`, `a valid token under the ${scheme} scheme`, 'ERR_TOKEN_MISSING', async (fx) => authorization(`${scheme} ${await fx.sign('hs')}`)),
  ),
  request('AC-91.6', 'a valid token with no scheme', 'ERR_TOKEN_MISSING', async (fx) => authorization(await fx.sign('hs'))),
  ...(
    [
      ['two spaces after Bearer', (t) => `Bearer  ${t}`],
      ['a tab after Bearer', (t) => `Bearer\t${t}`],
      ['text after the token', (t) => `Bearer ${t} extra`],
      ['Bearer alone', () => 'Bearer'],
      ['Bearer and a comma', () => 'Bearer ,'],
      ['a quote in the token', (t) => `Bearer ${t.slice(0, 20)}"${t.slice(20)}`],
      ['a semicolon in the token', (t) => `Bearer ${t};x`],
      ['markup in the token', () => 'Bearer <script>alert(1)</script>'],
      ['a quoted token', (t) => `Bearer "${t}"`],
    ] as const satisfies readonly (readonly [string, (t: string) => string])[]
  ).map(([what, header], i) => request(`AC-92.${i + 1}`, what, 'ERR_INVALID_REQUEST', async (fx) => authorization(header(await fx.sign('hs'))))),
  request('AC-94.1', 'two Authorization headers', 'ERR_MULTIPLE_TOKENS', async (fx) => authorization(`Bearer ${await fx.sign('hs')}`, `Bearer ${await fx.sign('ec')}`)),
  request('AC-94.2', 'two bearer tokens in one Authorization header', 'ERR_MULTIPLE_TOKENS', async (fx) => authorization(`Bearer ${await fx.sign('hs')}, Bearer ${await fx.sign('ec')}`)),
  request('AC-94.3', 'Bearer and DPoP Authorization headers', 'ERR_MULTIPLE_TOKENS', async (fx) => {
    const t = await fx.sign('hs');
    return authorization(`Bearer ${t}`, `DPoP ${t}`);
  }),
  request('AC-94.4', 'Bearer and DPoP in one Authorization header', 'ERR_MULTIPLE_TOKENS', async (fx) => {
    const t = await fx.sign('hs');
    return authorization(`Bearer ${t}, DPoP ${t}`);
  }),
  request('AC-94.5', 'a valid token in the header and a forged one in the query string (the query is ignored)', 'ACCEPTED', async (fx) => ({
    path: `/me?access_token=${await fx.sign('attacker')}`,
    headers: [['authorization', `Bearer ${await fx.sign('hs')}`]],
  })),
  request('AC-95.1', 'a valid token in the query string only', 'ERR_TOKEN_MISSING', async (fx) => ({ path: `/me?access_token=${await fx.sign('hs')}`, headers: [] })),
  request('AC-95.2', 'a valid token in a cookie only', 'ERR_TOKEN_MISSING', async (fx) => ({ headers: [['cookie', `access_token=${await fx.sign('hs')}`]] })),
  token('AC-97.1', 'a kid built to inject challenge parameters', 'ERR_KEY_NOT_FOUND', (fx) => fx.signRaw('attackerSecret', HS({ kid: 'x", error="insufficient_scope", scope="admin' }), json(fx.claims('hs'))), [
    'error="insufficient_scope"',
    'scope="admin"',
  ]),
  token('AC-97.2', 'a kid with CR LF and a header line', 'ERR_KEY_NOT_FOUND', (fx) => fx.signRaw('attackerSecret', HS({ kid: 'x\r\nSet-Cookie: session=attacker' }), json(fx.claims('hs'))), [
    'Set-Cookie: session=attacker',
  ]),
  request('AC-98.1', 'optional authentication still refuses a forged token', 'ERR_SIGNATURE_INVALID', async (fx) => ({
    path: '/hello',
    headers: [['authorization', `Bearer ${await fx.sign('attacker', {}, { kid: 'ec-1' })}`]],
  })),
  request('AC-98.2', 'optional authentication still refuses an expired token', 'ERR_TOKEN_EXPIRED', async (fx) => ({
    path: '/hello',
    headers: [['authorization', `Bearer ${await fx.sign('hs', { exp: fx.now - 60 })}`]],
  })),
  request('AC-98.3', 'optional authentication still refuses alg none', 'ERR_TOKEN_MALFORMED', (fx) => ({
    path: '/hello',
    headers: [['authorization', `Bearer ${b64url(json({ alg: 'none', typ: 'at+jwt' }))}.${b64url(json(fx.claims('hs')))}.`]],
  })),
  request('AC-98.4', 'optional authentication still refuses a revoked token', 'ERR_TOKEN_REVOKED', async (fx) => ({
    path: '/hello',
    headers: [['authorization', `Bearer ${await revokedToken(fx, 'rsa')}`]],
  })),
];

/** The token of `issuer` whose (iss, jti) the fixture revoked: the same token on every call. */
const revokedTokens = new WeakMap<AttackFixture, Map<AttackIssuer, Promise<string>>>();
function revokedToken(fx: AttackFixture, issuer: AttackIssuer): Promise<string> {
  let byIssuer = revokedTokens.get(fx);
  if (byIssuer === undefined) revokedTokens.set(fx, (byIssuer = new Map()));
  let made = byIssuer.get(issuer);
  if (made === undefined) {
    const jti = `revoked-${issuer}`;
    fx.revoke(ATTACK_ISSUERS[issuer], jti);
    made = fx.sign(issuer, { jti });
    byIssuer.set(issuer, made);
  }
  return made;
}

/** Configurations that must be refused when `jwtAuth` (or the verifier) is created. */
export const CONFIG_ATTACKS: readonly ConfigAttack[] = [
  { id: 'AC-07.1', name: 'HMAC and RSA algorithms on one issuer', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, algorithms: ['HS256', 'RS256'] }) },
  { id: 'AC-07.2', name: 'an HMAC algorithm with a public key', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.rsa, audience: ATTACK_AUDIENCE, publicKey: fx.keys.rsa.publicPem, algorithms: ['HS256'] }) },
  { id: 'AC-07.3', name: 'an HMAC algorithm with a remote JWKS', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.remote, audience: ATTACK_AUDIENCE, jwksUri: fx.jwks.jwksUri, algorithms: ['HS256'] }) },
  { id: 'AC-04.9', name: 'an RSA public key PEM given as the HMAC secret', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.keys.rsa.publicPem }) },
  { id: 'AC-04.10', name: 'a PEM after whitespace given as the HMAC secret', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: `\n  ${fx.keys.rsa.publicPem}` }) },
  { id: 'AC-05.5', name: 'a public JWK as JSON text given as the HMAC secret', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: json(fx.keys.ec.publicJwk) }) },
  { id: 'AC-14.1', name: 'a 1024-bit RSA key', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.rsa, audience: ATTACK_AUDIENCE, publicKey: fixture('rsa-1024.pem') }) },
  { id: 'AC-14.2', name: 'an RSA JWK with public exponent 1', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.rsa, audience: ATTACK_AUDIENCE, publicKey: { ...fx.keys.rsa.publicJwk, e: 'AQ' } }) },
  { id: 'AC-80.1', name: 'a 31-byte HMAC secret', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: 's'.repeat(31) }) },
  { id: 'AC-81.1', name: 'an empty HMAC secret', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: '' }) },
  { id: 'AC-81.2', name: 'an HMAC secret left undefined', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: undefined }) },
  { id: 'AC-01.2', name: 'algorithms ["none"]', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, algorithms: ['none'] }) },
  { id: 'AC-51.1', name: 'clockTolerance Infinity', error: 'RangeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, clockTolerance: Number.POSITIVE_INFINITY }) },
  { id: 'AC-51.2', name: 'clockTolerance of a year', error: 'RangeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, clockTolerance: 31_536_000 }) },
  { id: 'AC-51.3', name: 'clockTolerance as text', error: 'RangeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, clockTolerance: '1 year' }) },
  { id: 'AC-56.11', name: 'no audience (the check would be silently off)', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, secret: fx.secret }) },
  { id: 'AC-56.12', name: 'a misspelt audience option', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audiance: ATTACK_AUDIENCE, secret: fx.secret }) },
  { id: 'AC-97.3', name: 'a realm that would break the challenge', error: 'TypeError', options: (fx) => ({ issuer: ATTACK_ISSUERS.hs, audience: ATTACK_AUDIENCE, secret: fx.secret, realm: 'api", error="x' }) },
  { id: 'AC-27.1', name: 'a JWKS URL that is not http(s)', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.remote, audience: ATTACK_AUDIENCE, jwksUri: 'file:///etc/jwks.json' }) },
  { id: 'AC-20.6', name: 'a private key where the public key belongs', error: 'TypeError', options: () => ({ issuer: ATTACK_ISSUERS.ec, audience: ATTACK_AUDIENCE, publicKey: fixture('ec-cert-key.pem') }) },
];
