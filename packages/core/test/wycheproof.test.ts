// The Wycheproof JSON Web Signature and JSON Web Key vectors (C2SP/wycheproof, testvectors_v1,
// Apache-2.0; stored unmodified in packages/testing/fixtures/wycheproof) against the verifier, on
// each signature backend at hand (node:crypto and WebCrypto on Node, WebCrypto under Deno).
//
// Every vector runs. A `valid` one must verify and an `invalid` one must be refused (a TypeError
// or a failed ready() when its key is configured, or a 4xx AuthError when the token is verified),
// except where OVERRIDES says otherwise, and why. Each group's key is configured the way an
// application would hand it over: a public JWK or key set as `jwks`; symmetric (`oct`) keys as
// `secret`, with the JWK's `alg` as the allow-list, since jwt-gate takes HMAC keys only there.
//
// Wycheproof's payloads are arbitrary bytes ("foo", "Test", RFC 7520's prose) where a JWT has a
// JSON claim set, and the verifier refuses every one of them as malformed before the signature
// (the first test shows it). So the backend used for the vectors still decodes the payload
// segment strictly (canonical base64url, strict UTF-8), then reads it as the claims
// {"iss": ISSUER}. Everything else runs unchanged: the format gate, the header, the algorithm
// allow-list, key selection by kid, and the signature, checked over the original bytes.

import { fixture } from '@jwt-gate/testing';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAuthError, type AuthErrorCode } from '../src/errors/auth-error.js';
import { decodeBase64url } from '../src/jose/base64url.js';
import type { SignatureBackend } from '../src/crypto/backend.js';
import { createNodeBackend } from '../src/crypto/node.js';
import { createWebBackend } from '../src/crypto/web.js';
import { buildVerifier, createVerifier, type Algorithm, type Verifier, type VerifierOptions } from '../src/verification/verifier.js';

interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly flags?: readonly string[];
  readonly jws: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

type KeyOrSet = JWK | { readonly keys: readonly JWK[] };

interface Group {
  readonly comment?: string;
  readonly private?: KeyOrSet;
  readonly public?: KeyOrSet;
  readonly tests: readonly Vector[];
}

interface VectorFile {
  readonly numberOfTests: number;
  readonly testGroups: readonly Group[];
}

const FILES = {
  jws: JSON.parse(fixture('wycheproof/json_web_signature_test.json')) as VectorFile,
  jwk: JSON.parse(fixture('wycheproof/json_web_key_test.json')) as VectorFile,
} as const;
type FileName = keyof typeof FILES;

const ISSUER = 'https://wycheproof.example';
const CLAIMS = JSON.stringify({ iss: ISSUER });

type Expected = 'accepted' | 'refused' | 'configuration' | { readonly code: AuthErrorCode; readonly reason?: string };

/** Where jwt-gate's answer differs from the vector's `result`, and why. Keyed `file:tcId`. */
const OVERRIDES: Readonly<Record<string, { readonly expected: Expected; readonly why: string }>> = {
  ...Object.fromEntries(
    [259, 264, 268, 272, 320, 325].map((tcId) => [
      `jws:${tcId}`,
      {
        expected: { code: 'ERR_TOKEN_MALFORMED', reason: 'format' },
        why: 'emptyPayload: a valid JWS, but a JWT payload is a JSON claim set and cannot be empty; the format gate wants three non-empty segments (RFC 7519 §7.2)',
      },
    ]),
  ),
  ...Object.fromEntries(
    [263, 267, 271, 275, 323, 328].map((tcId) => [
      `jws:${tcId}`,
      {
        expected: { code: 'ERR_TOKEN_MALFORMED', reason: 'payload_utf8' },
        why: 'normalPayload: the payload is bytes 0xE0..0xFF, not UTF-8; a JWT claim set is UTF-8 JSON, decoded strictly (RFC 7519 §7.2, RFC 8725 §3.7)',
      },
    ]),
  ),
  'jws:346': {
    expected: { code: 'ERR_ALGORITHM_NOT_ALLOWED' },
    why: 'RFC 7520 Figure 20 is PS384, but the key Wycheproof gives it says "alg": "PS256"; a JWK alg pins its key (RFC 8725 §3.1), as the file itself demands in tcIds 332-340',
  },
  'jws:350': { expected: { code: 'ERR_ALGORITHM_NOT_ALLOWED' }, why: 'as tcId 346, the key also carrying key_ops ["verify"]' },
  'jws:347': {
    expected: 'configuration',
    why: 'RFC 7520 Figure 27 is ES512, but its key says "alg": "ES521", which is no JWS algorithm: the set\'s only key is unusable, so the configuration is refused',
  },
  'jws:351': { expected: 'configuration', why: 'as tcId 347, the key also carrying key_ops ["verify"]' },
  'jws:367': {
    expected: 'accepted',
    why: 'invalidBase64Padding: the padding the name promises is not in the data; the token is byte-identical to tcId 357 (ValidMac), canonical and correctly MACed',
  },
  'jws:370': { expected: 'accepted', why: 'invalidBase64PaddingInPayload: byte-identical to tcId 357 (ValidMac), as tcId 367' },
  'jws:372': {
    expected: { code: 'ERR_TOKEN_MALFORMED', reason: 'format' },
    why: 'a "?" inside the header segment: outside the base64url alphabet (RFC 7515 §2); a decoder that skips it makes tokens malleable, so the strict format gate refuses it',
  },
  'jws:373': { expected: { code: 'ERR_TOKEN_MALFORMED', reason: 'format' }, why: 'a "?" inside the payload segment, as tcId 372' },
  'jwk:7': {
    expected: 'accepted',
    why: 'a 2048-bit RSA key with the ROCA fingerprint (CVE-2017-15361): jwt-gate checks RSA size and exponent, not this fingerprint; keys come from configuration or the trusted issuer, whose weak key is its own compromise, not a token\'s',
  },
};

type Outcome =
  | { readonly kind: 'accepted' }
  /** createVerifier threw a TypeError, or ready() rejected and verify answered ERR_CONFIG_INVALID. */
  | { readonly kind: 'configuration'; readonly message: string }
  | { readonly kind: 'refused'; readonly code: AuthErrorCode; readonly reason: string | undefined; readonly status: number };

function keysOf(group: Group): JWK[] {
  const held = group.public ?? group.private;
  if (held === undefined) throw new Error(`group ${group.comment ?? ''} holds no key`);
  return 'keys' in held ? [...held.keys] : [held as JWK];
}

/** The verifier options an application would write for this group's keys. */
function optionsFor(group: Group): VerifierOptions {
  const common = { issuer: ISSUER, audience: null, requireExpiration: false, tokenCache: false } as const;
  const keys = keysOf(group);
  if (keys.every((key) => key.kty === 'oct')) {
    const algorithms = [...new Set(keys.flatMap((key) => (key.alg === undefined ? [] : [key.alg as Algorithm])))];
    return {
      ...common,
      secret: keys.map((key) => ({ ...(key.kid === undefined ? {} : { kid: key.kid }), key: decodeBase64url(key.k ?? '') ?? new Uint8Array(0) })),
      ...(algorithms.length === 0 ? {} : { algorithms }),
    };
  }
  return { ...common, jwks: { keys } };
}

/** The backend, reading the payload segment in hand as the claims {"iss": ISSUER} once strictly decoded. */
function claimsReading(backend: SignatureBackend, payload: () => string | undefined): SignatureBackend {
  return {
    name: backend.name,
    prepare: (material, alg) => backend.prepare(material, alg),
    verify: (alg, handle, input, signature) => backend.verify(alg, handle, input, signature),
    decodeText(segment) {
      const text = backend.decodeText(segment);
      return segment === payload() ? CLAIMS : text;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<Outcome> {
  try {
    await promise;
    return { kind: 'accepted' };
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return { kind: 'refused', code: error.code, reason: error.reason, status: error.status };
  }
}

/** Every vector of a group, verified with the group's keys on one backend. */
async function runGroup(group: Group, backend: SignatureBackend): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  let payload: string | undefined;
  let verifier: Verifier;
  try {
    verifier = buildVerifier(optionsFor(group), claimsReading(backend, () => payload));
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    for (const vector of group.tests) outcomes.set(vector.tcId, { kind: 'configuration', message: error.message });
    return outcomes;
  }
  const notReady = await verifier.ready().then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  for (const vector of group.tests) {
    const [header, body] = vector.jws.split('.');
    // Only the payload is read as claims; a header segment equal to it stays a header.
    payload = body !== undefined && body !== header ? body : undefined;
    const outcome = await refusal(verifier.verify(vector.jws));
    // Keys that fail to import make every verification a 500 (misconfigured), never an acceptance.
    if (notReady !== undefined && outcome.kind === 'refused' && outcome.code === 'ERR_CONFIG_INVALID') {
      outcomes.set(vector.tcId, { kind: 'configuration', message: notReady });
    } else {
      outcomes.set(vector.tcId, outcome);
    }
  }
  return outcomes;
}

function expectationOf(file: FileName, vector: Vector): Expected {
  const override = OVERRIDES[`${file}:${vector.tcId}`];
  if (override !== undefined) return override.expected;
  return vector.result === 'valid' ? 'accepted' : 'refused';
}

function checkOutcome(outcome: Outcome | undefined, expected: Expected): void {
  expect(outcome).toBeDefined();
  if (expected === 'accepted') {
    expect(outcome).toEqual({ kind: 'accepted' });
  } else if (expected === 'configuration') {
    expect(outcome?.kind).toBe('configuration');
  } else if (expected === 'refused') {
    expect(outcome?.kind).not.toBe('accepted');
    // A refused token is the client's fault (401), never a 5xx; only a refused key may be a 500.
    if (outcome?.kind === 'refused') expect(outcome.status).toBe(401);
  } else {
    expect(outcome).toMatchObject({ kind: 'refused', status: 401, code: expected.code, ...(expected.reason === undefined ? {} : { reason: expected.reason }) });
  }
}

function vectorsOf(file: FileName): Vector[] {
  return FILES[file].testGroups.flatMap((group) => group.tests);
}

const backends = [createNodeBackend(), createWebBackend()].filter((b): b is SignatureBackend => b !== undefined);

describe('Wycheproof vectors: the data', () => {
  it('holds both files whole: 401 JSON Web Signature and 26 JSON Web Key vectors, unique tcIds, compact tokens', () => {
    for (const [file, count] of [['jws', 401], ['jwk', 26]] as const) {
      const vectors = vectorsOf(file);
      expect(FILES[file].numberOfTests).toBe(count);
      expect(vectors.map((v) => v.tcId)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      for (const vector of vectors) expect(typeof vector.jws).toBe('string');
    }
  });

  it('overrides only vectors that exist, each one changing the verdict its result asks for', () => {
    for (const [key, override] of Object.entries(OVERRIDES)) {
      const [file, id] = key.split(':') as [FileName, string];
      const vector = vectorsOf(file).find((v) => v.tcId === Number(id));
      expect(vector, key).toBeDefined();
      expect(override.why.length, key).toBeGreaterThan(20);
      const asked = vector?.result === 'valid' ? 'accepted' : 'refused';
      expect(override.expected === 'accepted' ? 'accepted' : 'refused', key).not.toBe(asked);
    }
  });

  it('tcIds 367 and 370 are byte-identical to the valid tcId 357', () => {
    const byId = new Map(vectorsOf('jws').map((v) => [v.tcId, v.jws]));
    expect(byId.get(367)).toBe(byId.get(357));
    expect(byId.get(370)).toBe(byId.get(357));
  });

  it('through createVerifier as it ships, no vector is accepted: their payloads are not claim sets', async () => {
    for (const file of ['jws', 'jwk'] as const) {
      for (const group of FILES[file].testGroups) {
        let verifier: Verifier;
        try {
          verifier = createVerifier(optionsFor(group));
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          continue;
        }
        for (const vector of group.tests) {
          const outcome = await refusal(verifier.verify(vector.jws));
          expect(outcome.kind, `${file}:${vector.tcId}`).toBe('refused');
          if (outcome.kind === 'refused' && outcome.code !== 'ERR_CONFIG_INVALID') expect(outcome.status).toBe(401);
        }
      }
    }
  });
});

for (const backend of backends) {
  for (const [file, title] of [['jws', 'JSON Web Signature'], ['jwk', 'JSON Web Key']] as const) {
    describe(`Wycheproof ${title} vectors (${backend.name})`, () => {
      FILES[file].testGroups.forEach((group, index) => {
        describe(`group ${index}: ${group.comment ?? ''}`, () => {
          let outcomes: Map<number, Outcome>;
          beforeAll(async () => {
            outcomes = await runGroup(group, backend);
          });
          it.each(group.tests.map((vector) => ({ ...vector, expected: expectationOf(file, vector) })))(
            'tcId $tcId $comment ($result)',
            (vector) => {
              checkOutcome(outcomes.get(vector.tcId), vector.expected);
            },
          );
        });
      });
    });
  }
}
