// Strict base64url (RFC 4648 §5, no padding, RFC 7515 §2): the alphabet is checked by the
// caller's format gate; here the length and the unused trailing bits must be canonical, so
// that one value has exactly one encoding (non-canonical variants feed token malleability).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** True when `segment` (already known to use only the base64url alphabet) is canonical. */
export function isCanonicalBase64url(segment: string): boolean {
  const rest = segment.length & 3;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = VALUES[segment.charCodeAt(segment.length - 1)] ?? -1;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/** Decodes a canonical base64url segment. Returns null for characters outside the alphabet. */
export function decodeBase64url(segment: string): Uint8Array | null {
  const length = segment.length;
  const out = new Uint8Array((length * 3) >> 2);
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = segment.charCodeAt(i);
    const value = code < 128 ? (VALUES[code] as number) : -1;
    if (value < 0) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 strictly (RFC 8725 §3.7): invalid sequences, overlong forms and lone
 * surrogates throw instead of turning into U+FFFD. ASCII, the common case, takes a fast path.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii && bytes.length < 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return utf8.decode(bytes);
}
