// Just enough DER to learn a public key's type, curve and RSA modulus size synchronously, at
// configuration time, from SPKI and X.509 input (so weak keys are refused when the verifier is
// created, not on the first request). Anything unexpected returns undefined.

import { unsignedBits } from './key-forms.js';

interface Node {
  tag: number;
  start: number; // content start
  end: number; // content end
}

function read(der: Uint8Array, offset: number): Node | undefined {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > der.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > der.length) return undefined;
  return { tag, start, end };
}

function children(der: Uint8Array, node: Node): Node[] | undefined {
  const out: Node[] = [];
  let offset = node.start;
  while (offset < node.end) {
    const child = read(der, offset);
    if (child === undefined) return undefined;
    out.push(child);
    offset = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const OID = 0x06;
const BIT_STRING = 0x03;
const INTEGER = 0x02;

const OIDS: Record<string, string> = {
  '2a864886f70d010101': 'rsa', // rsaEncryption
  '2a864886f70d01010a': 'rsa-pss', // RSASSA-PSS
  '2a8648ce3d0201': 'ec', // id-ecPublicKey
  '2b6570': 'ed25519', // id-Ed25519
  '2b6571': 'ed448',
  '2b656e': 'x25519',
  '2a8648ce3d030107': 'P-256',
  '2b81040022': 'P-384',
  '2b81040023': 'P-521',
};

function oid(der: Uint8Array, node: Node): string | undefined {
  if (node.tag !== OID) return undefined;
  let hex = '';
  for (let i = node.start; i < node.end; i++) hex += (der[i] as number).toString(16).padStart(2, '0');
  return OIDS[hex] ?? hex;
}

export interface SpkiInfo {
  type: string; // rsa, rsa-pss, ec, ed25519, ...
  curve?: string;
  modulusBits?: number;
}

/** Reads a SubjectPublicKeyInfo. */
export function inspectSpki(der: Uint8Array): SpkiInfo | undefined {
  const root = read(der, 0);
  return root === undefined ? undefined : inspectSpkiNode(der, root);
}

/**
 * A key's type and curve from its AlgorithmIdentifier, and for RSA the modulus size, read from
 * the RSA key structure at `rsaKey` (which holds the modulus as its `modulusIndex`th INTEGER).
 */
function describeKey(der: Uint8Array, algorithm: Node, rsaKey: number, modulusIndex: number): SpkiInfo | undefined {
  const [id, params] = children(der, algorithm) ?? [];
  if (id === undefined) return undefined;
  const type = oid(der, id);
  if (type === undefined) return undefined;
  if (type === 'ec') {
    const curve = params === undefined ? undefined : oid(der, params);
    return curve === undefined ? { type } : { type, curve };
  }
  if (type !== 'rsa' && type !== 'rsa-pss') return { type };
  const inner = read(der, rsaKey);
  if (inner?.tag !== SEQUENCE) return { type };
  const n = (children(der, inner) ?? [])[modulusIndex];
  return n?.tag === INTEGER ? { type, modulusBits: unsignedBits(der, n.start, n.end) } : { type };
}

function inspectSpkiNode(der: Uint8Array, root: Node): SpkiInfo | undefined {
  if (root.tag !== SEQUENCE) return undefined;
  const [algorithm, key] = children(der, root) ?? [];
  if (algorithm?.tag !== SEQUENCE || key?.tag !== BIT_STRING) return undefined;
  // BIT STRING: one unused-bits byte, then RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }
  return describeKey(der, algorithm, key.start + 1, 0);
}

/** Finds the SubjectPublicKeyInfo of an X.509 certificate and reads it. */
export function inspectCertificate(der: Uint8Array): SpkiInfo | undefined {
  const cert = read(der, 0);
  if (cert?.tag !== SEQUENCE) return undefined;
  const tbs = read(der, cert.start);
  if (tbs?.tag !== SEQUENCE) return undefined;
  const fields = children(der, tbs);
  if (fields === undefined) return undefined;
  // [0] version is optional; then serial, signature, issuer, validity, subject, spki
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const spki = fields[offset + 5];
  return spki === undefined ? undefined : inspectSpkiNode(der, spki);
}

const OCTET_STRING = 0x04;

/**
 * Reads a PKCS#8 PrivateKeyInfo (RFC 5208 §5, RFC 5958 §2): the key type, the EC curve and the
 * RSA modulus size, from the algorithm identifier and, for RSA, the RSAPrivateKey inside.
 */
export function inspectPkcs8(der: Uint8Array): SpkiInfo | undefined {
  const root = read(der, 0);
  if (root?.tag !== SEQUENCE) return undefined;
  const [version, algorithm, key] = children(der, root) ?? [];
  if (version?.tag !== INTEGER || algorithm?.tag !== SEQUENCE || key?.tag !== OCTET_STRING) return undefined;
  // RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus INTEGER, publicExponent INTEGER, ... }
  return describeKey(der, algorithm, key.start, 1);
}


/** Decodes the base64 body of a PEM block with the given label, or undefined. */
export function pemBody(pem: string, label: string): Uint8Array | undefined {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const from = pem.indexOf(begin);
  const to = pem.indexOf(end);
  if (from === -1 || to === -1 || to < from) return undefined;
  const body = pem.slice(from + begin.length, to).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  try {
    const binary = atob(body);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}
