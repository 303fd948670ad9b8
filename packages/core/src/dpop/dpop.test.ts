import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { SignJWT, exportJWK, generateKeyPair as joseKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../adapter/authenticate.js';
import type { RequestView } from '../adapter/request-view.js';
import { createIssuer } from '../issuing/issuer.js';
import { createRefreshTokens } from '../issuing/refresh-tokens.js';
import { createMemoryReplayStore } from '../stores/replay.js';
import { createDPoPVerifier } from './proof.js';
import { generateSigningKey } from '../keys/signing-key.js';

const issuerId = 'https://auth.example.com';
const audience = 'orders-api';
const api = 'https://api.example.com';

const view = (headers: Record<string, string | string[] | undefined>, method = 'GET', url = '/orders?page=2'): RequestView => ({ method, url, header: (name) => headers[name] });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 'accepted' }) as Record<string, unknown>,
    (error: Record<string, unknown>) => ({ code: error.code, status: error.status, reason: error.reason, challenge: error.challenge, headers: error.headers }),
  );

describe('DPoP at a resource server', async () => {
  const signingKey = await generateSigningKey('ES256');
  const issuer = createIssuer({ issuer: issuerId, audience, privateKey: signingKey });
  const jwks = await issuer.jwks();
  const client: KeyPair = await generateKeyPair('ES256');
  const other: KeyPair = await generateKeyPair('ES256');
  const jkt = (await createDPoPVerifier({ externalUrl: api }).verify({ proof: await generateProof(client, `${api}/x`, 'GET'), method: 'GET', url: '/x' })).jkt;
  const bound = await issuer.sign({ sub: 'alice' }, { jkt });
  const plain = await issuer.sign({ sub: 'bob' });

  const authenticator = (dpop: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    createAuthenticator({ issuer: issuerId, audience, jwks, dpop: { externalUrl: api, ...dpop }, ...extra });
  const dpopRequest = async (token: string, proof?: string, method = 'GET', url = '/orders?page=2') =>
    view({ authorization: `DPoP ${token}`, dpop: proof ?? (await generateProof(client, `${api}/orders`, method, undefined, token)) }, method, url);

  it('accepts a bound token with a fresh proof from an independent client, and refuses the same proof again', async () => {
    const auth = authenticator();
    const request = await dpopRequest(bound);
    await expect(auth.authenticate(request)).resolves.toMatchObject({ claims: { sub: 'alice', cnf: { jkt } } });
    const replayed = await failure(auth.authenticate(request));
    expect(replayed).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED', status: 401 });
    expect(replayed.challenge).toBe('DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was already used", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519"');
  });

  it('normalises htu as RFC 9449 says: query and fragment ignored, scheme and host case, default ports, percent-encoding', async () => {
    const auth = authenticator({ externalUrl: ['https://API.example.com:443', 'https://example.com/gateway/'] });
    for (const [htu, url] of [
      ['HTTPS://api.EXAMPLE.com/orders#x', '/orders?page=1'],
      ['https://api.example.com:443/%6Frders', '/orders'],
      ['https://example.com/gateway/orders', '/orders'],
      ['https://api.example.com/a%2fb', '/a%2Fb'],
    ] as const) {
      const proof = await generateProof(client, htu, 'GET', undefined, bound);
      await expect(auth.authenticate(view({ authorization: `DPoP ${bound}`, dpop: proof }, 'GET', url)), htu).resolves.toMatchObject({ claims: { sub: 'alice' } });
    }
  });

  it('refuses a proof for another URL, method, or token, and a token bound to another key', async () => {
    const auth = authenticator();
    const cases: [string, RequestView, string, string?][] = [
      ['another path', await dpopRequest(bound, await generateProof(client, `${api}/admin`, 'GET', undefined, bound)), 'ERR_DPOP_PROOF_INVALID', 'htu'],
      ['another host', await dpopRequest(bound, await generateProof(client, 'https://evil.example.com/orders', 'GET', undefined, bound)), 'ERR_DPOP_PROOF_INVALID', 'htu'],
      ['another port', await dpopRequest(bound, await generateProof(client, 'https://api.example.com:8443/orders', 'GET', undefined, bound)), 'ERR_DPOP_PROOF_INVALID', 'htu'],
      ['http instead of https', await dpopRequest(bound, await generateProof(client, 'http://api.example.com/orders', 'GET', undefined, bound)), 'ERR_DPOP_PROOF_INVALID', 'htu'],
      ['another method', await dpopRequest(bound, await generateProof(client, `${api}/orders`, 'POST', undefined, bound)), 'ERR_DPOP_PROOF_INVALID', 'htm'],
      ['ath of another token', await dpopRequest(bound, await generateProof(client, `${api}/orders`, 'GET', undefined, plain)), 'ERR_DPOP_PROOF_INVALID', 'ath'],
      ['no ath', await dpopRequest(bound, await generateProof(client, `${api}/orders`, 'GET')), 'ERR_DPOP_PROOF_INVALID', 'ath'],
      ['another key', await dpopRequest(bound, await generateProof(other, `${api}/orders`, 'GET', undefined, bound)), 'ERR_DPOP_KEY_MISMATCH', 'jkt'],
      ['an unbound token', await dpopRequest(plain, await generateProof(client, `${api}/orders`, 'GET', undefined, plain)), 'ERR_DPOP_KEY_MISMATCH', 'unbound'],
      ['no proof', view({ authorization: `DPoP ${bound}` }), 'ERR_DPOP_PROOF_INVALID', 'missing'],
      ['two proofs', view({ authorization: `DPoP ${bound}`, dpop: [await generateProof(client, `${api}/orders`, 'GET', undefined, bound), await generateProof(client, `${api}/orders`, 'GET', undefined, bound)] }), 'ERR_DPOP_PROOF_INVALID', 'multiple'],
      ['two proofs joined', view({ authorization: `DPoP ${bound}`, dpop: `${await generateProof(client, `${api}/orders`, 'GET', undefined, bound)}, ${await generateProof(client, `${api}/orders`, 'GET', undefined, bound)}` }), 'ERR_DPOP_PROOF_INVALID', 'multiple'],
    ];
    for (const [name, request, code, reason] of cases) {
      const outcome = await failure(auth.authenticate(request));
      expect(outcome, name).toMatchObject({ code, status: 401, reason });
      expect(outcome.challenge, name).toMatch(/^DPoP realm="api", error="invalid_dpop_proof", error_description="[^"]+", algs="ES256 /);
    }
  });

  it('does not use up a jti when another check fails, so the genuine request still passes', async () => {
    const auth = authenticator();
    const proof = await generateProof(client, `${api}/orders`, 'GET', undefined, bound);
    expect(await failure(auth.authenticate(view({ authorization: `DPoP ${plain}`, dpop: proof }, 'GET', '/orders')))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'ath' });
    await expect(auth.authenticate(view({ authorization: `DPoP ${bound}`, dpop: proof }, 'GET', '/orders'))).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('refuses a stale or future iat beyond the window', async () => {
    const proof = await generateProof(client, `${api}/orders`, 'GET', undefined, bound);
    const at = (offset: number) => authenticator({ clock: () => Date.now() + offset * 1000, maxAge: 60, clockTolerance: 5 });
    expect(await failure(at(70).authenticate(await dpopRequest(bound, proof)))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'iat_stale' });
    expect(await failure(at(-10).authenticate(await dpopRequest(bound, proof)))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'iat_future' });
    await expect(at(50).authenticate(await dpopRequest(bound, proof))).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });

  it('refuses hand-made proofs: private key members, alg none, HS256, wrong typ, crit, a key of another curve, a bad signature', async () => {
    const auth = authenticator();
    const { publicKey, privateKey } = await joseKeyPair('ES256', { extractable: true });
    const pub = await exportJWK(publicKey);
    const priv = await exportJWK(privateKey);
    const ath = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(bound)).then((d) => Buffer.from(d).toString('base64url'));
    const claims = () => ({ htm: 'GET', htu: `${api}/orders`, ath, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) });
    const signed = (header: Record<string, unknown>) => new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: pub as JWK, ...header }).sign(privateKey);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const genuine = await signed({});
    const cases: [string, string, string][] = [
      ['private key members', await signed({ jwk: priv }), 'private_key'],
      ['a symmetric jwk', await signed({ jwk: { kty: 'oct', k: 'c2VjcmV0' } }), 'private_key'],
      ['alg none', `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: pub })}.${b64(claims())}.`, 'format'],
      ['alg none, with a signature', `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: pub })}.${b64(claims())}.${genuine.split('.')[2]}`, 'alg'],
      ['HS256', await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: pub as JWK }).sign(new Uint8Array(32)), 'alg'],
      ['typ JWT', await signed({ typ: 'JWT' }), 'typ'],
      ['no typ', `${b64({ alg: 'ES256', jwk: pub })}.${genuine.split('.')[1]}.${genuine.split('.')[2]}`, 'typ'],
      ['crit', await signed({ crit: ['exp'], exp: 1 } as Record<string, unknown>).catch(() => `${b64({ alg: 'ES256', typ: 'dpop+jwt', jwk: pub, crit: ['x'], x: 1 })}.${b64(claims())}.${genuine.split('.')[2]}`), 'crit'],
      ['no jwk', `${b64({ alg: 'ES256', typ: 'dpop+jwt' })}.${genuine.split('.')[1]}.${genuine.split('.')[2]}`, 'jwk'],
      ['a P-384 key for ES256', await signed({ jwk: { ...pub, crv: 'P-384' } }), 'jwk'],
      ['a signature by another key', `${genuine.split('.')[0]}.${b64(claims())}.${genuine.split('.')[2]}`, 'signature'],
      ['not a JWS', 'not-a-proof', 'format'],
    ];
    for (const [name, proof, reason] of cases) {
      expect(await failure(auth.authenticate(view({ authorization: `DPoP ${bound}`, dpop: proof }, 'GET', '/orders'))), name).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', status: 401, reason });
    }
  });

  it('refuses a bound token sent as Bearer in every mode, a Bearer token where DPoP is required, and a proof beside Bearer', async () => {
    const off = createAuthenticator({ issuer: issuerId, audience, jwks });
    expect(await failure(off.authenticate(view({ authorization: `Bearer ${bound}` })))).toMatchObject({ code: 'ERR_DPOP_BOUND_TOKEN', status: 401, challenge: 'Bearer realm="api", error="invalid_token", error_description="A DPoP-bound token needs the DPoP scheme"' });
    await expect(off.authenticate(view({ authorization: `Bearer ${plain}` }))).resolves.toMatchObject({ claims: { sub: 'bob' } });
    // DPoP off: the DPoP scheme is another scheme, which carries no bearer token.
    expect(await failure(off.authenticate(await dpopRequest(bound)))).toMatchObject({ code: 'ERR_TOKEN_MISSING', challenge: 'Bearer realm="api"' });

    const allowed = authenticator({ mode: 'allowed' });
    const algs = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519"';
    await expect(allowed.authenticate(view({ authorization: `Bearer ${plain}` }))).resolves.toMatchObject({ claims: { sub: 'bob' } });
    expect(await failure(allowed.authenticate(view({ authorization: `Bearer ${bound}` })))).toMatchObject({
      code: 'ERR_DPOP_BOUND_TOKEN',
      challenge: `Bearer realm="api", error="invalid_token", error_description="A DPoP-bound token needs the DPoP scheme", DPoP realm="api", ${algs}`,
    });
    expect(await failure(allowed.authenticate(view({})))).toMatchObject({ code: 'ERR_TOKEN_MISSING', challenge: `Bearer realm="api", DPoP realm="api", ${algs}` });
    expect(await failure(allowed.authenticate(view({ authorization: `DPoP ${bound}` })))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', challenge: `Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="Invalid DPoP proof", ${algs}` });
    expect(await failure(allowed.authenticate(view({ authorization: `Bearer ${plain}`, dpop: await generateProof(client, `${api}/orders`, 'GET', undefined, plain) })))).toMatchObject({ code: 'ERR_INVALID_REQUEST', status: 400 });

    const required = authenticator();
    expect(await failure(required.authenticate(view({ authorization: `Bearer ${plain}` })))).toMatchObject({ code: 'ERR_DPOP_REQUIRED', status: 401, challenge: `DPoP realm="api", error="invalid_token", error_description="DPoP-bound credentials are required", ${algs}` });
    expect(await failure(required.authenticate(view({})))).toMatchObject({ code: 'ERR_TOKEN_MISSING', challenge: `DPoP realm="api", ${algs}` });
  });

  it('refuses a malformed DPoP scheme and a DPoP token beside another transport with 400', async () => {
    const auth = authenticator({}, { tokenHeader: 'x-token' });
    for (const authorization of ['DPoP', 'DPoP  x', `DPoP ${bound} x`, `DPoP ${bound}, Bearer ${plain}`, 'dpop a"b']) {
      expect(await failure(auth.authenticate(view({ authorization, dpop: 'x' }))), authorization).toMatchObject({ status: 400 });
    }
    expect(await failure(auth.authenticate(view({ authorization: `DPoP ${bound}`, 'x-token': plain, dpop: 'x' })))).toMatchObject({ code: 'ERR_MULTIPLE_TOKENS', status: 400 });
  });

  it('requires server nonces when asked: use_dpop_nonce with a DPoP-Nonce that every instance sharing the secret accepts, rotating by time', async () => {
    let now = Date.now();
    const nonce = { secret: 'a shared nonce secret of at least thirty-two bytes', step: 60 };
    const first = authenticator({ nonce, clock: () => now });
    const second = authenticator({ nonce, clock: () => now });
    const without = await failure(first.authenticate(await dpopRequest(bound)));
    expect(without).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED', status: 401 });
    expect(without.challenge).toMatch(/^DPoP realm="api", error="use_dpop_nonce", error_description="[^"]+", algs="/);
    const given = (without.headers as Record<string, string>)['DPoP-Nonce'] as string;
    expect(given).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const withNonce = () => generateProof(client, `${api}/orders`, 'GET', given, bound);
    await expect(second.authenticate(await dpopRequest(bound, await withNonce()))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    now += 60_000; // the previous step's nonce still passes
    await expect(first.authenticate(await dpopRequest(bound, await withNonce()))).resolves.toMatchObject({ claims: { sub: 'alice' } });
    now += 60_000;
    const stale = await failure(first.authenticate(await dpopRequest(bound, await withNonce())));
    expect(stale).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' });
    expect((stale.headers as Record<string, string>)['DPoP-Nonce']).not.toBe(given);
    const otherSecret = authenticator({ nonce: { secret: 'another nonce secret, also thirty-two bytes long' }, clock: () => now });
    const fresh = (stale.headers as Record<string, string>)['DPoP-Nonce'] as string;
    expect(await failure(otherSecret.authenticate(await dpopRequest(bound, await generateProof(client, `${api}/orders`, 'GET', fresh, bound))))).toMatchObject({ code: 'ERR_DPOP_NONCE_REQUIRED' });
  });

  it('answers 503, never an accept, when the replay store cannot answer', async () => {
    const auth = authenticator({ replayStore: { recordOnce: () => Promise.reject(new Error('down')) } });
    expect(await failure(auth.authenticate(await dpopRequest(bound)))).toMatchObject({ code: 'ERR_DPOP_UNAVAILABLE', status: 503, headers: {} });
  });

  it('shares one replay store between authenticators, so a proof is used once across them', async () => {
    const replayStore = createMemoryReplayStore();
    const request = await dpopRequest(bound);
    await expect(authenticator({ replayStore }).authenticate(request)).resolves.toMatchObject({ claims: { sub: 'alice' } });
    expect(await failure(authenticator({ replayStore }).authenticate(request))).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' });
  });

  it('refuses bad options at creation', () => {
    const base = { issuer: issuerId, audience, jwks };
    for (const dpop of [{}, { externalUrl: 'not a url' }, { externalUrl: 'https://a.example/?q' }, { externalUrl: api, algorithms: ['HS256'] }, { externalUrl: api, algorithms: ['none'] }, { externalUrl: api, mode: 'maybe' }, { externalUrl: api, maxAge: -1 }, { externalUrl: api, nonce: { secret: 'short' } }, { externalUrl: api, unknown: 1 }]) {
      expect(() => createAuthenticator({ ...base, dpop } as never), JSON.stringify(dpop)).toThrow();
    }
  });
});

describe('DPoP at a token endpoint', async () => {
  const issuer = createIssuer({ issuer: issuerId, audience, privateKey: await generateSigningKey('ES256') });
  const client = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const tokenEndpoint = createDPoPVerifier({ externalUrl: issuerId });
  const proofFor = (key: KeyPair, url = '/token') => generateProof(key, `${issuerId}${url}`, 'POST');

  it('checks a login proof (POST, the token URL, no ath), binds the access token to its key, and refuses it twice', async () => {
    const proof = await proofFor(client);
    const checked = await tokenEndpoint.verify({ proof, method: 'POST', url: '/token' });
    expect(checked.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = await issuer.sign({ sub: 'alice' }, { jkt: checked.jkt });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.cnf).toEqual({ jkt: checked.jkt });
    expect(await failure(tokenEndpoint.verify({ proof, method: 'POST', url: '/token' }))).toMatchObject({ code: 'ERR_DPOP_PROOF_REPLAYED' });
    expect(await failure(tokenEndpoint.verify({ proof: await proofFor(client), method: 'GET', url: '/token' }))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'htm' });
    expect(await failure(tokenEndpoint.verify({ proof: await proofFor(client, '/other'), method: 'POST', url: '/token' }))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'htu' });
    await expect(issuer.sign({ sub: 'alice' }, { jkt: 'short' })).rejects.toThrow(TypeError);
  });

  it('binds a DPoP login\'s refresh tokens to its key: refused without a proof or with another key, without using the token up', async () => {
    const refresh = createRefreshTokens({ issuer });
    const login = await tokenEndpoint.verify({ proof: await proofFor(client), method: 'POST', url: '/token' });
    const { refreshToken } = await refresh.issue({ sub: 'alice' }, { jkt: login.jkt });
    expect(await failure(refresh.redeem(refreshToken))).toMatchObject({ code: 'ERR_DPOP_PROOF_INVALID', reason: 'missing' });
    const stranger = await tokenEndpoint.verify({ proof: await proofFor(other), method: 'POST', url: '/token' });
    expect(await failure(refresh.redeem(refreshToken, { jkt: stranger.jkt }))).toMatchObject({ code: 'ERR_DPOP_KEY_MISMATCH' });
    const again = await tokenEndpoint.verify({ proof: await proofFor(client), method: 'POST', url: '/token' });
    const redeemed = await refresh.redeem(refreshToken, { jkt: again.jkt });
    // The successor stays bound to the same key.
    expect(await failure(refresh.redeem(redeemed.refreshToken, { jkt: stranger.jkt }))).toMatchObject({ code: 'ERR_DPOP_KEY_MISMATCH' });
    await expect(refresh.redeem(redeemed.refreshToken, { jkt: again.jkt })).resolves.toMatchObject({ claims: { sub: 'alice', cnf: { jkt: login.jkt } } });
  });

  it('leaves a Bearer login\'s refresh tokens unbound', async () => {
    const refresh = createRefreshTokens({ issuer });
    const { refreshToken } = await refresh.issue({ sub: 'bob' });
    await expect(refresh.redeem(refreshToken)).resolves.toMatchObject({ claims: { sub: 'bob' } });
  });
});
