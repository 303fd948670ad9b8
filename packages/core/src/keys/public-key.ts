// Turning what users configure (secrets, PEM, certificates, JWKs, CryptoKeys, KeyObjects) into
// validated key descriptors, synchronously, so that every configuration mistake is a TypeError
// when the verifier or issuer is created.

import type { JWK } from 'jose';
import type { Algorithm, KeyFamily } from '../jose/algorithms.js';
import { ALGORITHMS, ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, MIN_RSA_BITS, ecAlgorithmFor } from '../jose/algorithms.js';
import { decodeBase64url } from '../jose/base64url.js';
import type { KeyMaterial, KeyObjectLike } from '../crypto/backend.js';
import { inspectCertificate, inspectSpki, pemBody, type SpkiInfo } from './der.js';
import { checkKid, isBytes, isCryptoKey, isJwk, isKeyObject, unsignedBits } from './key-forms.js';

/** A validated key: what it is, which algorithms it can serve, and its material. */
export interface KeyDescriptor {
  readonly kid: string | undefined;
  readonly family: KeyFamily;
  /** Every algorithm this key can technically serve (its type, curve and size allow it). */
  readonly algorithms: readonly Algorithm[];
  /** The algorithm to assume when the user lists none. */
  readonly defaultAlgorithms: readonly Algorithm[];
  readonly material: KeyMaterial;
}

/** An HMAC secret: a string (its UTF-8 bytes) or bytes, optionally with a `kid`. */
export type SecretInput = string | Uint8Array | { readonly kid?: string; readonly key: string | Uint8Array };

/**
 * A public key: PEM (SPKI `PUBLIC KEY` or an X.509 `CERTIFICATE`), a public JWK, a CryptoKey or
 * a node:crypto KeyObject, optionally with a `kid`.
 */
export type PublicKeyInput = string | JWK | CryptoKey | KeyObjectLike | { readonly kid?: string; readonly key: string | JWK | CryptoKey | KeyObjectLike };

const encoder = new TextEncoder();
const SECRET_HINT = 'Generate one with `openssl rand -base64 64` (or crypto.getRandomValues) and keep it out of source control.';

function looksLikePublicKey(text: string): boolean {
  if (text.includes('-----BEGIN')) return true;
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === 'object' && parsed !== null && ('kty' in parsed || 'keys' in parsed);
  } catch {
    return false;
  }
}

/** Validates an HMAC secret (RFC 7518 §3.2: at least the hash output in length). */
// Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
export function describeSecret(input: SecretInput, where = 'secret'): KeyDescriptor {
  const wrapped = typeof input === 'object' && !isBytes(input) ? input : undefined;
  const raw = wrapped === undefined ? input : wrapped.key;
  const kid = checkKid(wrapped?.kid, where);
  if (typeof raw !== 'string' && !isBytes(raw)) {
    // Stryker disable next-line StringLiteral: message text, not part of the contract: callers get the TypeError
    throw new TypeError(`${where} must be a string or a Uint8Array. ${SECRET_HINT}`);
  }
  // A public key handed over as an HMAC secret is the classic algorithm-confusion setup
  // (RFC 8725 §2.1): refuse it outright rather than ever MAC with public material.
  if (typeof raw === 'string' && looksLikePublicKey(raw)) {
    throw new TypeError(`${where} looks like a PEM or JWK key. Pass public keys as \`publicKey\` (or \`jwks\`), never as an HMAC secret.`);
  }
  const bytes = typeof raw === 'string' ? encoder.encode(raw) : new Uint8Array(raw);
  if (bytes.length < 32) {
    throw new TypeError(`${where} is ${bytes.length} bytes; HS256 needs at least 32 random bytes (HS384 48, HS512 64). ${SECRET_HINT}`);
  }
  const algorithms = HMAC_ALGORITHMS.filter((alg) => bytes.length >= ALGORITHMS[alg].hashBytes);
  return { kid, family: 'hmac', algorithms, defaultAlgorithms: ['HS256'], material: { kind: 'secret', bytes } };
}

function fromSpkiInfo(info: SpkiInfo | undefined, where: string): { family: KeyFamily; algorithms: readonly Algorithm[]; defaults: readonly Algorithm[] } {
  if (info === undefined) throw new TypeError(`${where}: could not read the key; expected an SPKI "PUBLIC KEY" or X.509 "CERTIFICATE" PEM`);
  switch (info.type) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = info.modulusBits ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new TypeError(`${where}: RSA key is ${bits} bits; RS*/PS* need at least ${MIN_RSA_BITS} bits (RFC 7518 §3.3). Issue a new key of 2048 bits or more.`);
      }
      const algorithms = ASYMMETRIC_ALGORITHMS.filter((alg) => ALGORITHMS[alg].family === 'rsa' && (info.type === 'rsa' || ALGORITHMS[alg].pss));
      return { family: 'rsa', algorithms, defaults: info.type === 'rsa' ? ['RS256'] : ['PS256'] };
    }
    case 'ec': {
      const alg = info.curve === undefined ? undefined : ecAlgorithmFor(info.curve);
      if (alg === undefined) throw new TypeError(`${where}: unsupported EC curve; use P-256, P-384 or P-521`);
      return { family: 'ec', algorithms: [alg], defaults: [alg] };
    }
    case 'ed25519':
      return { family: 'okp', algorithms: ['EdDSA', 'Ed25519'], defaults: ['EdDSA', 'Ed25519'] };
    default:
      throw new TypeError(`${where}: unsupported key type; use RSA (2048+ bits), EC P-256/P-384/P-521 or Ed25519`);
  }
}

/**
 * Validates a public JWK. With `strict`, problems throw; otherwise (keys fetched from a JWKS)
 * the reason is returned and the key is skipped.
 */
export function describeJwk(jwk: JWK, where: string, strict: boolean): KeyDescriptor | string {
  const fail = (reason: string): string => {
    if (strict) throw new TypeError(`${where}: ${reason}`);
    return reason;
  };
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) {
    return fail(jwk.kty === 'oct' ? 'symmetric (oct) keys are not accepted here; pass HMAC secrets as `secret`' : 'this JWK holds private key material; pass only the public key');
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') return fail('the key is not for signatures (use)');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return fail('the key is not for verification (key_ops)');
  }
  let kid: string | undefined;
  try {
    kid = checkKid(jwk.kid, where);
  } catch (error) {
    return fail((error as Error).message);
  }
  let family: KeyFamily;
  let algorithms: readonly Algorithm[];
  let defaults: readonly Algorithm[];
  if (jwk.kty === 'RSA') {
    const n = typeof jwk.n === 'string' ? decodeBase64url(jwk.n) : null;
    const e = typeof jwk.e === 'string' ? decodeBase64url(jwk.e) : null;
    if (n === null || e === null) return fail('invalid RSA JWK');
    const bits = unsignedBits(n);
    if (bits < MIN_RSA_BITS) return fail(`RSA key is ${bits} bits; at least ${MIN_RSA_BITS} are required (RFC 7518 §3.3)`);
    let exponent = 0;
    for (const byte of e) exponent = exponent * 256 + byte;
    if (exponent < 3 || exponent % 2 === 0) return fail('RSA public exponent must be odd and at least 3');
    family = 'rsa';
    algorithms = ASYMMETRIC_ALGORITHMS.filter((alg) => ALGORITHMS[alg].family === 'rsa');
    defaults = ['RS256'];
  } else if (jwk.kty === 'EC') {
    const alg = typeof jwk.crv === 'string' ? ecAlgorithmFor(jwk.crv) : undefined;
    if (alg === undefined || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return fail('invalid or unsupported EC JWK');
    family = 'ec';
    algorithms = [alg];
    defaults = [alg];
  } else if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') {
    family = 'okp';
    algorithms = ['EdDSA', 'Ed25519'];
    defaults = algorithms;
  } else {
    return fail('unsupported key type; use RSA, EC or OKP Ed25519');
  }
  // A JWK's own `alg` pins the key to exactly that algorithm (RFC 8725 §3.1).
  if (jwk.alg !== undefined) {
    if (!algorithms.includes(jwk.alg as Algorithm)) return fail('the JWK alg does not match its key type');
    algorithms = [jwk.alg as Algorithm];
    defaults = algorithms;
  }
  const { kty, crv, n, e, x, y } = jwk;
  const publicJwk = Object.fromEntries(Object.entries({ kty, crv, n, e, x, y }).filter(([, v]) => v !== undefined)) as JWK;
  return { kid, family, algorithms, defaultAlgorithms: defaults, material: { kind: 'jwk', jwk: publicJwk } };
}

function describeCryptoKey(key: CryptoKey, kid: string | undefined, where: string): KeyDescriptor {
  if (key.type !== 'public') throw new TypeError(`${where}: expected a public CryptoKey, got a ${key.type} key`);
  const a = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string; hash?: { name: string } };
  const material: KeyMaterial = { kind: 'crypto-key', key };
  if (a.name === 'RSASSA-PKCS1-v1_5' || a.name === 'RSA-PSS') {
    const info = fromSpkiInfo({ type: 'rsa', modulusBits: a.modulusLength ?? 0 }, where);
    const own = ASYMMETRIC_ALGORITHMS.filter(
      (alg) => ALGORITHMS[alg].family === 'rsa' && ALGORITHMS[alg].pss === (a.name === 'RSA-PSS') && ALGORITHMS[alg].hash === a.hash?.name,
    );
    return { kid, family: info.family, algorithms: key.extractable ? info.algorithms : own, defaultAlgorithms: own, material };
  }
  if (a.name === 'ECDSA') {
    const info = fromSpkiInfo({ type: 'ec', ...(a.namedCurve === undefined ? {} : { curve: a.namedCurve }) }, where);
    return { kid, family: info.family, algorithms: info.algorithms, defaultAlgorithms: info.defaults, material };
  }
  if (a.name === 'Ed25519') {
    return { kid, family: 'okp', algorithms: ['EdDSA', 'Ed25519'], defaultAlgorithms: ['EdDSA', 'Ed25519'], material };
  }
  throw new TypeError(`${where}: unsupported CryptoKey algorithm; use RSA, ECDSA or Ed25519`);
}

function describeKeyObject(key: KeyObjectLike, kid: string | undefined, where: string): KeyDescriptor {
  if (key.type !== 'public') throw new TypeError(`${where}: expected a public KeyObject, got a ${key.type} key`);
  const details = key.asymmetricKeyDetails;
  const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[details?.namedCurve ?? ''];
  const info = fromSpkiInfo(
    {
      type: key.asymmetricKeyType ?? '',
      ...(details?.modulusLength === undefined ? {} : { modulusBits: details.modulusLength }),
      ...(curve === undefined ? {} : { curve }),
    },
    where,
  );
  return { kid, family: info.family, algorithms: info.algorithms, defaultAlgorithms: info.defaults, material: { kind: 'key-object', key } };
}

/** Validates a public key given in any accepted form. */
export function describePublicKey(input: PublicKeyInput, where = 'publicKey'): KeyDescriptor {
  const wrapped =
    typeof input === 'object' && input !== null && 'key' in input && !isJwk(input) && !isCryptoKey(input) && !isKeyObject(input)
      ? (input as { kid?: string; key: string | JWK | CryptoKey | KeyObjectLike })
      : undefined;
  const raw = wrapped === undefined ? input : wrapped.key;
  const kid = checkKid(wrapped?.kid, where);
  if (typeof raw === 'string') {
    if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(raw)) {
      throw new TypeError(`${where} is a private key. Pass the public key (SPKI "PUBLIC KEY" PEM) to verify; private keys belong to createIssuer.`);
    }
    if (raw.includes('-----BEGIN RSA PUBLIC KEY-----')) {
      throw new TypeError(`${where} is a PKCS#1 RSA key; convert it to SPKI with \`openssl rsa -RSAPublicKey_in -pubout\`.`);
    }
    const cert = pemBody(raw, 'CERTIFICATE');
    if (cert !== undefined) {
      const info = fromSpkiInfo(inspectCertificate(cert), where);
      return { kid, family: info.family, algorithms: info.algorithms, defaultAlgorithms: info.defaults, material: { kind: 'x509', pem: raw.trim() } };
    }
    const spki = pemBody(raw, 'PUBLIC KEY');
    if (spki !== undefined) {
      const info = fromSpkiInfo(inspectSpki(spki), where);
      return { kid, family: info.family, algorithms: info.algorithms, defaultAlgorithms: info.defaults, material: { kind: 'spki', pem: raw.trim() } };
    }
    throw new TypeError(`${where} must be a PEM ("PUBLIC KEY" or "CERTIFICATE"), a JWK, a CryptoKey or a KeyObject. For HMAC use \`secret\`.`);
  }
  if (isCryptoKey(raw)) return describeCryptoKey(raw, kid, where);
  if (isKeyObject(raw)) return describeKeyObject(raw, kid, where);
  if (isJwk(raw)) {
    const described = describeJwk(raw, where, true) as KeyDescriptor;
    return kid === undefined ? described : { ...described, kid };
  }
  throw new TypeError(`${where} must be a PEM ("PUBLIC KEY" or "CERTIFICATE"), a JWK, a CryptoKey or a KeyObject.`);
}
