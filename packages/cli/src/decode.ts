// Reading a compact token without verifying it, for `inspect` (which must never send it
// anywhere, so this is all local) and for showing what `sign` produced.

import { CliError, EXIT } from './output.js';

/** A token's parts as decoded, nothing checked but the form. */
export interface DecodedToken {
  /** The protected header. */
  readonly header: Record<string, unknown>;
  /** The claims; undefined for an encrypted token (JWE) or a payload that is not a JSON object. */
  readonly claims: Record<string, unknown> | undefined;
  /** True for a JWE (five segments): its claims are encrypted. */
  readonly encrypted: boolean;
  /** The token's length in characters. */
  readonly length: number;
}

const malformed = (why: string) => new CliError(`not a compact JWT: ${why}`, EXIT.refused, 'ERR_TOKEN_MALFORMED');

function decodeSegment(segment: string, what: string): string {
  // Canonical base64url only, as the verifier demands: the bytes must encode back to the same text.
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw malformed(`the ${what} is not base64url`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed(`the ${what} is not UTF-8`);
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes a compact JWS or JWE; throws a CliError (`ERR_TOKEN_MALFORMED`, exit 1) otherwise. */
export function decodeUnverified(token: string): DecodedToken {
  const segments = token.split('.');
  if (segments.length !== 3 && segments.length !== 5) throw malformed(`${segments.length} segments, expected 3 (JWS) or 5 (JWE)`);
  if (!segments.every((segment) => /^[\w-]*$/.test(segment))) throw malformed('a segment holds characters outside base64url');
  const header = parseObject(decodeSegment(segments[0] as string, 'header'));
  if (header === undefined) throw malformed('the header is not a JSON object');
  const encrypted = segments.length === 5;
  const claims = encrypted ? undefined : parseObject(decodeSegment(segments[1] as string, 'payload'));
  return { header, claims, encrypted, length: token.length };
}
