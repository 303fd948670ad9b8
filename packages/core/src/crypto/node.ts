import type { Algorithm } from '../jose/algorithms.js';
import { ALGORITHMS } from '../jose/algorithms.js';
import { decodeBase64urlInPlace } from '../jose/base64url.js';
import type { KeyMaterial, KeyObjectLike, SignatureBackend } from './backend.js';

type PublicKeyInput = KeyObjectLike | { key: KeyObjectLike; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };

// The subset of node:crypto used here, typed locally so the core compiles without Node types.
interface NodeCrypto {
  createPublicKey(key: string | { key: unknown; format: 'jwk' }): KeyObjectLike;
  createHmac(digest: string, key: Uint8Array): { update(data: string, encoding: 'latin1'): { digest(encoding: 'base64url'): string } };
  createVerify(digest: string): { update(data: string, encoding: 'latin1'): { verify(key: PublicKeyInput, signature: Uint8Array): boolean } };
  verify(
    digest: string | null,
    data: Uint8Array,
    key: PublicKeyInput,
    signature: Uint8Array,
  ): boolean;
  KeyObject: { from(key: CryptoKey): KeyObjectLike };
  constants: { RSA_PKCS1_PSS_PADDING: number };
}

type NodeBufferInstance = Uint8Array & {
  write(value: string, offset: number, encoding: 'latin1' | 'utf8'): number;
  toString(encoding: 'latin1' | 'utf8', start: number, end: number): string;
};

interface NodeBuffer {
  from(bytes: Uint8Array): Uint8Array;
  allocUnsafeSlow(size: number): NodeBufferInstance;
}

interface NodeRuntime {
  crypto: NodeCrypto;
  Buffer: NodeBuffer;
  isAscii(bytes: Uint8Array): boolean;
  isUtf8(bytes: Uint8Array): boolean;
}

let runtime: NodeRuntime | null | undefined;

/**
 * node:crypto and Buffer, when this is Node itself. Reached through `process.getBuiltinModule`
 * (Node >= 20.16) rather than an import, so nothing on the shared path names a `node:` module:
 * Workers, Deno and browsers never see it. Bun and Deno emulate node:crypto; WebCrypto is the
 * safer choice there.
 */
function nodeRuntime(): NodeRuntime | undefined {
  if (runtime !== undefined) return runtime ?? undefined;
  runtime = null;
  const g = globalThis as Record<string, unknown>;
  const proc = g['process'] as
    | { release?: { name?: string }; getBuiltinModule?: (id: string) => unknown }
    | undefined;
  const agent = (g['navigator'] as { userAgent?: string } | undefined)?.userAgent;
  if (proc?.release?.name !== 'node' || typeof proc.getBuiltinModule !== 'function') return undefined;
  if ('Bun' in g || 'Deno' in g || agent === 'Cloudflare-Workers') return undefined;
  try {
    const crypto = proc.getBuiltinModule('node:crypto') as NodeCrypto | undefined;
    const buffer = proc.getBuiltinModule('node:buffer') as Omit<NodeRuntime, 'crypto'> | undefined;
    if (crypto?.KeyObject !== undefined && buffer?.Buffer !== undefined && typeof buffer.isUtf8 === 'function' && typeof buffer.isAscii === 'function') {
      runtime = { crypto, Buffer: buffer.Buffer, isAscii: buffer.isAscii, isUtf8: buffer.isUtf8 };
    }
  } catch {
    runtime = null;
  }
  return runtime ?? undefined;
}

function keyObject(crypto: NodeCrypto, material: KeyMaterial): KeyObjectLike {
  switch (material.kind) {
    case 'secret':
      throw new TypeError('a secret is not a public key');
    case 'spki':
    case 'x509':
      return crypto.createPublicKey(material.pem);
    case 'jwk':
      return crypto.createPublicKey({ key: material.jwk, format: 'jwk' });
    case 'crypto-key':
      return crypto.KeyObject.from(material.key);
    case 'key-object':
      return material.key;
  }
}

interface NodeHandle {
  // HMAC keys stay raw bytes: createHmac is cheaper with a Buffer than with a KeyObject.
  readonly key: Uint8Array | PublicKeyInput;
  /** The hash of RSA, ECDSA and HMAC; null for Ed25519, which hashes internally. */
  readonly digest: string | null;
  readonly hmac: boolean;
}

/** Equal strings, compared in time that depends on their length only. */
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Creates the node:crypto backend, or undefined off Node. */
export function createNodeBackend(): SignatureBackend | undefined {
  const node = nodeRuntime();
  if (node === undefined) return undefined;
  const { crypto, Buffer, isAscii, isUtf8 } = node;
  // One reusable buffer for decoding (every use is synchronous and copies out what it keeps);
  // an unusually large token, under a raised maxTokenSize, gets a buffer of its own instead.
  let shared = Buffer.allocUnsafeSlow(4096);
  const scratch = (size: number): NodeBufferInstance => {
    if (size <= shared.length) return shared;
    if (size > 65536) return Buffer.allocUnsafeSlow(size);
    shared = Buffer.allocUnsafeSlow(65536);
    return shared;
  };
  // Copies the segment's characters into `buffer` and decodes them there. A character outside
  // ASCII takes more than one UTF-8 byte, so a length that differs means it is not base64url.
  const decodeInto = (buffer: NodeBufferInstance, segment: string): number => {
    const written = buffer.write(segment, 0, 'utf8');
    return written === segment.length ? decodeBase64urlInPlace(buffer, written) : -1;
  };
  return {
    name: 'node',
    prepare(material: KeyMaterial, alg: Algorithm): NodeHandle {
      const info = ALGORITHMS[alg];
      if (info.family === 'hmac') {
        if (material.kind !== 'secret') throw new TypeError(`${alg} needs a secret key`);
        return { key: Buffer.from(material.bytes), digest: info.digest ?? null, hmac: true };
      }
      const key = keyObject(crypto, material);
      if (key.type !== 'public') throw new TypeError(`${alg} needs a public key`);
      const type = key.asymmetricKeyType;
      if (info.family === 'rsa') {
        if (type !== 'rsa' && !(info.pss && type === 'rsa-pss')) throw new TypeError(`${alg} needs an RSA key`);
        return {
          key: info.pss ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: info.hashBytes } : key,
          digest: info.digest ?? null,
          hmac: false,
        };
      }
      if (info.family === 'ec') {
        const curve = key.asymmetricKeyDetails?.namedCurve;
        const expected = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }[info.curve as string];
        if (type !== 'ec' || curve !== expected) throw new TypeError(`${alg} needs an EC ${info.curve} key`);
        return { key: { key, dsaEncoding: 'ieee-p1363' }, digest: info.digest ?? null, hmac: false };
      }
      if (type !== 'ed25519') throw new TypeError(`${alg} needs an Ed25519 key`);
      return { key, digest: null, hmac: false };
    },
    verify(alg: Algorithm, handle: unknown, signingInput: string, signature: string): boolean {
      const h = handle as NodeHandle;
      if (h.hmac) {
        // Both sides canonical base64url, so equal strings mean equal MACs; compared in
        // constant time, without decoding to buffers for timingSafeEqual.
        return equalInConstantTime(crypto.createHmac(h.digest as string, h.key as Uint8Array).update(signingInput, 'latin1').digest('base64url'), signature);
      }
      const key = h.key as PublicKeyInput;
      const buffer = scratch(signature.length + signingInput.length);
      const length = decodeInto(buffer, signature);
      const expected = ALGORITHMS[alg].signatureBytes;
      if (length < 0 || (expected !== undefined && length !== expected)) return false;
      // RSA and ECDSA through a Verify object, which hashes the signing input straight from the
      // string, cheaper than the one-shot crypto.verify (see docs/performance.md). Ed25519 has
      // only the one-shot form; its signing input goes next to the signature in the scratch
      // buffer. Both are synchronous and keep nothing.
      if (h.digest !== null) return crypto.createVerify(h.digest).update(signingInput, 'latin1').verify(key, buffer.subarray(0, length));
      const end = length + buffer.write(signingInput, length, 'latin1');
      return crypto.verify(null, buffer.subarray(length, end), key, buffer.subarray(0, length));
    },
    decodeText(segment: string): string {
      const buffer = scratch(segment.length);
      const length = decodeInto(buffer, segment);
      if (length < 0) throw new TypeError('not base64url');
      const bytes = buffer.subarray(0, length);
      if (isAscii(bytes)) return buffer.toString('latin1', 0, length);
      if (!isUtf8(bytes)) throw new TypeError('invalid UTF-8');
      return buffer.toString('utf8', 0, length);
    },
  };
}
