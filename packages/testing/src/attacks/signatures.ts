// Signature surgery for the attack cases: ECDSA and EdDSA malleability, DER re-encoding,
// and the "psychic signature" values (CVE-2022-21449).

import { b64url } from '../keys.js';
import { fromB64url } from './fixture.js';

/** The order n of P-256. */
export const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** The order L of the Ed25519 base point. */
export const ED25519_ORDER = (1n << 252n) + BigInt('27742317777372353535851937790883648493');

function toBig(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function fromBig(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/** The token with its signature segment replaced. */
export function withSignature(token: string, signature: Uint8Array | string): string {
  const head = token.slice(0, token.lastIndexOf('.'));
  return `${head}.${typeof signature === 'string' ? signature : b64url(signature)}`;
}

/** The raw signature bytes of a compact token. */
export function signatureOf(token: string): Uint8Array {
  return fromB64url(token.slice(token.lastIndexOf('.') + 1));
}

/** An ES256 R||S signature of two integers. */
export function es256Signature(r: bigint, s: bigint): Uint8Array {
  return Uint8Array.from([...fromBig(r, 32), ...fromBig(s, 32)]);
}

/** The other valid ES256 signature of the same message: (r, n - s). */
export function ecdsaTwin(token: string): string {
  const signature = signatureOf(token);
  const r = toBig(signature.subarray(0, 32));
  const s = toBig(signature.subarray(32));
  return withSignature(token, es256Signature(r, P256_ORDER - s));
}

/** The ES256 signature of a token, DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`) as JWS forbids. */
export function ecdsaDer(token: string): string {
  const signature = signatureOf(token);
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = [...bytes.subarray(start)];
    if ((body[0] as number) & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const content = [...integer(signature.subarray(0, 32)), ...integer(signature.subarray(32))];
  return withSignature(token, Uint8Array.from([0x30, content.length, ...content]));
}

/** An Ed25519 signature with S replaced by S + L: the same point equation, a non-canonical scalar. */
export function ed25519Twin(token: string): string {
  const signature = signatureOf(token);
  const s = signature.subarray(32);
  let value = 0n;
  for (let i = s.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(s[i] as number);
  value += ED25519_ORDER;
  const out = new Uint8Array(64);
  out.set(signature.subarray(0, 32));
  for (let i = 0; i < 32; i++) {
    out[32 + i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return withSignature(token, out);
}

/** A base64url segment whose last character is changed in its unused low bits only: the same bytes, a different string. */
export function nonCanonical(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unused = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0;
  if (unused === 0) throw new RangeError('this segment has no unused bits');
  const last = alphabet.indexOf(segment[segment.length - 1] as string);
  return segment.slice(0, -1) + alphabet[last | 1];
}
