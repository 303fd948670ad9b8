// Keys as the commands take them: from a file (`--key`) or an environment variable
// (`--key-env`), as a JWK, a PEM, or an HMAC secret, turned into what the core's issuer and
// verifier accept. The core does every check (weak secrets, small RSA keys, curves, algorithms).

import { importSigningKey, publicJwk, type AsymmetricAlgorithm, type HmacAlgorithm, type JWK, type SigningKey } from '@jwt-gate/core';
import { readEnv, readText } from './io.js';
import { CliError } from './output.js';

/** Where a key comes from, as the flags name it. */
export interface KeyFlags {
  key?: string;
  keyEnv?: string;
}

/** A key read and recognised, not yet checked by the core. */
export type KeyMaterial =
  | { readonly kind: 'secret'; readonly bytes: Uint8Array; readonly kid: string | undefined; readonly alg: string | undefined }
  | { readonly kind: 'private-jwk'; readonly jwk: JWK }
  | { readonly kind: 'private-pem'; readonly pem: string }
  | { readonly kind: 'public-jwk'; readonly jwk: JWK }
  | { readonly kind: 'public-pem'; readonly pem: string }
  | { readonly kind: 'jwks'; readonly jwks: { keys: JWK[] } };

// JWK members that only a private or symmetric key has (RFC 7518 §6).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** True for a JWK holding private or symmetric key material. */
export const hasPrivateMembers = (jwk: object): boolean => PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name));

/**
 * Recognises a key's text: JSON is a JWK (or a JWKS), a PEM is a private or public key, and
 * anything else is an HMAC secret (its UTF-8 bytes; from a file, without the final newline).
 */
export function recognise(text: string, source: string, fromFile: boolean): KeyMaterial {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new CliError(`${source} looks like JSON but does not parse`);
    }
    const object = value as Record<string, unknown>;
    if (Array.isArray(object['keys'])) return { kind: 'jwks', jwks: object as unknown as { keys: JWK[] } };
    if (typeof object['kty'] !== 'string') throw new CliError(`${source} is JSON but not a JWK (no kty)`);
    const jwk = object as JWK;
    if (jwk.kty === 'oct') {
      if (typeof jwk.k !== 'string') throw new CliError(`${source} is an oct JWK without k`);
      return { kind: 'secret', bytes: Buffer.from(jwk.k, 'base64url'), kid: jwk.kid, alg: jwk.alg };
    }
    return hasPrivateMembers(jwk) ? { kind: 'private-jwk', jwk } : { kind: 'public-jwk', jwk };
  }
  if (trimmed.startsWith('-----BEGIN')) {
    // A PEM kept in one environment-variable line often has its newlines written as \n.
    if (!trimmed.includes('\n') && trimmed.includes('\\n')) return recognise(trimmed.replaceAll('\\n', '\n'), source, fromFile);
    return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed) ? { kind: 'private-pem', pem: trimmed } : { kind: 'public-pem', pem: trimmed };
  }
  const secret = fromFile ? text.replace(/\r?\n$/, '') : text;
  return { kind: 'secret', bytes: new TextEncoder().encode(secret), kid: undefined, alg: undefined };
}

/** The key named by `--key FILE` or `--key-env NAME`; exactly one is required. */
export function readKey(flags: KeyFlags): KeyMaterial {
  if (flags.key !== undefined && flags.keyEnv !== undefined) throw new CliError('give --key or --key-env, not both');
  if (flags.key !== undefined) return recognise(readText(flags.key, 'key file'), flags.key, true);
  if (flags.keyEnv !== undefined) return recognise(readEnv(flags.keyEnv), `$${flags.keyEnv}`, false);
  throw new CliError('a key is required: --key FILE or --key-env NAME');
}

/**
 * Runs a core call that checks configuration: its TypeError or RangeError (which says what to
 * fix and never holds key material) becomes a usage error prefixed with `source`, a path or a
 * variable name.
 */
export async function coreConfig<T>(source: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new CliError(`${source}: ${error.message}`);
    throw error;
  }
}

/** A private key imported through the core, bound to one algorithm. */
export function importPrivate(material: KeyMaterial & { kind: 'private-jwk' | 'private-pem' }, source: string, options: { alg?: string; kid?: string }): Promise<SigningKey> {
  const input = material.kind === 'private-jwk' ? material.jwk : material.pem;
  return coreConfig(source, () =>
    importSigningKey(input, {
      ...(options.alg === undefined ? {} : { algorithm: options.alg as AsymmetricAlgorithm }),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    }),
  );
}

/** What a signer needs: a signing key (asymmetric) or a secret with its algorithm and kid. */
export type Signer =
  | { readonly kind: 'private'; readonly key: SigningKey }
  | { readonly kind: 'secret'; readonly bytes: Uint8Array; readonly kid: string | undefined; readonly alg: HmacAlgorithm | undefined };

/** The signing key of `sign`: a private key or a secret, never a public key. */
export async function signerFrom(material: KeyMaterial, source: string, options: { alg?: string; kid?: string }): Promise<Signer> {
  switch (material.kind) {
    case 'secret':
      return { kind: 'secret', bytes: material.bytes, kid: options.kid ?? material.kid, alg: (options.alg ?? material.alg) as HmacAlgorithm | undefined };
    case 'private-jwk':
    case 'private-pem':
      return { kind: 'private', key: await importPrivate(material, source, options) };
    default:
      throw new CliError(`${source} is a public key or key set; signing needs the private key (or an HMAC secret)`);
  }
}

/** The public half, as a JWK: from a public JWK or PEM as given, or from a private key. */
export async function publicJwkFrom(material: KeyMaterial, source: string): Promise<JWK> {
  switch (material.kind) {
    case 'public-jwk':
      return material.jwk;
    case 'private-jwk':
      return coreConfig(source, () => publicJwk(material.jwk));
    case 'private-pem':
      return (await importPrivate(material, source, {})).publicJwk;
    case 'public-pem': {
      const { createPublicKey } = await import('node:crypto');
      try {
        return createPublicKey(material.pem).export({ format: 'jwk' }) as JWK;
      } catch {
        throw new CliError(`${source}: not a public key PEM this command can read (SPKI "PUBLIC KEY" or "CERTIFICATE")`);
      }
    }
    case 'secret':
      throw new CliError(`${source} is an HMAC secret: it has no public part and must never be published`);
    default:
      throw new CliError(`${source} is a key set; give one key`);
  }
}
