// Fault injection against real local key servers, beyond what keys/remote-jwks.test.ts and
// keys/discovery.test.ts cover: dropped and truncated answers, hostile bodies and metadata,
// oversized key sets. The adapters run the outage, flood, rotation and discovery scenarios
// through HTTP (the `faults` suite of @jwt-gate/testing).

import { createTestKey, signToken, startJwksServer, type JwksBehaviour, type JwksServer, type TestKey } from '@jwt-gate/testing';
import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../src/verification/verifier.js';

const audience = 'api';

describe('faults: remote keys and discovery', () => {
  let server: JwksServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function setup(keys: JWK[] = []): Promise<{ server: JwksServer; key: TestKey; token: (key?: TestKey) => Promise<string> }> {
    const key = await createTestKey('ES256');
    server = await startJwksServer({ keys: [key.publicJwk as JWK, ...keys] });
    const s = server;
    return { server: s, key, token: (signer = key) => signToken(signer, { iss: s.issuer, aud: audience }) };
  }

  const behaviours: [string, JwksBehaviour][] = [
    ['a dropped connection', { kind: 'drop' }],
    ['a body cut short', { kind: 'truncate' }],
    ['an HTML page', { kind: 'body', body: '<!doctype html><title>down</title>' }],
    ['an empty body', { kind: 'body', body: '' }],
    ['JSON null', { kind: 'body', body: 'null' }],
    ['a key list that is an object', { kind: 'body', body: '{"keys":{"kty":"EC"}}' }],
  ];
  for (const [what, behaviour] of behaviours) {
    it(`treats ${what} from the JWKS endpoint as an outage: 503, never an accept`, async () => {
      const { server, token } = await setup();
      server.behaviour = behaviour;
      const verifier = createVerifier({ issuer: server.issuer, audience, jwksUri: server.jwksUri });
      await expect(verifier.verify(await token())).rejects.toMatchObject({ name: 'AuthError', code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
    });
  }

  it('refuses every token of an issuer whose key set is empty or holds only unusable keys, without an error', async () => {
    const { server, key, token } = await setup();
    server.keys = [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: key.kid }, { ...(key.publicJwk as JWK), use: 'enc' }, { kty: 'EC', crv: 'P-256', kid: key.kid }];
    const verifier = createVerifier({ issuer: server.issuer, audience, jwksUri: server.jwksUri });
    await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND', status: 401 });
  });

  it('keeps at most 100 keys of a response: a key past the cap never verifies', async () => {
    const { server, token } = await setup();
    const filler = await createTestKey('ES256');
    const late = await createTestKey('ES256', { kid: 'late' });
    server.keys = [...Array.from({ length: 150 }, (_, i) => ({ ...(filler.publicJwk as JWK), kid: `filler-${i}` })), late.publicJwk as JWK];
    const verifier = createVerifier({ issuer: server.issuer, audience, jwksUri: server.jwksUri });
    await expect(verifier.verify(await token(late))).rejects.toMatchObject({ code: 'ERR_KEY_NOT_FOUND' });
    expect(server.total()).toBe(1);
  });

  const metadata: [string, (server: JwksServer) => string][] = [
    ['that is not JSON', () => '{"issuer":'],
    ['without a jwks_uri', (s) => JSON.stringify({ issuer: s.issuer })],
    ['naming the issuer in a list', (s) => JSON.stringify({ issuer: [s.issuer], jwks_uri: s.jwksUri })],
    ['naming the issuer with a trailing slash', (s) => JSON.stringify({ issuer: `${s.issuer}/`, jwks_uri: s.jwksUri })],
    ['naming the issuer in upper case', (s) => JSON.stringify({ issuer: s.issuer.toUpperCase(), jwks_uri: s.jwksUri })],
    ['with a file: jwks_uri', (s) => JSON.stringify({ issuer: s.issuer, jwks_uri: 'file:///etc/jwks.json' })],
    ['with a jwks_uri that is not a string', (s) => JSON.stringify({ issuer: s.issuer, jwks_uri: [s.jwksUri] })],
    ['that is a list', (s) => JSON.stringify([{ issuer: s.issuer, jwks_uri: s.jwksUri }])],
  ];
  for (const [what, document] of metadata) {
    it(`takes no keys from issuer metadata ${what}: 503, and no key set is fetched`, async () => {
      const { server, token } = await setup();
      server.metadata = document(server);
      const verifier = createVerifier({ issuer: server.issuer, audience, discovery: true });
      await expect(verifier.verify(await token())).rejects.toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', status: 503 });
      expect(server.hits.get('/jwks.json')).toBeUndefined();
    });
  }

  it('control: the same server with its own metadata serves keys', async () => {
    const { server, token } = await setup();
    server.metadata = JSON.stringify({ issuer: server.issuer, jwks_uri: server.jwksUri });
    await expect(createVerifier({ issuer: server.issuer, audience, discovery: true }).verify(await token())).resolves.toMatchObject({ issuer: server.issuer });
  });
});
