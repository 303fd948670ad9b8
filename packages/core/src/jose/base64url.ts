// Strict base64url (RFC 4648 §5, no padding, RFC 7515 §2): the alphabet is checked by the
// caller's format gate; here the length and the unused trailing bits must be canonical, so
// that one value has exactly one encoding (non-canonical variants feed token malleability).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// The value of each byte in the alphabet; 255 for every other byte.
const VALUES = new Uint8Array(256).fill(255);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** True when `segment` (already known to use only the base64url alphabet) is canonical. */
export function isCanonicalBase64url(segment: string): boolean {
  const rest = segment.length & 3;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const code = segment.charCodeAt(segment.length - 1);
  const last = code < 256 ? (VALUES[code] as number) : 255;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

const encoder = new TextEncoder();

/** Decodes a canonical base64url segment. Returns null for characters outside the alphabet. */
export function decodeBase64url(segment: string): Uint8Array | null {
  const bytes = new Uint8Array(segment.length);
  const { read, written } = encoder.encodeInto(segment, bytes);
  if (read !== segment.length || written !== segment.length) return null; // not ASCII
  const length = decodeBase64urlInPlace(bytes, written);
  return length < 0 ? null : bytes.slice(0, length);
}

/**
 * Decodes the base64url text held as ASCII in `bytes[0, length)` over itself (each group of
 * four characters becomes three bytes, written behind the read position) and returns the
 * decoded length, or -1 when a byte is outside the alphabet; a lone trailing character (never
 * canonical) adds nothing.
 *
 * Plain JavaScript on purpose: Node's native base64 decoder is vectorised with AVX-512 on CPUs
 * that have it, and the frequency drop that follows slows the signature check right after it by
 * more than this loop costs for a whole token (figures in docs/performance.md). It works on bytes
 * rather than on the string, which avoids a charCodeAt per character.
 */
export function decodeBase64urlInPlace(bytes: Uint8Array, length: number): number {
  const whole = length & ~3;
  let o = 0;
  let seen = 0;
  let i = 0;
  for (; i < whole; i += 4) {
    const a = VALUES[bytes[i]!]!;
    const b = VALUES[bytes[i + 1]!]!;
    const c = VALUES[bytes[i + 2]!]!;
    const d = VALUES[bytes[i + 3]!]!;
    seen |= a | b | c | d;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o] = n >> 16;
    bytes[o + 1] = n >> 8;
    bytes[o + 2] = n;
    o += 3;
  }
  const rest = length - i;
  if (rest >= 2) {
    const a = VALUES[bytes[i]!]!;
    const b = VALUES[bytes[i + 1]!]!;
    const c = rest === 3 ? VALUES[bytes[i + 2]!]! : 0;
    seen |= a | b | c;
    const n = (a << 18) | (b << 12) | (c << 6);
    bytes[o++] = n >> 16;
    if (rest === 3) bytes[o++] = n >> 8;
  } else if (rest === 1) {
    seen |= VALUES[bytes[i]!]!;
  }
  return seen > 63 ? -1 : o;
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

/** `bytes` random bytes (default 16, 128 bits), base64url-encoded: a `jti`, a token family id. */
export function randomBase64url(bytes = 16): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
