import type { Algorithm } from '../algorithms.js';
import { ALGORITHMS } from '../algorithms.js';
import type { KeyMaterial, KeyObjectLike, SignatureBackend } from './backend.js';

// The subset of node:crypto used here, typed locally so the core compiles without Node types.
interface NodeCrypto {
  createPublicKey(key: string | { key: unknown; format: 'jwk' }): KeyObjectLike;
  createHmac(digest: string, key: Uint8Array): { update(data: string, encoding: 'latin1'): { digest(encoding: 'base64url'): string } };
  verify(
    digest: string | null,
    data: Uint8Array,
    key: KeyObjectLike | { key: KeyObjectLike; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' },
    signature: Uint8Array,
  ): boolean;
  KeyObject: { from(key: CryptoKey): KeyObjectLike };
  constants: { RSA_PKCS1_PSS_PADDING: number };
}

interface NodeBuffer {
  from(value: string, encoding: 'base64url' | 'latin1'): Uint8Array & { toString(encoding: 'latin1' | 'utf8'): string };
  from(bytes: Uint8Array): Uint8Array;
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
  // HMAC keys stay raw bytes: createHmac is markedly faster with a Buffer than with a KeyObject.
  readonly key: Uint8Array | KeyObjectLike | { key: KeyObjectLike; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' };
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
        // constant time. Markedly faster than decoding and timingSafeEqual on buffers.
        return equalInConstantTime(crypto.createHmac(h.digest as string, h.key as Uint8Array).update(signingInput, 'latin1').digest('base64url'), signature);
      }
      const bytes = Buffer.from(signature, 'base64url');
      const expected = ALGORITHMS[alg].signatureBytes;
      if (expected !== undefined && bytes.length !== expected) return false;
      return crypto.verify(h.digest, Buffer.from(signingInput, 'latin1'), h.key as Exclude<NodeHandle['key'], Uint8Array>, bytes);
    },
    decodeText(segment: string): string {
      const bytes = Buffer.from(segment, 'base64url');
      if (isAscii(bytes)) return bytes.toString('latin1');
      if (!isUtf8(bytes)) throw new TypeError('invalid UTF-8');
      return bytes.toString('utf8');
    },
  };
}
