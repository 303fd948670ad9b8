import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { b64url, createTestKey, fixture, hmacRaw, rawToken, signToken, type TestKey } from '@jwt-gate/testing';
import { importPKCS8, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createRevocationStore } from '../stores/revocation.js';
import { createVerifier, type VerifierOptions } from './verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const now = Math.floor(Date.now() / 1000);

async function hs(options: Partial<VerifierOptions> = {}) {
  const key = await createTestKey('HS256');
  const verifier = createVerifier({ issuer, audience, secret: key.secret as string, ...options } as VerifierOptions);
  const sign = (claims: Record<string, unknown> = {}, signOptions: Parameters<typeof signToken>[2] = {}) =>
    // Times relative to `now`, the instant the suite started: a pinned verifier clock agrees.
    signToken(key, { iss: issuer, aud: audience, sub: 'alice', ...claims }, { now, ...signOptions });
  return { key, verifier, sign };
}

const rejects = (promise: Promise<unknown>, expected: Record<string, unknown>) => expect(promise).rejects.toMatchObject(expected);

describe('createVerifier: key sources', () => {
  it('verifies HS256 with issuer, audience and expiry checks', async () => {
    const { verifier, sign } = await hs();
    const result = await verifier.verify(await sign());
    expect(result).toMatchObject({ issuer, claims: { sub: 'alice', iss: issuer, aud: audience }, header: { alg: 'HS256' } });
    await rejects(verifier.verify(await sign({ iss: 'https://evil.example' })), { code: 'ERR_ISSUER_INVALID', status: 401, claim: 'iss' });
    await rejects(verifier.verify(await sign({ aud: 'other' })), { code: 'ERR_AUDIENCE_INVALID', claim: 'aud', reason: 'mismatch' });
    await rejects(verifier.verify(await sign({}, { expiresIn: -60 })), { code: 'ERR_TOKEN_EXPIRED', claim: 'exp' });
  });

  it('accepts several secrets at once, for rotation, with and without kid', async () => {
    const [a, b] = [await createTestKey('HS256', { kid: 'a' }), await createTestKey('HS256', { kid: 'b' })];
    const verifier = createVerifier({ issuer, audience, secret: [{ kid: 'a', key: a.secret as string }, b.secret as string] });
    for (const key of [a, b]) {
      await expect(verifier.verify(await signToken(key, { iss: issuer, aud: audience }))).resolves.toMatchObject({ issuer });
      await expect(verifier.verify(await signToken(key, { iss: issuer, aud: audience }, { header: { kid: undefined } }))).resolves.toMatchObject({ issuer });
    }
    const stranger = await createTestKey('HS256', { kid: 'a' });
    await rejects(verifier.verify(await signToken(stranger, { iss: issuer, aud: audience })), { code: 'ERR_SIGNATURE_INVALID' });
  });

  it('refuses two keys under one kid, whichever the source (Wycheproof JSON Web Key tcId 4)', async () => {
    const [a, b] = [await createTestKey('HS256', { kid: 'k' }), await createTestKey('HS256', { kid: 'k' })];
    expect(() => createVerifier({ issuer, audience, secret: [{ kid: 'k', key: a.secret as string }, { kid: 'k', key: b.secret as string }] })).toThrow(
      'createVerifier: two keys share one kid',
    );
    const [c, d] = [await createTestKey('ES256', { kid: 'k' }), await createTestKey('ES256', { kid: 'k' })];
    expect(() => createVerifier({ issuer, audience, jwks: { keys: [c.publicJwk!, d.publicJwk!] } })).toThrow('two keys share one kid');
    expect(() => createVerifier({ issuer, audience, publicKey: [{ kid: 'k', key: c.publicJwk! }, { kid: 'k', key: d.publicJwk! }] })).toThrow('two keys share one kid');
    expect(() => createVerifier({ issuers: [{ issuer, jwks: { keys: [c.publicJwk!, d.publicJwk!] } }], audience })).toThrow('issuers[0]: two keys share one kid');
    // Distinct kids, or none, stay fine (rotation).
    expect(() => createVerifier({ issuer, audience, secret: [{ kid: 'k', key: a.secret as string }, b.secret as string] })).not.toThrow();
  });

  it('accepts HS384 and HS512 only when listed and the secret is long enough', async () => {
    const key = await createTestKey('HS512');
    const token = await signToken(key, { iss: issuer, aud: audience });
    await rejects(createVerifier({ issuer, audience, secret: key.secret as string }).verify(token), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    await expect(createVerifier({ issuer, audience, secret: key.secret as string, algorithms: ['HS512'] }).verify(token)).resolves.toBeTruthy();
    const short = await createTestKey('HS256');
    expect(() => createVerifier({ issuer, audience, secret: short.secret as string, algorithms: ['HS512'] })).toThrow(TypeError);
  });

  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const) {
    it(`verifies ${alg} from PEM, JWK, CryptoKey, KeyObject and a local JWKS`, async () => {
      const key = await createTestKey(alg);
      const token = await signToken(key, { iss: issuer, aud: audience });
      const algorithms = alg.startsWith('RS') && alg !== 'RS256' ? [alg] : alg.startsWith('PS') ? [alg] : undefined;
      const base = { issuer, audience, ...(algorithms ? { algorithms } : {}) };
      for (const publicKey of [key.publicPem as string, key.publicJwk!, key.publicKey as CryptoKey, createPublicKey(key.publicPem as string)]) {
        await expect(createVerifier({ ...base, publicKey: publicKey as never }).verify(token)).resolves.toMatchObject({ header: { alg } });
      }
      await expect(createVerifier({ ...base, jwks: { keys: [key.publicJwk!] } }).verify(token)).resolves.toMatchObject({ header: { alg } });
    });
  }

  it('verifies with an X.509 certificate', async () => {
    for (const [cert, pkcs8, alg] of [['rsa-cert.pem', 'rsa-cert-key.pem', 'RS256'], ['ec-cert.pem', 'ec-cert-key.pem', 'ES256']] as const) {
      const privateKey = await importPKCS8(fixture(pkcs8), alg);
      const token = await new SignJWT({ iss: issuer, aud: audience, exp: now + 60 }).setProtectedHeader({ alg }).sign(privateKey);
      await expect(createVerifier({ issuer, audience, publicKey: fixture(cert) }).verify(token)).resolves.toMatchObject({ header: { alg } });
    }
  });

  it('infers the algorithm from the key, never from the token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const verifier = createVerifier({ issuer, audience, publicKey });
    const sign = (alg: string) => new SignJWT({ iss: issuer, aud: audience, exp: now + 60 }).setProtectedHeader({ alg }).sign(privateKey);
    await expect(verifier.verify(await sign('RS256'))).resolves.toBeTruthy();
    for (const alg of ['PS256', 'RS512', 'PS512']) await rejects(verifier.verify(await sign(alg)), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
  });

  it('pins a JWK with an alg member to exactly that algorithm', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const verifier = createVerifier({ issuer, audience, jwks: { keys: [{ ...jwk, kid: 'rs', alg: 'RS256' }, { ...jwk, kid: 'ps', alg: 'PS256' }] }, algorithms: ['RS256', 'PS256'] });
    const sign = (alg: string, kid: string) => new SignJWT({ iss: issuer, aud: audience, exp: now + 60 }).setProtectedHeader({ alg, kid }).sign(privateKey);
    await expect(verifier.verify(await sign('RS256', 'rs'))).resolves.toBeTruthy();
    await expect(verifier.verify(await sign('PS256', 'ps'))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign('PS256', 'rs')), { code: 'ERR_KEY_NOT_FOUND' });
    await rejects(verifier.verify(await sign('RS256', 'ps')), { code: 'ERR_KEY_NOT_FOUND' });
    expect(() => createVerifier({ issuer, audience, jwks: { keys: [{ ...jwk, alg: 'RS256' }] }, algorithms: ['PS256'] })).toThrow(TypeError);
  });
});

describe('createVerifier: several issuers', () => {
  it('matches each token to its own issuer, keys, algorithms and audience', async () => {
    const a = await createTestKey('HS256');
    const b = await createTestKey('ES256');
    const verifier = createVerifier({
      issuers: [
        { issuer: 'https://a.example', audience: 'api-a', secret: a.secret as string },
        { issuer: 'https://b.example', audience: 'api-b', publicKey: b.publicJwk! },
      ],
    });
    expect(verifier.issuers).toEqual(['https://a.example', 'https://b.example']);
    await expect(verifier.verify(await signToken(a, { iss: 'https://a.example', aud: 'api-a' }))).resolves.toMatchObject({ issuer: 'https://a.example' });
    await expect(verifier.verify(await signToken(b, { iss: 'https://b.example', aud: 'api-b' }))).resolves.toMatchObject({ issuer: 'https://b.example' });
    // B's key, A's name: the key must belong to the issuer the token claims (RFC 8725 §3.8).
    await rejects(verifier.verify(await signToken(b, { iss: 'https://a.example', aud: 'api-a' })), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    await rejects(verifier.verify(await signToken(a, { iss: 'https://b.example', aud: 'api-b' })), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    await rejects(verifier.verify(await signToken(a, { iss: 'https://a.example', aud: 'api-b' })), { code: 'ERR_AUDIENCE_INVALID' });
  });

  it('refuses ambiguous or incomplete configuration at creation', async () => {
    const a = await createTestKey('HS256');
    const secret = a.secret as string;
    const bad: unknown[] = [
      { issuer, audience },
      { issuer, audience, secret, publicKey: 'x' },
      { audience, secret },
      { issuer, secret },
      { issuer, audience: [], secret },
      { issuers: [] },
      { issuers: [{ issuer, audience, secret }], issuer },
      { issuers: [{ issuer, audience, secret }, { issuer, audience, secret }] },
      { issuer, audience, secret, algorithms: ['HS256', 'RS256'] },
      { issuer, audience, secret, algorithms: ['none'] },
      { issuer, audience, secret, algorithms: [] },
      { issuer, audience, jwksUri: 'https://x.example/jwks', algorithms: ['HS256'] },
      { issuer, audience, secret, clockTolerance: 301 },
      { issuer, audience, secret, clockTolerance: Number.POSITIVE_INFINITY },
      { issuer, audience, secret, clockTolerance: -1 },
      { issuer, audience, secret, maxTokenAge: Number.NaN },
      { issuer, audience, secret, maxTokenSize: 10 },
      { issuer, audience, secret, realm: 'a"b' },
      { issuer, audience, secret, profile: 'oidc' },
      { issuer, audience, secret, isRevoked: 42 },
      { issuer, audiance: audience, secret },
      { issuers: [{ issuer, audience, secret, clockTolerance: 5 }] },
    ];
    for (const options of bad) expect(() => createVerifier(options as VerifierOptions), JSON.stringify(options)).toThrow();
    expect(() => createVerifier({ issuer, audience: null, secret })).not.toThrow();
  });
});

describe('createVerifier: weak keys are refused at creation', () => {
  it('refuses HMAC secrets shorter than the hash output, and keys passed as secrets', async () => {
    expect(() => createVerifier({ issuer, audience, secret: 'short' })).toThrow(/at least 32/);
    expect(() => createVerifier({ issuer, audience, secret: new Uint8Array(31) })).toThrow(TypeError);
    const rsa = await createTestKey('RS256');
    expect(() => createVerifier({ issuer, audience, secret: rsa.publicPem as string })).toThrow(/publicKey/);
    expect(() => createVerifier({ issuer, audience, secret: JSON.stringify(rsa.publicJwk) })).toThrow(/publicKey/);
  });

  it('refuses RSA keys under 2048 bits in every form', async () => {
    expect(() => createVerifier({ issuer, audience, publicKey: fixture('rsa-1024.pem') })).toThrow(/2048/);
    const weak = createPublicKey(fixture('rsa-1024.pem'));
    const jwk = weak.export({ format: 'jwk' });
    const cryptoKey = await crypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify']);
    expect(() => createVerifier({ issuer, audience, publicKey: jwk })).toThrow(/2048/);
    expect(() => createVerifier({ issuer, audience, publicKey: cryptoKey })).toThrow(/2048/);
    expect(() => createVerifier({ issuer, audience, publicKey: weak })).toThrow(/2048/);
    expect(() => createVerifier({ issuer, audience, jwks: { keys: [jwk] } })).toThrow(TypeError);
  });

  it.skipIf(!('process' in globalThis) || 'Deno' in globalThis || 'Bun' in globalThis)('refuses a key off its curve at creation (node:crypto prepares keys synchronously)', async () => {
    const key = await createTestKey('ES256');
    const jwk = key.publicJwk!;
    const y = jwk.y as string;
    const broken = { ...jwk, y: `${y.slice(0, -2)}${y.endsWith('AA') ? 'AB' : 'AA'}` };
    expect(() => createVerifier({ issuer, audience, jwks: { keys: [broken] } })).toThrow(TypeError);
    expect(() => createVerifier({ issuer, audience, publicKey: broken })).toThrow(TypeError);
  });

  it('refuses private keys and unusable forms with a message that says what to do', () => {
    expect(() => createVerifier({ issuer, audience, publicKey: fixture('rsa-cert-key.pem') })).toThrow(/private key/);
    expect(() => createVerifier({ issuer, audience, publicKey: fixture('rsa-pkcs1-public.pem') })).toThrow(/SPKI/);
    expect(() => createVerifier({ issuer, audience, publicKey: 'not a key' })).toThrow(TypeError);
    expect(() => createVerifier({ issuer, audience, publicKey: createPrivateKey(fixture('rsa-cert-key.pem')) as never })).toThrow(/private/);
  });
});

describe('createVerifier: security defaults', () => {
  it('never accepts alg none, in any spelling', async () => {
    const { verifier } = await hs();
    const claims = JSON.stringify({ iss: issuer, aud: audience, exp: now + 60 });
    for (const alg of ['none', 'None', 'NONE', 'nOnE', 'none ', 'HS256 ']) {
      await rejects(verifier.verify(rawToken(JSON.stringify({ alg }), claims, 'AAAA')), { status: 401, error: 'invalid_token' });
      await rejects(verifier.verify(`${rawToken(JSON.stringify({ alg }), claims, '')}`), { code: 'ERR_TOKEN_MALFORMED' });
    }
  });

  it('never uses a public key as an HMAC secret (algorithm confusion)', async () => {
    const key = await createTestKey('RS256');
    const verifier = createVerifier({ issuer, audience, publicKey: key.publicPem as string });
    const claims = JSON.stringify({ iss: issuer, aud: audience, exp: now + 60 });
    for (const secret of [key.publicPem as string, JSON.stringify(key.publicJwk)]) {
      await rejects(verifier.verify(await hmacRaw(secret, JSON.stringify({ alg: 'HS256', kid: key.kid }), claims)), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    }
  });

  it('ignores header-supplied keys (jwk, jku, x5u, x5c)', async () => {
    const { verifier } = await hs();
    const attacker = await createTestKey('ES256');
    for (const header of [{ jwk: attacker.publicJwk }, { jku: 'http://127.0.0.1:1/jwks' }, { x5u: 'http://127.0.0.1:1/cert' }, { x5c: ['MIIB'] }]) {
      const token = await signToken(attacker, { iss: issuer, aud: audience }, { header });
      await rejects(verifier.verify(token), { code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    }
    const es = createVerifier({ issuer, audience, publicKey: (await createTestKey('ES256')).publicJwk! });
    await rejects(es.verify(await signToken(attacker, { iss: issuer, aud: audience }, { header: { jwk: attacker.publicJwk } })), { status: 401, error: 'invalid_token' });
    await rejects(es.verify(await signToken(attacker, { iss: issuer, aud: audience }, { header: { jwk: attacker.publicJwk, kid: undefined } })), { code: 'ERR_SIGNATURE_INVALID' });
  });

  it('refuses any crit extension and unencoded payloads', async () => {
    const { key, verifier } = await hs();
    const claims = JSON.stringify({ iss: issuer, aud: audience, exp: now + 60 });
    for (const header of [{ alg: 'HS256', crit: ['x-custom'], 'x-custom': 1 }, { alg: 'HS256', crit: ['exp'] }, { alg: 'HS256', crit: [] }, { alg: 'HS256', crit: 'b64' }]) {
      await rejects(verifier.verify(await hmacRaw(key.secret as string, JSON.stringify(header), claims)), { code: 'ERR_CRIT_UNSUPPORTED' });
    }
    await rejects(verifier.verify(await hmacRaw(key.secret as string, JSON.stringify({ alg: 'HS256', b64: false, crit: ['b64'] }), claims)), { code: 'ERR_CRIT_UNSUPPORTED' });
    await rejects(verifier.verify(await hmacRaw(key.secret as string, JSON.stringify({ alg: 'HS256', b64: false }), claims)), { code: 'ERR_TOKEN_MALFORMED' });
  });

  it('accepts only the strict compact form', async () => {
    const { verifier, sign } = await hs();
    const good = await sign();
    const [h, p, s] = good.split('.') as [string, string, string];
    const lastBits = (seg: string) => seg.slice(0, -1) + String.fromCharCode(seg.charCodeAt(seg.length - 1) + 1);
    const variants = [
      `${good}\n`, ` ${good}`, `${h}.${p}.${s}=`, `${h}=.${p}.${s}`, `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}..${s}`, `.${p}.${s}`, `${h}.${p}.`,
      `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`, `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}${s.includes('-') || s.includes('_') ? '' : '+'}`,
      `${h}.${p}.${lastBits(s)}`, '', '....', `{"protected":"${h}","payload":"${p}","signature":"${s}"}`,
    ];
    for (const token of variants) await rejects(verifier.verify(token), { status: 401, error: 'invalid_token' });
  });

  it('refuses oversized tokens before decoding them', async () => {
    const { verifier, sign } = await hs({ maxTokenSize: 1024 });
    await rejects(verifier.verify(await sign({ pad: 'x'.repeat(2000) })), { code: 'ERR_TOKEN_TOO_LARGE' });
    await rejects(verifier.verify(`${'a'.repeat(5000)}.b.c`), { code: 'ERR_TOKEN_TOO_LARGE' });
    const { verifier: defaults } = await hs();
    await rejects(defaults.verify('a'.repeat(8193)), { code: 'ERR_TOKEN_TOO_LARGE' });
  });

  it('refuses duplicate members, __proto__, non-object JSON and invalid UTF-8', async () => {
    const { key, verifier } = await hs();
    const secret = key.secret as string;
    const claims = JSON.stringify({ iss: issuer, aud: audience, exp: now + 60 });
    const header = '{"alg":"HS256"}';
    const cases: [string, string][] = [
      ['{"alg":"HS256","alg":"none"}', claims],
      [header, `{"iss":"${issuer}","aud":"${audience}","exp":${now + 60},"aud":"other"}`],
      [header, `{"iss":"${issuer}","aud":"${audience}","exp":${now + 60},"x":{"a":1,"a":2}}`],
      [header, `{"iss":"${issuer}","aud":"${audience}","exp":${now + 60},"__proto__":{"admin":true}}`],
      ['{"alg":"HS256","__proto__":{"x":1}}', claims],
      [header, `[${claims}]`],
      [header, '"string"'],
      [header, 'null'],
      [header, `${claims}x`],
      ['[]', claims],
    ];
    for (const [h, p] of cases) await rejects(verifier.verify(await hmacRaw(secret, h, p)), { code: 'ERR_TOKEN_MALFORMED' });
    const input = `${b64url(header)}.${b64url(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]))}`;
    const mac = await hmacRaw(secret, header, '{}');
    await rejects(verifier.verify(`${input}.${mac.split('.')[2]}`), { code: 'ERR_TOKEN_MALFORMED' });
  });

  it('requires finite numeric dates and exp by default', async () => {
    const { key, verifier, sign } = await hs();
    const secret = key.secret as string;
    const base = `"iss":"${issuer}","aud":"${audience}"`;
    for (const payload of [`{${base},"exp":1e400}`, `{${base},"exp":"${now + 60}"}`, `{${base},"exp":null}`, `{${base},"exp":true}`, `{${base},"exp":[${now + 60}]}`, `{${base},"exp":${now + 60},"nbf":"0"}`, `{${base},"exp":${now + 60},"iat":-1e400}`]) {
      await rejects(verifier.verify(await hmacRaw(secret, '{"alg":"HS256"}', payload)), { code: 'ERR_CLAIM_INVALID' });
    }
    await rejects(verifier.verify(await sign({}, { expiresIn: null })), { code: 'ERR_CLAIM_MISSING', claim: 'exp' });
    const { verifier: lenient, sign: signLenient } = await hs({ requireExpiration: false });
    await expect(lenient.verify(await signLenient({}, { expiresIn: null }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign({ exp: 0 })), { code: 'ERR_TOKEN_EXPIRED' });
  });

  it('applies nbf, iat and a capped clock tolerance', async () => {
    let clockNow = now * 1000;
    const { verifier, sign } = await hs({ clockTolerance: 10, clock: () => clockNow });
    await rejects(verifier.verify(await sign({ nbf: now + 60 })), { code: 'ERR_TOKEN_NOT_YET_VALID', claim: 'nbf' });
    await expect(verifier.verify(await sign({ nbf: now + 5 }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign({}, { issuedAt: now + 3600 })), { code: 'ERR_CLAIM_INVALID', claim: 'iat', reason: 'future' });
    const expiring = await sign({ exp: now + 1 });
    clockNow += 9_000;
    await expect(verifier.verify(expiring)).resolves.toBeTruthy();
    clockNow += 3_000;
    await rejects(verifier.verify(expiring), { code: 'ERR_TOKEN_EXPIRED' });
  });

  it('enforces maxTokenAge', async () => {
    const { verifier, sign } = await hs({ maxTokenAge: 300 });
    await expect(verifier.verify(await sign({}, { issuedAt: now - 100 }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign({}, { issuedAt: now - 400 })), { code: 'ERR_TOKEN_TOO_OLD' });
    await rejects(verifier.verify(await sign({}, { issuedAt: null })), { code: 'ERR_CLAIM_MISSING', claim: 'iat' });
  });

  it('checks the token type, case-insensitively, with or without application/', async () => {
    const { verifier, sign } = await hs({ tokenType: 'at+jwt' });
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT']) {
      await expect(verifier.verify(await sign({}, { header: { typ } }))).resolves.toBeTruthy();
    }
    for (const typ of ['JWT', 'jwt', 'id_token+jwt', 'application/jwt', 'at+jwt ', undefined]) {
      await rejects(verifier.verify(await sign({}, { header: { typ } })), { code: 'ERR_TOKEN_TYPE_INVALID' });
    }
  });

  it('lets each trusted issuer require its own token type', async () => {
    const own = await createTestKey('HS256');
    const idp = await createTestKey('ES256');
    const verifier = createVerifier({
      tokenType: 'at+jwt',
      issuers: [
        { issuer, audience, secret: own.secret as string },
        { issuer: 'https://idp.example', audience, publicKey: idp.publicJwk!, tokenType: 'JWT' },
      ],
    });
    await expect(verifier.verify(await signToken(own, { iss: issuer, aud: audience }, { header: { typ: 'at+jwt' } }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await signToken(own, { iss: issuer, aud: audience }, { header: { typ: 'JWT' } })), { code: 'ERR_TOKEN_TYPE_INVALID' });
    await expect(verifier.verify(await signToken(idp, { iss: 'https://idp.example', aud: audience }, { header: { typ: 'JWT' } }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await signToken(idp, { iss: 'https://idp.example', aud: audience }, { header: { typ: 'at+jwt' } })), { code: 'ERR_TOKEN_TYPE_INVALID' });
  });

  it('applies the RFC 9068 profile: typ at+jwt and its required claims', async () => {
    const { verifier, sign } = await hs({ profile: 'rfc9068' });
    const full = { client_id: 'app', jti: 'id-1' };
    await expect(verifier.verify(await sign(full, { header: { typ: 'at+jwt' } }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign(full, { header: { typ: 'JWT' } })), { code: 'ERR_TOKEN_TYPE_INVALID' });
    for (const missing of ['client_id', 'jti', 'sub']) {
      const claims: Record<string, unknown> = { ...full, sub: 'alice' };
      delete claims[missing];
      await rejects(verifier.verify(await sign({ ...claims, sub: missing === 'sub' ? undefined : 'alice' }, { header: { typ: 'at+jwt' } })), { code: 'ERR_CLAIM_MISSING', claim: missing });
    }
  });

  it('checks aud and iss strictly by type', async () => {
    const { verifier, sign } = await hs({ audience: ['orders-api', 'admin-api'] });
    await expect(verifier.verify(await sign({ aud: ['other', 'admin-api'] }))).resolves.toBeTruthy();
    for (const aud of [[], [1], ['other'], 'ORDERS-API', { 0: 'orders-api' }, null]) {
      await rejects(verifier.verify(await sign({ aud })), { code: 'ERR_AUDIENCE_INVALID' });
    }
    await rejects(verifier.verify(await sign({ aud: undefined })), { code: 'ERR_AUDIENCE_INVALID', reason: 'missing' });
    for (const iss of [[issuer], { issuer }, 1, null]) await rejects(verifier.verify(await sign({ iss })), { code: 'ERR_ISSUER_INVALID' });
    for (const sub of [1, ['alice'], null]) await rejects(verifier.verify(await sign({ sub })), { code: 'ERR_CLAIM_INVALID', claim: 'sub' });
  });

  it('requires configured claims as own properties', async () => {
    const { verifier, sign } = await hs({ requiredClaims: ['tenant', 'toString'] });
    await rejects(verifier.verify(await sign({ tenant: 'a' })), { code: 'ERR_CLAIM_MISSING', claim: 'toString' });
    await expect(verifier.verify(await sign({ tenant: 'a', toString: 'x' }))).resolves.toBeTruthy();
  });

  it('returns frozen claims and header, with the token cache on or off', async () => {
    for (const tokenCache of [undefined, false] as const) {
      const { verifier, sign } = await hs(tokenCache === undefined ? {} : { tokenCache });
      const token = await sign({ nested: { roles: ['a'] } });
      for (const result of [await verifier.verify(token), await verifier.verify(token)]) {
        expect(Object.isFrozen(result), String(tokenCache)).toBe(true);
        expect(Object.isFrozen(result.claims)).toBe(true);
        expect(Object.isFrozen((result.claims as { nested: { roles: string[] } }).nested.roles)).toBe(true);
        expect(Object.isFrozen(result.header)).toBe(true);
        expect(() => {
          (result.claims as { sub?: string }).sub = 'mallory';
        }).toThrow(TypeError);
      }
    }
  });

  it('reads options as own properties only: a polluted Object.prototype changes nothing', async () => {
    const { sign, key } = await hs();
    const polluted = { requireExpiration: false, clockTolerance: 300, audience: null, tokenCache: false, maxTokenSize: 1_048_576, requireEncryption: false, algorithms: ['HS512'], issuers: undefined };
    const prototype = Object.prototype as Record<string, unknown>;
    try {
      Object.assign(prototype, polluted);
      const verifier = createVerifier({ issuer, audience, secret: key.secret as string });
      await rejects(verifier.verify(await sign({}, { expiresIn: null })), { code: 'ERR_CLAIM_MISSING', claim: 'exp' });
      await rejects(verifier.verify(await sign({ aud: 'someone-else' })), { code: 'ERR_AUDIENCE_INVALID' });
      await rejects(verifier.verify(await sign({}, { expiresIn: -60 })), { code: 'ERR_TOKEN_EXPIRED' });
      await expect(verifier.verify(await sign())).resolves.toMatchObject({ issuer });
      const several = createVerifier({ issuers: [{ issuer, secret: key.secret as string }], audience });
      await rejects(several.verify(await sign({}, { expiresIn: null })), { code: 'ERR_CLAIM_MISSING', claim: 'exp' });
    } finally {
      for (const name of Object.keys(polluted)) delete prototype[name];
    }
  });

  it('refuses a plain signed token where encryption is required', async () => {
    const { verifier: plain, sign } = await hs();
    const key = crypto.getRandomValues(new Uint8Array(32));
    const { key: signing } = await hs();
    const strict = createVerifier({ issuer, audience, secret: signing.secret as string, decryption: { keys: key }, requireEncryption: true });
    await rejects(strict.verify(await signToken(signing, { iss: issuer, aud: audience })), { code: 'ERR_ENCRYPTION_REQUIRED', status: 401, error: 'invalid_token' });
    await rejects(strict.verify('x'.repeat(9000)), { code: 'ERR_TOKEN_TOO_LARGE' });
    await expect(plain.verify(await sign())).resolves.toBeTruthy();
    expect(() => createVerifier({ issuer, audience, secret: signing.secret as string, requireEncryption: true })).toThrow(TypeError);
    expect(() => createVerifier({ issuer, audience, secret: signing.secret as string, decryption: { keys: key }, requireEncryption: 'yes' as never })).toThrow(TypeError);
  });

  it('turns malformed signatures into invalid_token, never a crash', async () => {
    const key = await createTestKey('ES256');
    const verifier = createVerifier({ issuer, audience, publicKey: key.publicJwk! });
    const [h, p] = (await signToken(key, { iss: issuer, aud: audience })).split('.');
    for (const signature of [b64url(new Uint8Array(64)), b64url(new Uint8Array(63)), b64url(new Uint8Array(65)), b64url(new Uint8Array(72).fill(0x30)), 'AA']) {
      await rejects(verifier.verify(`${h}.${p}.${signature}`), { code: 'ERR_SIGNATURE_INVALID', status: 401 });
    }
  });

  it('refuses a JWE unless decryption is configured', async () => {
    const { verifier } = await hs();
    await rejects(verifier.verify('eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aGVsbG8.d29ybGQ.dGFn'), { code: 'ERR_JWE_NOT_ACCEPTED' });
  });
});

describe('createVerifier: revocation', () => {
  it('asks isRevoked only after the token verified', async () => {
    const isRevoked = vi.fn((token: { claims: { jti?: string } }) => token.claims.jti === 'revoked');
    const { verifier, sign } = await hs({ isRevoked });
    await expect(verifier.verify(await sign({ jti: 'fine' }))).resolves.toBeTruthy();
    await rejects(verifier.verify(await sign({ jti: 'revoked' })), { code: 'ERR_TOKEN_REVOKED', status: 401 });
    expect(isRevoked).toHaveBeenCalledTimes(2);
    await rejects(verifier.verify(await sign({ jti: 'revoked' }, { expiresIn: -10 })), { code: 'ERR_TOKEN_EXPIRED' });
    await rejects(verifier.verify((await sign({ jti: 'revoked' })).slice(0, -2) + 'AA'), { code: 'ERR_SIGNATURE_INVALID' });
    expect(isRevoked).toHaveBeenCalledTimes(2);
  });

  it('answers 503 when the revocation check fails, never an accept', async () => {
    const { verifier, sign } = await hs({ isRevoked: async () => Promise.reject(new Error('redis down')) });
    await rejects(verifier.verify(await sign({ jti: 'x' })), { code: 'ERR_REVOCATION_UNAVAILABLE', status: 503 });
  });

  it('keys revocation on (iss, jti): a malleated ECDSA signature is still revoked', async () => {
    const store = createRevocationStore();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const verifier = createVerifier({ issuer, audience, publicKey, isRevoked: store });
    const header = b64url(JSON.stringify({ alg: 'ES256' }));
    const payload = b64url(JSON.stringify({ iss: issuer, aud: audience, exp: now + 60, jti: 'token-1' }));
    const signature = nodeSign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const token = `${header}.${payload}.${b64url(signature)}`;
    // s' = n - s is the other valid signature of the same message.
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
    const malleated = Buffer.concat([signature.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    const twin = `${header}.${payload}.${b64url(malleated)}`;
    expect(twin).not.toBe(token);
    const result = await verifier.verify(token);
    await expect(verifier.verify(twin)).resolves.toBeTruthy();
    await store.revokeToken(result);
    await rejects(verifier.verify(token), { code: 'ERR_TOKEN_REVOKED' });
    await rejects(verifier.verify(twin), { code: 'ERR_TOKEN_REVOKED' });
  });
});

describe('createVerifier: the two signature backends agree', async () => {
  const { buildVerifier } = await import('./verifier.js');
  const { createNodeBackend } = await import('../crypto/node.js');
  const { createWebBackend } = await import('../crypto/web.js');
  const backends = [createNodeBackend(), createWebBackend()];

  // Off Node (the same suite also runs under Deno) there is only the WebCrypto backend.
  it.skipIf(backends[0] === undefined)('gives the same result for valid, tampered and wrong-key tokens of every algorithm', async () => {
    expect(backends[0]?.name).toBe('node');
    for (const alg of ['HS256', 'HS384', 'HS512', 'RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const) {
      const key: TestKey = await createTestKey(alg);
      const other: TestKey = await createTestKey(alg);
      const options = { issuer, audience, algorithms: [alg], ...(alg.startsWith('HS') ? { secret: key.secret as string } : { publicKey: key.publicJwk! }) } as VerifierOptions;
      const verifiers = backends.map((backend) => buildVerifier(options, backend!));
      const good = await signToken(key, { iss: issuer, aud: audience });
      const tokens = [good, await signToken(other, { iss: issuer, aud: audience }), good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA'), good.replace(/\.[^.]+\./, `.${b64url(JSON.stringify({ iss: issuer, aud: audience, exp: now + 99 }))}.`)];
      for (const token of tokens) {
        const outcomes = await Promise.all(verifiers.map((v) => v.verify(token).then((r) => `ok:${JSON.stringify(r.claims)}`, (e: { code: string }) => e.code)));
        expect(outcomes[0], `${alg}`).toBe(outcomes[1]);
      }
    }
  });
});
