import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../adapter/authenticate.js';
import { createIssuer } from '../issuing/issuer.js';
import { generateSigningKey } from '../keys/signing-key.js';
import type { ReplayStore } from '../stores/replay.js';
import { createDPoPVerifier, DEFAULT_DPOP_ALGORITHMS } from './proof.js';

// Each check of a proof, one at a time, through the public verifier: proofs are made here by
// hand so each can break exactly one rule. A proof whose every check before the signature passes
// but whose signature is made up is refused for its `signature`: that tells a shape that was let
// through from one refused earlier.

const api = 'https://api.example.com';
const NOW = 1_700_000_000_000;
const nowSeconds = NOW / 1000;
const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const fakeSignature = Buffer.alloc(64, 7).toString('base64url');
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 'accepted' }) as Record<string, unknown>,
    (error: Record<string, unknown>) => ({ name: error.name, code: error.code, status: error.status, reason: error.reason, headers: error.headers }),
  );

const keys = await generateKeyPair('ES256', { extractable: true });
const publicJwk = await exportJWK(keys.publicKey);
const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const edJwk = await exportJWK(ed.publicKey);

const claims = (extra: Record<string, unknown> = {}) => ({ jti: crypto.randomUUID(), htm: 'GET', htu: `${api}/orders`, iat: nowSeconds, ...extra });

/** A proof signed by the ES256 key (or `key`), with `header` over the defaults. */
async function signed(payload: Record<string, unknown> = claims(), header: Record<string, unknown> = {}, key: CryptoKey = keys.privateKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk as JWK, ...header } as never).sign(key);
}

/** A proof of raw segments with a made-up signature. */
const unsigned = (header: unknown, payload: unknown = claims()): string => `${b64(header)}.${b64(payload)}.${fakeSignature}`;

const verifier = (options: Record<string, unknown> = {}) => createDPoPVerifier({ externalUrl: api, clock: () => NOW, ...options } as never);
const check = (proof: unknown, options: Record<string, unknown> = {}, request: Record<string, unknown> = {}) =>
  failure(verifier(options).verify({ proof, method: 'GET', url: '/orders', ...request } as never));

describe('createDPoPVerifier options', () => {
  it('takes maxAge and clockTolerance from 0 to their maximum, and refuses anything else with a RangeError', () => {
    for (const options of [{ maxAge: 0 }, { maxAge: 3600 }, { clockTolerance: 0 }, { clockTolerance: 300 }]) {
      expect(() => verifier(options), JSON.stringify(options)).not.toThrow();
    }
    for (const options of [{ maxAge: 3601 }, { maxAge: -1 }, { maxAge: Number.NaN }, { maxAge: Number.POSITIVE_INFINITY }, { maxAge: '60' }, { clockTolerance: 301 }, { clockTolerance: -0.5 }, { clockTolerance: null }]) {
      expect(() => verifier(options), JSON.stringify(options)).toThrow(RangeError);
    }
  });

  it('accepts a list of asymmetric algorithms, once each, and refuses an empty list, a string, HMAC and none', () => {
    expect(verifier().algorithms).toEqual(DEFAULT_DPOP_ALGORITHMS);
    expect(verifier({ algorithms: ['ES256', 'EdDSA', 'ES256'] }).algorithms).toEqual(['ES256', 'EdDSA']);
    for (const algorithms of [[], 'ES256', ['ES256', 'HS256'], ['none'], [256], null]) {
      expect(() => verifier({ algorithms }), JSON.stringify(algorithms)).toThrow(TypeError);
    }
  });

  it('refuses a non-object, an unknown option, a clock that is not a function and a replay store without recordOnce', () => {
    for (const input of [null, 'https://api.example.com', 42]) expect(() => createDPoPVerifier(input as never)).toThrow(TypeError);
    for (const options of [{ unknown: 1 }, { clock: 1000 }, { replayStore: {} }, { replayStore: 'redis' }, { replayStore: { recordOnce: true } }, { replayStore: Object.assign(() => true, { recordOnce: async () => true }) }]) {
      expect(() => verifier(options), JSON.stringify(options)).toThrow(TypeError);
    }
  });

  it('takes external URLs as strings or URL objects, with or without a trailing slash, and refuses others', async () => {
    for (const externalUrl of [api, new URL(api), [new URL('https://other.example'), `${api}/`], 'http://api.example.com']) {
      const proof = await signed(claims({ htu: `${new URL(Array.isArray(externalUrl) ? String(externalUrl[1]) : String(externalUrl)).origin}/orders` }));
      expect(await check(proof, { externalUrl }), String(externalUrl)).toMatchObject({ code: 'accepted' });
    }
    for (const externalUrl of [[], 42, 'not a url', 'ftp://api.example.com', `${api}/?q=1`, `${api}/#top`, 'https://user@api.example.com', 'https://:secret@api.example.com', [api, 'https://api.example.com/x?y'], [{ toString: () => api }]]) {
      expect(() => verifier({ externalUrl }), JSON.stringify(externalUrl)).toThrow(TypeError);
    }
  });

  it('refuses nonce options that are not an object, unknown, a secret under 32 bytes or a bad step', () => {
    const secret = 'x'.repeat(32);
    for (const nonce of [{ secret }, { secret: new Uint8Array(32) }, { secret, step: 1 }]) expect(() => verifier({ nonce }), JSON.stringify(nonce)).not.toThrow();
    for (const nonce of [null, 'secret', { secret: 'x'.repeat(31) }, { secret: new Uint8Array(31) }, { secret: 32 }, { secret, extra: 1 }]) {
      expect(() => verifier({ nonce }), JSON.stringify(nonce)).toThrow(TypeError);
    }
    for (const step of [0, -1, '60']) expect(() => verifier({ nonce: { secret, step } })).toThrow(RangeError);
  });
});

describe('DPoP proof checks', () => {
  it('accepts a genuine proof and returns its key, thumbprint, alg, jti and iat', async () => {
    const payload = claims();
    const proof = await check(await signed(payload, { jwk: { ...publicJwk, kid: 'k1', alg: 'ES256', use: 'sig' } }));
    expect(proof).toMatchObject({ code: 'accepted' });
    const result = await verifier().verify({ proof: await signed(payload), method: 'GET', url: '/orders' });
    expect(result).toEqual({ jkt: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), jwk: { kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y }, alg: 'ES256', jti: payload.jti, iat: nowSeconds });
  });

  it('reads the DPoP header as one value: a list of one, never none, two or an empty one', async () => {
    expect(await check([await signed()])).toMatchObject({ code: 'accepted' });
    expect(await check([])).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', status: 401, reason: 'missing' });
    expect(await check([await signed(), await signed()])).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'multiple' });
    for (const proof of ['', undefined, null, 42]) expect(await check(proof), String(proof)).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'missing' });
  });

  it('takes a proof of 8192 characters and refuses one longer', async () => {
    // Pad the header and a claim so the proof is exactly the limit: an ES256 signature is 86 characters.
    const jti = crypto.randomUUID();
    const size = (value: unknown) => b64(value).length;
    let proof = '';
    for (let headerPad = 0; headerPad < 4 && proof === ''; headerPad++) {
      const header = { alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk, hp: 'h'.repeat(headerPad) };
      const pad = Array.from({ length: 1000 }, (_, i) => 5500 + i).find((n) => size(header) + size(claims({ jti, pad: 'p'.repeat(n) })) + 88 === 8192);
      if (pad !== undefined) proof = await signed(claims({ jti, pad: 'p'.repeat(pad) }), { hp: 'h'.repeat(headerPad) });
    }
    expect(proof).toHaveLength(8192);
    expect(await check(proof)).toMatchObject({ code: 'accepted' });
    expect(await check(`${proof}A`)).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'too_large' });
  });

  it('refuses what is not a compact JWS of two JSON objects', async () => {
    const genuine = await signed();
    const [h, p, s] = genuine.split('.') as [string, string, string];
    for (const proof of [`${h}.${p}`, `${genuine}.${s}`, `${h}.${p}.`, `${h}!.${p}.${s}`, `${b64('[1]')}.${p}.${s}`, `${h}.${b64('"text"')}.${s}`, `${h}.${b64('{"a":1,"a":2}')}.${s}`, `${h}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${s}`, `${h.slice(0, -1)}${h.endsWith('A') ? 'B' : 'A'}.${p}.${s}`]) {
      expect(await check(proof), proof.slice(0, 40)).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'format' });
    }
  });

  it('takes typ dpop+jwt in any case and with the application/ prefix, nothing else', async () => {
    for (const typ of ['DPoP+JWT', 'application/dpop+jwt']) expect(await check(await signed(claims(), { typ })), typ).toMatchObject({ code: 'accepted' });
    for (const typ of ['JWT', 'at+jwt', 'application/jwt']) expect(await check(await signed(claims(), { typ })), typ).toMatchObject({ reason: 'typ' });
    expect(await check(unsigned({ alg: 'ES256', typ: 1, jwk: publicJwk }))).toMatchObject({ reason: 'typ' });
  });

  it('takes only the configured algorithms', async () => {
    expect(await check(await signed(), { algorithms: ['ES384'] })).toMatchObject({ reason: 'alg' });
    expect(await check(unsigned({ alg: 7, typ: 'dpop+jwt', jwk: publicJwk }))).toMatchObject({ reason: 'alg' });
    expect(await check(await signed(), { algorithms: ['ES384', 'ES256'] })).toMatchObject({ code: 'accepted' });
  });

  it('refuses a jwk that is not a public signing key of the algorithm', async () => {
    const header = (jwk: unknown, alg = 'ES256') => ({ alg, typ: 'dpop+jwt', jwk });
    const cases: [string, unknown, string, string?][] = [
      ['an array', [publicJwk], 'jwk'],
      ['a string', 'key', 'jwk'],
      ['null', null, 'jwk'],
      ...['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].map((name): [string, unknown, string] => [`member ${name}`, { ...publicJwk, [name]: 'AQAB' }, 'private_key']),
      ['another alg', { ...publicJwk, alg: 'ES384' }, 'jwk_alg'],
      ['use enc', { ...publicJwk, use: 'enc' }, 'jwk_use'],
      ['an RSA key for ES256', { kty: 'RSA', n: 'A'.repeat(342), e: 'AQAB' }, 'jwk'],
      ['an EC key for PS256', publicJwk, 'jwk', 'PS256'],
      ['an OKP key for ES256', edJwk, 'jwk'],
      ['an EC key without y', { ...publicJwk, y: undefined }, 'jwk'],
      ['an EC key without x', { ...publicJwk, x: undefined }, 'jwk'],
      ['an empty x', { ...publicJwk, x: '' }, 'jwk'],
      ['a numeric y', { ...publicJwk, y: 5 }, 'jwk'],
      ['x not base64url', { ...publicJwk, x: `${publicJwk.x}=` }, 'jwk'],
      ['x past the size limit', { ...publicJwk, x: 'A'.repeat(684) }, 'jwk'],
      ['Ed25519 without x', { kty: 'OKP', crv: 'Ed25519' }, 'jwk', 'EdDSA'],
      ['x with a leading =', { ...publicJwk, x: `=${publicJwk.x}` }, 'jwk'],
      ['an EC key with RSA members for PS256', { kty: 'EC', n: 'A'.repeat(342), e: 'AQAB' }, 'jwk', 'PS256'],
      ['an RSA key with EC members for ES256', { kty: 'RSA', crv: 'P-256', x: publicJwk.x, y: publicJwk.y }, 'jwk'],
      ['an EC key without crv for PS256', { kty: 'EC', x: publicJwk.x, y: publicJwk.y }, 'jwk', 'PS256'],
      ['an EC key with an Ed25519 x for EdDSA', { kty: 'EC', crv: 'Ed25519', x: edJwk.x }, 'jwk', 'EdDSA'],
      ['X25519 for EdDSA', { ...edJwk, crv: 'X25519' }, 'jwk', 'EdDSA'],
      ['RSA with a modulus under 2048 bits', { kty: 'RSA', n: 'A'.repeat(341), e: 'AQAB' }, 'jwk', 'PS256'],
      ['RSA with a modulus over 4096 bits', { kty: 'RSA', n: 'A'.repeat(684), e: 'AQAB' }, 'jwk', 'PS256'],
      ['RSA with a long exponent', { kty: 'RSA', n: 'A'.repeat(342), e: 'AQAAAAAAAQ' }, 'jwk', 'RS256'],
      ['RSA without e', { kty: 'RSA', n: 'A'.repeat(342) }, 'jwk', 'RS256'],
      ['RSA without n', { kty: 'RSA', e: 'AQAB' }, 'jwk', 'RS256'],
      // Shapes that pass: the made-up signature is what is refused.
      ['RSA of 2048 bits', { kty: 'RSA', n: 'A'.repeat(342), e: 'AQAB' }, 'signature', 'PS256'],
      ['RSA of 4096 bits, exponent of 8 characters', { kty: 'RSA', n: 'A'.repeat(683), e: 'AQAAAAAB' }, 'signature', 'RS256'],
      ['P-256 with alg and use', { ...publicJwk, alg: 'ES256', use: 'sig' }, 'signature'],
      ['Ed25519', edJwk, 'signature', 'EdDSA'],
      ['Ed25519 under its own alg', edJwk, 'signature', 'Ed25519'],
    ];
    for (const [name, jwk, reason, alg] of cases) {
      expect(await check(unsigned(header(jwk, alg))), name).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', status: 401, reason });
    }
  });

  it('accepts Ed25519 proofs and keeps only the public members of the key', async () => {
    const proof = await signed(claims(), { alg: 'EdDSA', jwk: { ...edJwk, kid: 'edge', ext: true } }, ed.privateKey);
    const result = await verifier().verify({ proof, method: 'GET', url: '/orders' });
    expect(result).toMatchObject({ alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: edJwk.x } });
    expect(Object.keys(result.jwk).sort()).toEqual(['crv', 'kty', 'x']);
  });

  it('accepts RSA proofs and keeps only n, e and kty', async () => {
    const rsa = await generateKeyPair('PS256', { modulusLength: 2048, extractable: true });
    const rsaJwk = await exportJWK(rsa.publicKey);
    const result = await verifier().verify({ proof: await signed(claims(), { alg: 'PS256', jwk: { ...rsaJwk, kid: 'r' } }, rsa.privateKey), method: 'GET', url: '/orders' });
    expect(result.jwk).toEqual({ kty: 'RSA', n: rsaJwk.n, e: rsaJwk.e });
  });

  it('takes a jti of 1 to 256 characters', async () => {
    for (const jti of ['j', 'j'.repeat(256)]) expect(await check(await signed(claims({ jti })))).toMatchObject({ code: 'accepted' });
    for (const jti of ['', 'j'.repeat(257), 12, undefined]) expect(await check(await signed(claims({ jti }))), String(jti)).toMatchObject({ reason: 'jti' });
  });

  it('compares htm with the method in upper case', async () => {
    expect(await check(await signed(claims({ htm: 'POST' })), {}, { method: 'post' })).toMatchObject({ code: 'accepted' });
    for (const htm of ['get', 'POST', 1, undefined]) expect(await check(await signed(claims({ htm }))), String(htm)).toMatchObject({ reason: 'htm' });
  });

  it('reads the path of an absolute or origin-form target, and refuses a request without one as a configuration error', async () => {
    expect(await check(await signed(), {}, { url: 'https://internal.host:8080/orders?page=3' })).toMatchObject({ code: 'accepted' });
    expect(await check(await signed(claims({ htu: `${api}//evil.example/x` })), {}, { url: '//evil.example/x' })).toMatchObject({ code: 'accepted' });
    for (const url of [undefined, 42, new URL(`${api}/orders`), new String('/orders'), 'orders', 'ftp://api.example.com/orders', 'http://[bad/orders']) {
      expect(await check(await signed(), {}, { url }), String(url)).toMatchObject({ code: 'ERR_CONFIG_INVALID', status: 500 });
    }
  });

  it('takes an htu of up to 4096 characters, http(s) only, without credentials', async () => {
    const long = `/${'a'.repeat(4096 - api.length - 1)}`;
    expect(await check(await signed(claims({ htu: `${api}${long}` })), {}, { url: long })).toMatchObject({ code: 'accepted' });
    expect(await check(await signed(claims({ htu: `${api}${long}a` })), {}, { url: `${long}a` })).toMatchObject({ reason: 'htu' });
    for (const htu of [1, undefined, [`${api}/orders`], 'api.example.com/orders', 'ftp://api.example.com/orders', 'https://u@api.example.com/orders', 'https://:p@api.example.com/orders', 'wss://api.example.com/orders']) {
      expect(await check(await signed(claims({ htu }))), String(htu)).toMatchObject({ reason: 'htu' });
    }
  });

  it('compares htu paths after percent-encoding normalisation, and only there', async () => {
    // Every pair is one path written two ways: unreserved characters decoded, hex digits in upper case.
    const same: [string, string][] = [
      ['/%30%39%41%5A%61%7A%2D%2E%5F%7E', '/09AZaz-._~'],
      ['/%3a%2f%40%5b%60%7b%2C%25', '/%3A%2F%40%5B%60%7B%2c%25'],
      ['/%4a%4A%4f%6a%6F', '/JJOjo'],
      ['/a%2', '/a%2'],
      ['/a%', '/a%'],
      ['/a%G1%1g%g1%:1%/1%@1%`1', '/a%G1%1g%g1%:1%/1%@1%`1'],
      ['/%0a%1f', '/%0A%1F'],
    ];
    for (const [htuPath, requestPath] of same) {
      expect(await check(await signed(claims({ htu: `${api}${htuPath}` })), {}, { url: requestPath }), htuPath).toMatchObject({ code: 'accepted' });
      expect(await check(await signed(claims({ htu: `${api}${requestPath}` })), {}, { url: htuPath }), requestPath).toMatchObject({ code: 'accepted' });
    }
    // Reserved characters and characters just outside the unreserved ranges stay encoded.
    for (const [htuPath, requestPath] of [['/%2F', '//'], ['/%40', '/@'], ['/%5B', '/['], ['/%3A', '/:'], ['/%2C', '/,'], ['/%2F%41', '//A'], ['/%41', '/B'], ['/%4A%4B', '/JL'], ['/%G1', '/%H1'], ['/%1G', '/%1H'], ['/%g1', '/%h1'], ['/%1g', '/%1h'], ['/%:1', '/%;1'], ['/%/1', '/%.1'], ['/%@1', '/%[1'], ['/%`1', '/%{1'], ['/%:1', '/1'], ['/%@1', '/91'], ['/a%2Fb', '/ab'], ['/a%2Fb', '/a%2F'], ['/%2F', '/'], ['/a%G1', '/b%G1'], ['/%7C', '/|'], ['/%7c', '/|']]) {
      expect(await check(await signed(claims({ htu: `${api}${htuPath}` })), {}, { url: requestPath }), htuPath).toMatchObject({ reason: 'htu' });
    }
  });

  it('holds iat to the window: up to clockTolerance ahead and maxAge plus clockTolerance behind', async () => {
    const options = { maxAge: 60, clockTolerance: 5 };
    for (const iat of [nowSeconds + 5, nowSeconds - 65, nowSeconds]) expect(await check(await signed(claims({ iat })), options), String(iat)).toMatchObject({ code: 'accepted' });
    expect(await check(await signed(claims({ iat: nowSeconds + 5.001 })), options)).toMatchObject({ reason: 'iat_future' });
    expect(await check(await signed(claims({ iat: nowSeconds - 65.001 })), options)).toMatchObject({ reason: 'iat_stale' });
    for (const iat of ['1700000000', undefined, null]) expect(await check(await signed(claims({ iat }))), String(iat)).toMatchObject({ reason: 'iat' });
    const infinite = unsigned({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk }, `{"jti":"a","htm":"GET","htu":"${api}/orders","iat":1e999}`);
    expect(await check(infinite)).toMatchObject({ reason: 'iat' });
  });

  it('records each proof for as long as it would be accepted, under its key and jti', async () => {
    const recorded: [string, number][] = [];
    const replayStore: ReplayStore = { recordOnce: async (key, ttl) => (recorded.push([key, ttl]), true) };
    const options = { maxAge: 60, clockTolerance: 5, replayStore };
    await verifier(options).verify({ proof: await signed(claims({ jti: 'one' })), method: 'GET', url: '/orders' });
    await verifier(options).verify({ proof: await signed(claims({ jti: 'two', iat: nowSeconds - 64.5 })), method: 'GET', url: '/orders' });
    await verifier(options).verify({ proof: await signed(claims({ jti: 'three', iat: nowSeconds - 60.0004 })), method: 'GET', url: '/orders' });
    expect(recorded.map(([, ttl]) => ttl)).toEqual([65_000, 1000, 5000]);
    const jkt = (await verifier().verify({ proof: await signed(), method: 'GET', url: '/orders' })).jkt;
    expect(recorded.map(([key]) => key)).toEqual([`${jkt}.one`, `${jkt}.two`, `${jkt}.three`]);
  });

  it('refuses a replayed proof, but not the same jti under another key nor another jti under the same key', async () => {
    const dpop = verifier();
    const jti = crypto.randomUUID();
    await expect(dpop.verify({ proof: await signed(claims({ jti })), method: 'GET', url: '/orders' })).resolves.toMatchObject({ jti });
    await expect(dpop.verify({ proof: await signed(claims({ jti }), { alg: 'EdDSA', jwk: edJwk }, ed.privateKey), method: 'GET', url: '/orders' })).resolves.toMatchObject({ jti });
    await expect(dpop.verify({ proof: await signed(claims()), method: 'GET', url: '/orders' })).resolves.toMatchObject({ alg: 'ES256' });
    expect(await failure(dpop.verify({ proof: await signed(claims({ jti })), method: 'GET', url: '/orders' }))).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED', status: 401 });
  });

  it('checks the binding before recording: a proof of another key does not use up its jti', async () => {
    const dpop = verifier();
    const proof = await signed();
    const { jkt } = await verifier().verify({ proof: await signed(), method: 'GET', url: '/orders' });
    expect(await failure(dpop.verify({ proof, method: 'GET', url: '/orders' }, { jkt: 'A'.repeat(43) }))).toMatchObject({ code: 'ERR_DPOP_KEY_MISMATCH', status: 401 });
    await expect(dpop.verify({ proof, method: 'GET', url: '/orders' }, { jkt })).resolves.toMatchObject({ jkt });
  });

  it('checks ath only when an access token is given', async () => {
    const token = 'header.payload.signature';
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url');
    const dpop = verifier();
    await expect(dpop.verify({ proof: await signed(claims({ ath })), method: 'GET', url: '/orders' }, { accessToken: token })).resolves.toMatchObject({ alg: 'ES256' });
    await expect(dpop.verify({ proof: await signed(claims({ ath: 'other' })), method: 'GET', url: '/orders' })).resolves.toMatchObject({ alg: 'ES256' });
    expect(await failure(dpop.verify({ proof: await signed(claims({ ath })), method: 'GET', url: '/orders' }, { accessToken: `${token}x` }))).toMatchObject({ reason: 'ath' });
  });

  it('refuses a request that is not { proof, method, url } and unknown verify options with a TypeError', async () => {
    const dpop = verifier();
    for (const request of [null, 'proof', { proof: await signed(), url: '/orders' }, { proof: 'x', url: '/orders' }, { proof: 'x', method: 1, url: '/orders' }]) {
      expect(await failure(dpop.verify(request as never)), JSON.stringify(request)).toMatchObject({ name: 'TypeError' });
    }
    expect(await failure(dpop.verify({ proof: await signed(), method: 'GET', url: '/orders' }, { ath: 'x' } as never))).toMatchObject({ name: 'TypeError' });
  });
});

describe('DPoP refusals', () => {
  it('refuses a header segment in non-canonical base64url, even signed as sent', async () => {
    // A header whose JSON length leaves spare bits in its last base64url character, which are then set.
    let header = { alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk, p: '' };
    while (Buffer.byteLength(JSON.stringify(header)) % 3 === 0) header = { ...header, p: `${header.p}p` };
    const canonical = b64(header);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(canonical.at(-1) as string);
    const h = `${canonical.slice(0, -1)}${alphabet[last + 1]}`;
    expect(Buffer.from(h, 'base64url').equals(Buffer.from(canonical, 'base64url'))).toBe(true);
    const input = `${h}.${b64(claims())}`;
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(input));
    const proof = `${input}.${Buffer.from(signature).toString('base64url')}`;
    expect(await check(proof)).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'format' });
    const fixed = `${canonical}.${input.split('.')[1]}`;
    const fixedSignature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(fixed));
    expect(await check(`${fixed}.${Buffer.from(fixedSignature).toString('base64url')}`)).toMatchObject({ code: 'accepted' });
  });

  it('keeps the failed signature check as the cause, and gives no cause to a refused claim', async () => {
    const dpop = verifier();
    const bad = await dpop.verify({ proof: unsigned({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk }), method: 'GET', url: '/orders' }).catch((error: unknown) => error);
    expect(bad).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'signature' });
    expect((bad as Error).cause).toBeInstanceOf(Error);
    const htm = await dpop.verify({ proof: await signed(claims({ htm: 'PUT' })), method: 'GET', url: '/orders' }).catch((error: unknown) => error);
    expect(htm).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'htm' });
    expect((htm as Error).cause).toBeUndefined();
    const down = new Error('store down');
    const unavailable = await verifier({ replayStore: { recordOnce: () => Promise.reject(down) } }).verify({ proof: await signed(), method: 'GET', url: '/orders' }).catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ code: 'ERR_DPOP_UNAVAILABLE', status: 503 });
    expect((unavailable as Error).cause).toBe(down);
  });

  it('challenges a missing nonce with the DPoP scheme alone, its algorithms and a fresh nonce', async () => {
    const options = { nonce: { secret: 'x'.repeat(32) }, algorithms: ['ES256', 'EdDSA'] };
    const outcome = await verifier(options).verify({ proof: await signed(), method: 'GET', url: '/orders' }).then(() => ({}) as Record<string, unknown>, (error: Record<string, unknown>) => error);
    const nonce = await verifier(options).nonce();
    expect(outcome).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED', status: 401, headers: { 'DPoP-Nonce': nonce } });
    expect(outcome.challenge).toMatch(/^DPoP realm="api", error="use_dpop_nonce", error_description="[^"]+", algs="ES256 EdDSA"$/);
    expect(outcome.dpop).toMatchObject({ scheme: 'DPoP', bearer: false, algs: ['ES256', 'EdDSA'], nonce });
  });

  it('challenges in the realm of the authenticator it runs in, whatever the refusal', async () => {
    const issuerId = 'https://auth.example.com';
    const issuer = createIssuer({ issuer: issuerId, audience: 'orders-api', privateKey: await generateSigningKey('ES256') });
    const { jkt } = await verifier().verify({ proof: await signed(), method: 'GET', url: '/orders' });
    const token = await issuer.sign({ sub: 'alice' }, { jkt });
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url');
    const jwks = await issuer.jwks();
    const auth = (dpop: Record<string, unknown> = {}) => createAuthenticator({ issuer: issuerId, audience: 'orders-api', jwks, realm: 'orders', dpop: { externalUrl: api, clock: () => NOW, ...dpop } } as never);
    const request = (proof: string) => ({ method: 'GET', url: '/orders', header: (name: string) => ({ authorization: `DPoP ${token}`, dpop: proof })[name] });
    const refusal = (promise: Promise<unknown>) => promise.then(() => ({}) as Record<string, unknown>, (error: Record<string, unknown>) => error);
    const once = auth();
    const proof = await signed(claims({ ath }));
    await expect(once.authenticate(request(proof))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    const cases = [
      await refusal(once.authenticate(request(proof))),
      await refusal(once.authenticate(request(await signed(claims({ ath, htm: 'POST' }))))),
      await refusal((auth({ replayStore: { recordOnce: () => Promise.reject(new Error('down')) } })).authenticate(request(await signed(claims({ ath }))))),
      await refusal((auth({ nonce: { secret: 'x'.repeat(32) } })).authenticate(request(await signed(claims({ ath }))))),
    ];
    cases.push(await refusal(once.authenticate({ ...request(await signed(claims({ ath }))), url: 42 } as never)));
    expect(cases.map((error) => error.code)).toEqual(['ERR_DPOP_PROOF_REPLAYED', 'ERR_DPOP_PROOF_INVALID', 'ERR_DPOP_UNAVAILABLE', 'ERR_DPOP_NONCE_REQUIRED', 'ERR_CONFIG_INVALID']);
    for (const error of cases) expect(error.realm, String(error.code)).toBe('orders');
    for (const error of [cases[0], cases[1], cases[3]]) expect(String(error?.challenge), String(error?.code)).toMatch(/^DPoP realm="orders", error="/);
  });
});

describe('DPoP server nonces', () => {
  const secret = 'a nonce secret of thirty-two bytes or more';

  it('gives no nonce without nonces, and a 32-character nonce with them', async () => {
    expect(await verifier().nonce()).toBeUndefined();
    expect(await verifier({ nonce: { secret } }).nonce()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('keeps one nonce through a step, 300 seconds by default, and takes it until the end of the next', async () => {
    let now = 300_000 * 5_000_000;
    const options = { nonce: { secret }, clock: () => now };
    const first = await verifier(options).nonce();
    const withNonce = async (nonce: unknown) => check(await signed(claims({ iat: now / 1000, nonce })), options);
    now += 299_999;
    expect(await verifier(options).nonce()).toBe(first);
    now += 1;
    const second = await verifier(options).nonce();
    expect(second).not.toBe(first);
    expect(await withNonce(first)).toMatchObject({ code: 'accepted' });
    expect(await withNonce(second)).toMatchObject({ code: 'accepted' });
    now += 299_999;
    expect(await withNonce(first)).toMatchObject({ code: 'accepted' });
    now += 1;
    const refused = await withNonce(first);
    expect(refused).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED', status: 401 });
    expect((refused.headers as Record<string, string>)['DPoP-Nonce']).toBe(await verifier(options).nonce());
    expect(await withNonce(second)).toMatchObject({ code: 'accepted' });
  });

  it('takes a Uint8Array secret like the same bytes as a string, and a custom step', async () => {
    let now = 60_000 * 1000;
    const bytes = new TextEncoder().encode(secret);
    const options = (value: string | Uint8Array) => ({ nonce: { secret: value, step: 60 }, clock: () => now });
    const nonce = await verifier(options(bytes)).nonce();
    expect(await verifier(options(secret)).nonce()).toBe(nonce);
    now += 60_000;
    expect(await verifier(options(bytes)).nonce()).not.toBe(nonce);
  });

  it('refuses a missing, non-string, wrong or unknown nonce with use_dpop_nonce and a fresh one', async () => {
    const options = { nonce: { secret } };
    const current = (await verifier(options).nonce()) as string;
    for (const nonce of [undefined, 32, '', current.slice(1), `${current}A`, `${current.slice(0, -1)}${current.endsWith('A') ? 'B' : 'A'}`]) {
      const outcome = await check(await signed(claims({ nonce })), options);
      expect(outcome, String(nonce)).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED', status: 401, headers: { 'DPoP-Nonce': current } });
    }
    expect(await check(await signed(claims({ nonce: current })), options)).toMatchObject({ code: 'accepted' });
  });
});
