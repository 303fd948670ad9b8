import { generateKeyPairSync } from 'node:crypto';
import { b64url, createTestKey, signToken } from '@jwt-gate/testing';
import { CompactEncrypt, decodeProtectedHeader, exportJWK, generateKeyPair, type CompactJWEHeaderParameters, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createIssuer } from '../issuing/issuer.js';
import type { ContentEncryptionAlgorithm, DecryptionOptions, KeyManagementAlgorithm } from '../index.js';
import { generateSigningKey } from '../keys/signing-key.js';
import { createVerifier } from '../verification/verifier.js';

const issuer = 'https://auth.example.com';
const audience = 'orders-api';
const encoder = new TextEncoder();

function bytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function encrypt(plaintext: string, key: CryptoKey | Uint8Array, header: CompactJWEHeaderParameters, options?: { crit?: Record<string, boolean> }): Promise<string> {
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader(header).encrypt(key, options);
}

/** Replaces one character of segment `index` (never the last one of a segment, whose low bits may not count). */
function tamper(token: string, index: number): string {
  const segments = token.split('.');
  const segment = segments[index] as string;
  const at = Math.floor(segment.length / 2);
  segments[index] = segment.slice(0, at) + (segment[at] === 'A' ? 'B' : 'A') + segment.slice(at + 1);
  return segments.join('.');
}

async function setup(decryption: DecryptionOptions) {
  const signing = await generateSigningKey('ES256');
  const signer = createIssuer({ issuer, audience, privateKey: signing });
  const verifier = createVerifier({ issuer, audience, jwks: await signer.jwks(), tokenType: 'at+jwt', decryption });
  return { signing, signer, verifier, jws: await signer.sign({ sub: 'alice', email: 'alice@example.com' }) };
}

describe('nested JWTs: the issuer signs then encrypts, the verifier decrypts then verifies', () => {
  const cases: Array<{ name: string; keys: () => Promise<{ encrypt: CryptoKey | Uint8Array | JWK; decrypt: CryptoKey | Uint8Array | JWK }>; alg?: KeyManagementAlgorithm; enc?: ContentEncryptionAlgorithm; header: { alg: string; enc: string } }> = [
    { name: 'RSA-OAEP-256 (the RSA default)', keys: async () => { const p = await generateKeyPair('RSA-OAEP-256', { extractable: true }); return { encrypt: p.publicKey, decrypt: p.privateKey }; }, header: { alg: 'RSA-OAEP-256', enc: 'A256GCM' } },
    { name: 'RSA-OAEP-512 with A256CBC-HS512', keys: async () => { const p = await generateKeyPair('RSA-OAEP-512', { extractable: true }); return { encrypt: p.publicKey, decrypt: p.privateKey }; }, alg: 'RSA-OAEP-512', enc: 'A256CBC-HS512', header: { alg: 'RSA-OAEP-512', enc: 'A256CBC-HS512' } },
    { name: 'ECDH-ES on P-256 (the EC default)', keys: async () => { const p = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true }); return { encrypt: p.publicKey, decrypt: p.privateKey }; }, header: { alg: 'ECDH-ES', enc: 'A256GCM' } },
    { name: 'ECDH-ES+A256KW on P-384', keys: async () => { const p = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-384', extractable: true }); return { encrypt: p.publicKey, decrypt: p.privateKey }; }, alg: 'ECDH-ES+A256KW', header: { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' } },
    { name: 'ECDH-ES+A128KW on X25519', keys: async () => { const p = await generateKeyPair('ECDH-ES+A128KW', { crv: 'X25519', extractable: true }); return { encrypt: p.publicKey, decrypt: p.privateKey }; }, alg: 'ECDH-ES+A128KW', enc: 'A128GCM', header: { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' } },
    { name: 'A256KW (the 32-byte default)', keys: async () => { const k = bytes(32); return { encrypt: k, decrypt: k }; }, header: { alg: 'A256KW', enc: 'A256GCM' } },
    { name: 'A128GCMKW with A128CBC-HS256', keys: async () => { const k = bytes(16); return { encrypt: k, decrypt: k }; }, alg: 'A128GCMKW', enc: 'A128CBC-HS256', header: { alg: 'A128GCMKW', enc: 'A128CBC-HS256' } },
    { name: 'dir with A256GCM', keys: async () => { const k = bytes(32); return { encrypt: k, decrypt: k }; }, alg: 'dir', header: { alg: 'dir', enc: 'A256GCM' } },
    { name: 'dir with A256CBC-HS512 (from the key length)', keys: async () => { const k = bytes(64); return { encrypt: k, decrypt: k }; }, alg: 'dir', header: { alg: 'dir', enc: 'A256CBC-HS512' } },
    { name: 'A192KW from oct JWKs', keys: async () => { const k: JWK = { kty: 'oct', k: b64url(bytes(24)) }; return { encrypt: k, decrypt: k }; }, header: { alg: 'A192KW', enc: 'A256GCM' } },
  ];

  it.each(cases)('$name', async ({ keys, alg, enc, header }) => {
    const { encrypt: encryptionKey, decrypt: decryptionKey } = await keys();
    const signing = await generateSigningKey('EdDSA');
    const signer = createIssuer({
      issuer,
      audience,
      privateKey: signing,
      encryption: { key: encryptionKey, ...(alg === undefined ? {} : { keyManagementAlgorithm: alg }), ...(enc === undefined ? {} : { contentEncryptionAlgorithm: enc }) },
    });
    await signer.ready();
    const token = await signer.sign({ sub: 'alice', email: 'alice@example.com' });
    expect(token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(token)).toMatchObject({ ...header, cty: 'JWT' });

    const verifier = createVerifier({ issuer, audience, jwks: await signer.jwks(), tokenType: 'at+jwt', decryption: { keys: decryptionKey } });
    await verifier.ready();
    const verified = await verifier.verify(token);
    expect(verified.claims).toMatchObject({ sub: 'alice', email: 'alice@example.com', iss: issuer });
    expect(verified.header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: signing.kid });
    expect(verified.token).toBe(token);

    // Without `decryption`, the same token is refused; with it, plain JWS tokens still pass.
    const plain = createVerifier({ issuer, audience, jwks: await signer.jwks() });
    await expect(plain.verify(token)).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED', status: 401 });
    await expect(verifier.verify(await signer.sign({ sub: 'alice' }, { encrypt: false }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('names the encryption key by kid (its own, else the thumbprint) and picks the decryption key by it', async () => {
    const a = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const b = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const signing = await generateSigningKey('ES256');
    const toB = createIssuer({ issuer, audience, privateKey: signing, encryption: { key: b.publicKey, kid: 'enc-b' } });
    const token = await toB.sign({ sub: 'alice' });
    expect(decodeProtectedHeader(token).kid).toBe('enc-b');
    const jwks = await toB.jwks();
    const verifier = createVerifier({ issuer, audience, jwks, decryption: { keys: [{ kid: 'enc-a', key: a.privateKey }, { kid: 'enc-b', key: b.privateKey }] } });
    await expect(verifier.verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    const onlyA = createVerifier({ issuer, audience, jwks, decryption: { keys: [{ kid: 'enc-a', key: a.privateKey }] } });
    await expect(onlyA.verify(token)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });

    const thumbprinted = createIssuer({ issuer, audience, privateKey: signing, encryption: { key: a.publicKey } });
    expect(decodeProtectedHeader(await thumbprinted.sign({ sub: 'alice' })).kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('with requireEncryption, accepts the encrypted token and refuses the same claims signed in the clear', async () => {
    const key = bytes(32);
    const signing = await generateSigningKey('ES256');
    const signer = createIssuer({ issuer, audience, privateKey: signing, encryption: { key } });
    const strict = createVerifier({ issuer, audience, jwks: await signer.jwks(), decryption: { keys: key }, requireEncryption: true });
    await expect(strict.verify(await signer.sign({ sub: 'alice' }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    await expect(strict.verify(await signer.sign({ sub: 'alice' }, { encrypt: false }))).rejects.toMatchObject({ code: 'ERR_ENCRYPTION_REQUIRED', status: 401 });
  });

  it('takes PEM and KeyObject keys on both sides', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signing = await generateSigningKey('ES256');
    const signer = createIssuer({ issuer, audience, privateKey: signing, encryption: { key: publicKey.export({ format: 'pem', type: 'spki' }) as string } });
    const token = await signer.sign({ sub: 'alice' });
    const jwks = await signer.jwks();
    for (const keys of [privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, privateKey as never]) {
      await expect(createVerifier({ issuer, audience, jwks, decryption: { keys } }).verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    }
    const keyObjectSigner = createIssuer({ issuer, audience, privateKey: signing, encryption: { key: publicKey as never } });
    await expect(createVerifier({ issuer, audience, jwks, decryption: { keys: privateKey as never } }).verify(await keyObjectSigner.sign({ sub: 'bob' }))).resolves.toMatchObject({ claims: { sub: 'bob' } });
  });
});

describe('JWE misuse', () => {
  it('never accepts a JWE that merely decrypts: the inner token must be a JWS signed by the issuer', async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const { verifier, jws } = await setup({ keys: pair.privateKey });
    const header = { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' };
    await expect(verifier.verify(await encrypt(jws, pair.publicKey, header))).resolves.toMatchObject({ claims: { sub: 'alice' } });

    // Anyone can encrypt to a public key: an attacker's own signing key gets nowhere.
    const attacker = await createTestKey('ES256');
    const forged = await signToken(attacker, { iss: issuer, aud: audience, sub: 'admin' }, { header: { typ: 'at+jwt' } });
    await expect(verifier.verify(await encrypt(forged, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', status: 401 });
    const sameKid = await signToken({ ...attacker, kid: decodeProtectedHeader(jws).kid as string }, { iss: issuer, aud: audience, sub: 'admin' }, { header: { typ: 'at+jwt' } });
    await expect(verifier.verify(await encrypt(sameKid, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });

    const claims = JSON.stringify({ iss: issuer, aud: audience, sub: 'admin', exp: 4_000_000_000 });
    await expect(verifier.verify(await encrypt(claims, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED' });
    const unsigned = `${b64url('{"alg":"none","typ":"at+jwt"}')}.${b64url(claims)}.`;
    await expect(verifier.verify(await encrypt(unsigned, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED' });
    const noneWithSignature = `${b64url('{"alg":"none","typ":"at+jwt"}')}.${b64url(claims)}.AAAA`;
    await expect(verifier.verify(await encrypt(noneWithSignature, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    const doubly = await encrypt(jws, pair.publicKey, header);
    await expect(verifier.verify(await encrypt(doubly, pair.publicKey, header))).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED' });
    const latin1 = new Uint8Array([0xff, 0xfe, 0x41]);
    const binary = await new CompactEncrypt(latin1).setProtectedHeader(header).encrypt(pair.publicKey);
    await expect(verifier.verify(binary)).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED' });
  });

  it('requires cty JWT and refuses zip and crit', async () => {
    const key = bytes(32);
    const { verifier, jws } = await setup({ keys: key });
    await expect(verifier.verify(await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', cty: 'application/jwt' }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    for (const cty of [undefined, 'json', 'JWS', 7]) {
      const token = await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', ...(cty === undefined ? {} : { cty: cty as string }) });
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED', reason: 'cty' });
    }
    const zipped = await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', cty: 'JWT', zip: 'DEF' });
    await expect(verifier.verify(zipped)).rejects.toMatchObject({ code: 'ERR_JWE_NOT_ACCEPTED', reason: 'zip' });
    const critical = await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', cty: 'JWT', crit: ['urn:example:x'], 'urn:example:x': 1 } as never, { crit: { 'urn:example:x': true } });
    await expect(verifier.verify(critical)).rejects.toMatchObject({ code: 'ERR_CRIT_UNSUPPORTED' });
  });

  it('refuses algorithms off the allow-lists: RSA1_5 always, PBES2 and RSA-OAEP unless listed, enc as configured', async () => {
    const pair = await generateKeyPair('RSA-OAEP', { extractable: true });
    const { verifier, jws } = await setup({ keys: pair.privateKey, contentEncryptionAlgorithms: ['A256GCM'] });
    await expect(verifier.verify(await encrypt(jws, pair.publicKey, { alg: 'RSA-OAEP', enc: 'A256GCM', cty: 'JWT' }))).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    const oaep256 = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const strict = await setup({ keys: oaep256.privateKey, contentEncryptionAlgorithms: ['A256GCM'] });
    await expect(strict.verifier.verify(await encrypt(strict.jws, oaep256.publicKey, { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', cty: 'JWT' }))).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    const sha1 = await setup({ keys: pair.privateKey, keyManagementAlgorithms: ['RSA-OAEP'] });
    await expect(sha1.verifier.verify(await encrypt(sha1.jws, pair.publicKey, { alg: 'RSA-OAEP', enc: 'A256GCM', cty: 'JWT' }))).resolves.toMatchObject({ claims: { sub: 'alice' } });

    // RSA1_5 (which jose no longer produces): refused from the header alone.
    const rsa15 = `${b64url('{"alg":"RSA1_5","enc":"A128CBC-HS256","cty":"JWT"}')}.${b64url(bytes(256))}.${b64url(bytes(16))}.${b64url(bytes(64))}.${b64url(bytes(16))}`;
    await expect(strict.verifier.verify(rsa15)).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED', status: 401 });

    const password = bytes(32);
    const defaults = await setup({ keys: password });
    const pbes2 = await new CompactEncrypt(encoder.encode(defaults.jws)).setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A128GCM', cty: 'JWT' }).setKeyManagementParameters({ p2c: 2000 }).encrypt(password);
    await expect(defaults.verifier.verify(pbes2)).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    const optedIn = createVerifier({ issuer, audience, jwks: await defaults.signer.jwks(), decryption: { keys: password, keyManagementAlgorithms: ['PBES2-HS256+A128KW'] } });
    await expect(optedIn.verify(pbes2)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('bounds PBES2 work when it is allowed: a huge p2c is refused before any key derivation', async () => {
    const password = bytes(32);
    const { signer, jws } = await setup({ keys: bytes(32) });
    const verifier = createVerifier({ issuer, audience, jwks: await signer.jwks(), decryption: { keys: password, keyManagementAlgorithms: ['PBES2-HS512+A256KW'] } });
    const fine = await new CompactEncrypt(encoder.encode(jws)).setProtectedHeader({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', cty: 'JWT' }).setKeyManagementParameters({ p2c: 1000 }).encrypt(password);
    await expect(verifier.verify(fine)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    const segments = fine.split('.');
    const header = JSON.parse(Buffer.from(segments[0] as string, 'base64url').toString()) as Record<string, unknown>;
    for (const p2c of [2_147_483_647, 10_001, 0, 1.5, '1000']) {
      const forged = [b64url(JSON.stringify({ ...header, p2c })), ...segments.slice(1)].join('.');
      await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED', reason: 'p2c' });
    }
  });

  it('tries an expensive key management algorithm against one key only: the kid, or the only candidate', async () => {
    const passwords = [bytes(32), bytes(32), bytes(32), bytes(32)];
    const { signer, jws } = await setup({ keys: bytes(32) });
    const jwks = await signer.jwks();
    const pbes2 = { keyManagementAlgorithms: ['PBES2-HS512+A256KW'] as KeyManagementAlgorithm[] };
    const forged = await new CompactEncrypt(encoder.encode(jws)).setProtectedHeader({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', cty: 'JWT' }).setKeyManagementParameters({ p2c: 10_000 }).encrypt(bytes(32));
    // Four keys and no kid: refused before any key is derived, not four 10,000-round hashes.
    const many = createVerifier({ issuer, audience, jwks, decryption: { keys: passwords, ...pbes2 } });
    await expect(many.verify(forged)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED', reason: 'ambiguous_key' });
    const named = createVerifier({ issuer, audience, jwks, decryption: { keys: passwords.map((key, i) => ({ kid: `p${i}`, key })), ...pbes2 } });
    const forKid = await new CompactEncrypt(encoder.encode(jws)).setProtectedHeader({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', cty: 'JWT', kid: 'p2' }).setKeyManagementParameters({ p2c: 1000 }).encrypt(passwords[2] as Uint8Array);
    await expect(named.verify(forKid)).resolves.toMatchObject({ claims: { sub: 'alice' } });

    const a = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const b = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const rsa = createVerifier({ issuer, audience, jwks, decryption: { keys: [a.privateKey, b.privateKey] } });
    const toB = await encrypt(jws, b.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    await expect(rsa.verify(toB)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED', reason: 'ambiguous_key' });

    // Cheap key wrapping is still tried against each of a few keys, so rotation needs no kid.
    const wrapKeys = [bytes(32), bytes(32)];
    const aes = createVerifier({ issuer, audience, jwks, decryption: { keys: wrapKeys } });
    await expect(aes.verify(await encrypt(jws, wrapKeys[1] as Uint8Array, { alg: 'A256KW', enc: 'A256GCM', cty: 'JWT' }))).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('answers every decryption failure with one code: tampered segments, wrong keys, bad points', async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const { verifier, jws } = await setup({ keys: pair.privateKey });
    const token = await encrypt(jws, pair.publicKey, { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', cty: 'JWT' });
    for (const index of [1, 2, 3, 4]) {
      await expect(verifier.verify(tamper(token, index))).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED', status: 401 });
    }
    const segments = token.split('.');
    const truncatedKey = [segments[0], (segments[1] as string).slice(0, 40), ...segments.slice(2)].join('.');
    await expect(verifier.verify(truncatedKey)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    const other = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    await expect(verifier.verify(await encrypt(jws, other.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }))).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    // The protected header is authenticated too: changing it breaks decryption.
    const retyped = [b64url('{"alg":"RSA-OAEP-256","enc":"A128CBC-HS256","cty":"JWT","kid":"x"}'), ...segments.slice(1)].join('.');
    await expect(verifier.verify(retyped)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });

    const ec = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const ecSetup = await setup({ keys: ec.privateKey });
    const ecToken = await encrypt(ecSetup.jws, ec.publicKey, { alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT' });
    const ecHeader = JSON.parse(Buffer.from(ecToken.split('.')[0] as string, 'base64url').toString()) as { epk: JWK };
    const offCurve = { ...ecHeader, epk: { ...ecHeader.epk, y: ecHeader.epk.x } };
    const p384 = (await generateKeyPair('ECDH-ES', { crv: 'P-384', extractable: true })).publicKey;
    const wrongCurve = { ...ecHeader, epk: await exportJWK(p384) };
    for (const forged of [offCurve, wrongCurve, { ...ecHeader, epk: 'x' }, { ...ecHeader, epk: undefined }]) {
      const t = [b64url(JSON.stringify(forged)), ...ecToken.split('.').slice(1)].join('.');
      await expect(ecSetup.verifier.verify(t)).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED', status: 401 });
    }
  });

  it('caps the size before decoding and refuses malformed headers', async () => {
    const key = bytes(32);
    const { verifier, jws } = await setup({ keys: key });
    const token = await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', cty: 'JWT' });
    const [h, k, iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    await expect(verifier.verify([h, k, iv, ct + 'A'.repeat(8192), tag].join('.'))).rejects.toMatchObject({ code: 'ERR_TOKEN_TOO_LARGE' });
    for (const header of ['{"alg":"A256KW","alg":"dir","enc":"A256GCM","cty":"JWT"}', '{"alg":"A256KW"', '[]', '{"enc":"A256GCM","cty":"JWT"}', '{"alg":"A256KW","enc":"A256GCM","cty":"JWT","kid":7}']) {
      await expect(verifier.verify([b64url(header), k, iv, ct, tag].join('.'))).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED', status: 401 });
    }
    await expect(verifier.verify([`${h.slice(0, -1)}_`, k, iv, ct, tag].join('.'))).rejects.toMatchObject({ status: 401 });
    await expect(verifier.verify([h, k, iv, ct, `${tag}=`].join('.'))).rejects.toMatchObject({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('answers with a 401 invalid_token challenge and no attacker text', async () => {
    const key = bytes(32);
    const { verifier, jws } = await setup({ keys: key });
    const token = await encrypt(jws, key, { alg: 'A256KW', enc: 'A256GCM', cty: 'JWT' });
    const error = await verifier.verify(tamper(token, 3)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DECRYPTION_FAILED', status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token", error_description="The token could not be decrypted"' } });
  });
});

describe('JWE configuration checks', () => {
  it('refuses unusable decryption settings at creation', async () => {
    const signing = await createTestKey('ES256');
    const base = { issuer, audience, publicKey: signing.publicJwk as JWK };
    const rsa = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const rsaSign = await generateKeyPair('RS256', { extractable: true });
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const bad: DecryptionOptions[] = [
      { keys: [] },
      { keys: bytes(10) },
      { keys: bytes(20) },
      { keys: weak },
      { keys: ed.privateKey },
      { keys: rsaSign.privateKey },
      { keys: rsa.publicKey },
      { keys: 'not a key' },
      { keys: rsa.privateKey, keyManagementAlgorithms: ['RSA1_5' as KeyManagementAlgorithm] },
      { keys: rsa.privateKey, keyManagementAlgorithms: ['A256KW'] },
      { keys: rsa.privateKey, keyManagementAlgorithms: [] },
      { keys: rsa.privateKey, contentEncryptionAlgorithms: ['A512GCM' as ContentEncryptionAlgorithm] },
      { keys: bytes(16), keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] },
      { keys: { kty: 'oct', k: b64url(bytes(32)), use: 'sig' } },
      { keys: { ...(await exportJWK(rsa.privateKey)), alg: 'RSA1_5' } },
      null as never,
    ];
    for (const decryption of bad) expect(() => createVerifier({ ...base, decryption })).toThrow(TypeError);
  });

  it('refuses unusable encryption settings at creation', async () => {
    const signing = await generateSigningKey('ES256');
    const rsa = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const bad = [
      { key: rsa.privateKey },
      { key: weak },
      { key: signing.publicKey },
      { key: bytes(32), keyManagementAlgorithm: 'PBES2-HS256+A128KW' as const },
      { key: rsa.publicKey, keyManagementAlgorithm: 'RSA1_5' as KeyManagementAlgorithm },
      { key: rsa.publicKey, keyManagementAlgorithm: 'A256KW' as const },
      { key: bytes(32), keyManagementAlgorithm: 'dir' as const, contentEncryptionAlgorithm: 'A128GCM' as const },
      { key: bytes(48) },
      { key: bytes(32), contentEncryptionAlgorithm: 'A512GCM' as ContentEncryptionAlgorithm },
      { key: { ...(await exportJWK(rsa.publicKey)), use: 'sig' } },
    ];
    for (const encryption of bad) expect(() => createIssuer({ issuer, audience, privateKey: signing, encryption })).toThrow(TypeError);
  });
});
