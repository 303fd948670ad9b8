// The examples' DPoP contract (RFC 9449), over HTTP against a real process, with proofs from an
// independent client (the `dpop` package): bound tokens from the token endpoints, DPoP requests
// to the protected routes, and the refusals of the contract.

import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startProcess, type RawResponse, type StartedProcess } from './process.js';

const SECRET = 'an-example-secret-of-at-least-32-bytes-xxxxxxxx';
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];

/**
 * A refusal of a DPoP request (401 by default; a route guard's 403): the Bearer challenge first
 * in its usual form, without the error, then `DPoP error="..."` with algs (RFC 9449 §7.1).
 */
export function expectDPoPRefusal(res: RawResponse, error = 'invalid_dpop_proof', status = 401): void {
  expect(res.status).toBe(status);
  const [bearer, dpop] = challengesOf(res);
  expect(bearer).not.toContain('error=');
  expect(dpop).toContain(`error="${error}"`);
  expect(dpop).toMatch(/algs="[A-Za-z0-9 ]+"/);
  expect(res.json()).toMatchObject({ error });
}

/** The two challenges of a DPoP resource's refusal, in order: `Bearer realm=...` and `DPoP realm=...`. */
function challengesOf(res: RawResponse): [string, string] {
  const challenge = res.headers['www-authenticate'] as string;
  const dpop = challenge.indexOf(', DPoP realm="');
  expect(challenge.startsWith('Bearer realm="')).toBe(true);
  expect(dpop).toBeGreaterThan(0);
  return [challenge.slice(0, dpop), challenge.slice(dpop + 2)];
}

/** HTTP calls with DPoP to one instance whose external URL is `externalUrl`. */
export function dpopClient(server: StartedProcess, externalUrl = server.baseUrl) {
  const proof = (key: KeyPair, method: string, path: string, token?: string) => generateProof(key, `${externalUrl}${path}`, method, undefined, token);
  const post = (path: string, body: unknown, headers: [string, string][] = []) =>
    rawRequest(`${server.baseUrl}${path}`, { method: 'POST', headers: [JSON_TYPE, ...headers], body: JSON.stringify(body) });
  return {
    proof,
    login: async (key: KeyPair | undefined, username: string, headers: [string, string][] = []) =>
      post('/login', { username, password: `${username}-password` }, key === undefined ? headers : [['dpop', await proof(key, 'POST', '/login')], ...headers]),
    refresh: async (key: KeyPair | undefined, refreshToken: string) =>
      post('/token/refresh', { grant_type: 'refresh_token', refresh_token: refreshToken }, key === undefined ? [] : [['dpop', await proof(key, 'POST', '/token/refresh')]]),
    get: (path: string, headers: [string, string][]) => rawRequest(`${server.baseUrl}${path}`, { headers }),
    call: async (key: KeyPair, path: string, token: string) => rawRequest(`${server.baseUrl}${path}`, { headers: [['authorization', `DPoP ${token}`], ['dpop', await proof(key, 'GET', path, token)]] }),
  };
}

/** The DPoP bullet of the examples' HTTP contract, on the example started from `cwd`. */
export function dpopContract({ name, cwd }: { name: string; cwd: string }): void {
  describe(`${name} example: DPoP`, () => {
    let server: StartedProcess;
    let key: KeyPair;
    let other: KeyPair;
    let jkt: string;
    let api: ReturnType<typeof dpopClient>;

    beforeAll(async () => {
      server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', 'src/server.ts'], cwd, env: { JWT_SECRET: SECRET } });
      api = dpopClient(server);
      key = await generateKeyPair('ES256');
      other = await generateKeyPair('ES256');
      jkt = await calculateThumbprint(key.publicKey);
    });
    afterAll(async () => {
      await server?.stop();
    });

    async function dpopLogin(username: string): Promise<{ access_token: string; refresh_token: string; token_type: string }> {
      const res = await api.login(key, username);
      expect(res.status).toBe(200);
      return res.json();
    }

    it('POST /login with a valid proof answers token_type DPoP and a token bound to the proof key; /me and /admin take it with fresh proofs', async () => {
      const alice = await dpopLogin('alice');
      expect(alice.token_type).toBe('DPoP');
      expect(decodeJwt(alice.access_token)).toMatchObject({ sub: 'alice', cnf: { jkt } });
      const me = await api.call(key, '/me', alice.access_token);
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ sub: 'alice', claims: { cnf: { jkt } } });
      expect((await api.call(key, '/admin', alice.access_token)).status).toBe(200);
      const bob = await dpopLogin('bob');
      // The route guard's refusal of a DPoP request carries the error in the DPoP challenge.
      expectDPoPRefusal(await api.call(key, '/admin', bob.access_token), 'insufficient_scope', 403);
    });

    it('a login without a proof still answers a Bearer token', async () => {
      const res = await api.login(undefined, 'bob');
      expect(res.json()).toMatchObject({ token_type: 'Bearer' });
      expect(decodeJwt(res.json<{ access_token: string }>().access_token).cnf).toBeUndefined();
    });

    it('a login or refresh with an invalid proof is 400 invalid_dpop_proof', async () => {
      const forAnotherUrl = await api.proof(key, 'POST', '/elsewhere');
      for (const headers of [[['dpop', forAnotherUrl]], [['dpop', 'not-a-proof']], [['dpop', await api.proof(key, 'GET', '/login')]]] as [string, string][][]) {
        const res = await rawRequest(`${server.baseUrl}/login`, { method: 'POST', headers: [JSON_TYPE, ...headers], body: JSON.stringify({ username: 'bob', password: 'bob-password' }) });
        expect(res.status).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+"/);
      }
      const { refresh_token: refreshToken } = await dpopLogin('bob');
      const res = await rawRequest(`${server.baseUrl}/token/refresh`, { method: 'POST', headers: [JSON_TYPE, ['dpop', forAnotherUrl]], body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }) });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    });

    it("a DPoP login's refresh token needs a proof of the same key: refused without one or with another key, then redeemed with it, bound again", async () => {
      const { refresh_token: refreshToken } = await dpopLogin('alice');
      const without = await api.refresh(undefined, refreshToken);
      expect(without.status).toBe(400);
      expect(without.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      const stranger = await api.refresh(other, refreshToken);
      expect(stranger.status).toBe(400);
      expect(stranger.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      const res = await api.refresh(key, refreshToken);
      expect(res.status).toBe(200);
      const next = res.json<{ access_token: string; token_type: string; refresh_token: string }>();
      expect(next.token_type).toBe('DPoP');
      expect(decodeJwt(next.access_token)).toMatchObject({ sub: 'alice', cnf: { jkt } });
      expect((await api.call(key, '/me', next.access_token)).status).toBe(200);
    });

    it('a bound token sent as Bearer is 401, its Bearer challenge first', async () => {
      const { access_token: token } = await dpopLogin('alice');
      const res = await api.get('/me', [['authorization', `Bearer ${token}`]]);
      expect(res.status).toBe(401);
      const [bearer, dpop] = challengesOf(res);
      expect(bearer).toContain(', error="invalid_token", error_description="');
      expect(dpop).not.toContain('error=');
      expect(dpop).toContain(', algs="');
      expect(res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('a replayed proof, a proof by another key and a proof for another route are 401 with DPoP error="invalid_dpop_proof"', async () => {
      const { access_token: token } = await dpopLogin('alice');
      const proof = await api.proof(key, 'GET', '/me', token);
      const headers: [string, string][] = [['authorization', `DPoP ${token}`], ['dpop', proof]];
      expect((await api.get('/me', headers)).status).toBe(200);
      expectDPoPRefusal(await api.get('/me', headers));
      expectDPoPRefusal(await api.call(other, '/me', token));
      expectDPoPRefusal(await api.get('/me', [['authorization', `DPoP ${token}`], ['dpop', await api.proof(key, 'GET', '/admin', token)]]));
      expectDPoPRefusal(await api.get('/me', [['authorization', `DPoP ${token}`]]));
    });
  });
}
