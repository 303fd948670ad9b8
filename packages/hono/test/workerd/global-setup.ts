// Runs in Node before the Workers tests: a JWKS server over HTTP, which the Worker fetches from
// inside workerd, a second one that fails, and the signing key the tests sign with (handed to
// the Worker as bindings and to the tests, through provide/inject).

import { createTestKey, startJwksServer } from '@jwt-gate/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    workerdKeys: { issuer: string; jwksUri: string; downIssuer: string; downJwksUri: string; privateJwk: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const key = await createTestKey('ES256');
  const keys = await startJwksServer({ keys: [key.publicJwk as never] });
  const down = await startJwksServer();
  down.behaviour = { kind: 'status', status: 500 };
  const privateJwk = { ...(await crypto.subtle.exportKey('jwk', key.privateKey as CryptoKey)), kid: key.kid, alg: key.alg };
  project.provide('workerdKeys', { issuer: keys.issuer, jwksUri: keys.jwksUri, downIssuer: down.issuer, downJwksUri: down.jwksUri, privateJwk: JSON.stringify(privateJwk) });
  return async () => {
    await keys.close();
    await down.close();
  };
}
