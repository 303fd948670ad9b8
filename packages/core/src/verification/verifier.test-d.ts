import { describe, expectTypeOf, it } from 'vitest';
import { createVerifier, type VerifierOptions } from '../index.js';

declare const secret: string;
declare const maybeSecret: string | undefined;
const issuer = 'https://auth.example.com';

describe('createVerifier options, as the compiler sees them', () => {
  it('takes one issuer with its audience and exactly one key source', () => {
    createVerifier({ issuer, audience: 'api', secret });
    createVerifier({ issuer, audience: ['api', 'admin'], jwksUri: `${issuer}/jwks.json` });
    createVerifier({ issuer, audience: null, discovery: true });
    createVerifier({ issuer: null, audience: 'api', secret });
    // @ts-expect-error no key source
    createVerifier({ issuer, audience: 'api' });
    // @ts-expect-error two key sources
    createVerifier({ issuer, audience: 'api', secret, jwksUri: `${issuer}/jwks.json` });
    // @ts-expect-error a secret that may be undefined (an unset environment variable)
    createVerifier({ issuer, audience: 'api', secret: maybeSecret });
  });

  it('requires the audience of a single issuer, null being the deliberate opt-out', () => {
    // @ts-expect-error audience left out
    createVerifier({ issuer, secret });
    expectTypeOf<{ issuer: string; audience: null; secret: string }>().toExtend<VerifierOptions>();
  });

  it('requires an issuer, a list of issuers, or a resolver, and never two of them', () => {
    // @ts-expect-error no issuer
    createVerifier({ audience: 'api', secret });
    createVerifier({ audience: 'api', issuers: [{ issuer, secret }, { issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/jwks' }] });
    createVerifier({ audience: 'api', resolveIssuer: async (iss) => (iss.startsWith('https://') ? { jwksUri: `${iss}/jwks.json` } : null) });
    // @ts-expect-error issuers beside the single-issuer fields
    createVerifier({ issuer, audience: 'api', secret, issuers: [{ issuer, secret }] });
    // @ts-expect-error an issuers entry without a key source
    createVerifier({ audience: 'api', issuers: [{ issuer }] });
  });
});
