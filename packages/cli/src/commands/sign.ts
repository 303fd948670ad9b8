// `jwt-gate sign`: a token from `createIssuer`, so it is refused exactly where the issuer
// refuses (weak secrets, `none`, small RSA keys, reserved claims, an access token without sub).

import { Command } from 'commander';
import { SignJWT, type JWTHeaderParameters } from 'jose';
import { createIssuer, type Issuer, type JWTPayload } from '@jwt-gate/core';
import { action, collect, withOutput, type OutputFlags } from '../command.js';
import { decodeUnverified } from '../decode.js';
import { readStdin, readText } from '../io.js';
import { coreConfig, readKey, signerFrom, type KeyFlags, type Signer } from '../keys.js';
import { CliError, EXIT, out, outputFor, printJson } from '../output.js';
import { parseDuration, parseTime } from '../time.js';

interface SignFlags extends OutputFlags, KeyFlags {
  iss?: string;
  aud?: string[];
  sub?: string;
  exp?: string;
  nbf?: string;
  jti?: string;
  claim?: string[];
  claims?: string;
  typ?: string;
  alg?: string;
  kid?: string;
}

/** `name=text` sets a string, `name:=json` a JSON value (`roles:='["admin"]'`, `n:=5`). */
export function parseClaim(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw new CliError('--claim takes name=value (a string) or name:=json');
  if (text[at - 1] === ':') {
    const name = text.slice(0, at - 1);
    if (name === '') throw new CliError('--claim takes name=value (a string) or name:=json');
    try {
      return [name, JSON.parse(text.slice(at + 1)) as unknown];
    } catch {
      throw new CliError(`--claim ${name}:= is not valid JSON`);
    }
  }
  return [text.slice(0, at), text.slice(at + 1)];
}

// The claims the issuer sets itself, and the flag that sets each instead.
const RESERVED: Readonly<Record<string, string>> = { iss: '--iss', aud: '--aud', iat: 'the time of signing', exp: '--exp', nbf: '--nbf', jti: '--jti' };

async function claimsFrom(flags: SignFlags): Promise<JWTPayload> {
  let claims: Record<string, unknown> = {};
  if (flags.claims !== undefined) {
    const text = flags.claims === '-' ? await readStdin() : readText(flags.claims, 'claims file');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CliError(`--claims ${flags.claims} is not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('--claims must hold a JSON object');
    claims = value as Record<string, unknown>;
  }
  // Own properties on a null-prototype object: `--claim __proto__=x` is a claim like any other.
  const out: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, claims);
  if (flags.sub !== undefined) out['sub'] = flags.sub;
  for (const entry of flags.claim ?? []) {
    const [name, value] = parseClaim(entry);
    out[name] = value;
  }
  // The issuer refuses these too; the flags are the way to set them here.
  const reserved = Object.keys(RESERVED).filter((name) => Object.hasOwn(out, name));
  if (reserved.length > 0) throw new CliError(`claims must not set ${reserved.join(', ')}: use ${reserved.map((name) => RESERVED[name]).join(', ')}`);
  return { ...out } as JWTPayload;
}

function issuerFor(flags: SignFlags, signer: Signer, audience: string[]): Issuer {
  return createIssuer({
    issuer: flags.iss as string,
    audience,
    ...(signer.kind === 'secret'
      ? { secret: { key: signer.bytes, ...(signer.kid === undefined ? {} : { kid: signer.kid }) }, ...(signer.alg === undefined ? {} : { algorithm: signer.alg }) }
      : { privateKey: signer.key }),
    ...(flags.exp === undefined ? {} : { expiresIn: parseDuration(flags.exp, '--exp') }),
    ...(flags.typ === undefined ? {} : { tokenType: flags.typ }),
  });
}

// `nbf` and a chosen `jti` are the two claims the core's issuer sets itself or refuses, and its
// sign options cannot name them yet. The issuer builds and checks the token; this only re-signs
// its header and claims, with those two added, under the same key.
async function withIssuerClaims(token: string, signer: Signer, extra: { nbf?: number; jti?: string }): Promise<string> {
  const { header, claims } = decodeUnverified(token);
  const payload = { ...claims, ...extra } as JWTPayload;
  return new SignJWT(payload).setProtectedHeader(header as JWTHeaderParameters).sign(signer.kind === 'secret' ? signer.bytes : signer.key.privateKey);
}

async function sign(flags: SignFlags): Promise<number> {
  const output = outputFor(flags);
  if (flags.iss === undefined) throw new CliError('--iss is required: the issuer the verifiers expect');
  const audience = flags.aud ?? [];
  if (audience.length === 0) throw new CliError('--aud is required: the API the token is for (repeat it for several)');
  const source = flags.key ?? `$${flags.keyEnv ?? ''}`;
  const signer = await signerFrom(readKey(flags), source, { ...(flags.alg === undefined ? {} : { alg: flags.alg }), ...(flags.kid === undefined ? {} : { kid: flags.kid }) });
  const claims = await claimsFrom(flags);
  const extra: { nbf?: number; jti?: string } = {};
  if (flags.nbf !== undefined) extra.nbf = parseTime(flags.nbf, '--nbf', Math.floor(Date.now() / 1000));
  if (flags.jti !== undefined) {
    if (flags.jti === '') throw new CliError('--jti must not be empty');
    extra.jti = flags.jti;
  }

  const issuer = await coreConfig(source, async () => {
    const created = issuerFor(flags, signer, audience);
    await created.ready();
    return created;
  });
  let token = await coreConfig('claims', () => issuer.sign(claims));
  if (extra.nbf !== undefined || extra.jti !== undefined) token = await withIssuerClaims(token, signer, extra);

  if (output.json) {
    const { header, claims: signed } = decodeUnverified(token);
    printJson({ token, header, claims: signed });
  } else {
    out(token);
  }
  return EXIT.ok;
}

/** The `sign` command. */
export function signCommand(): Command {
  return withOutput(
    new Command('sign')
      .description('sign a token with createIssuer: the same defaults and refusals (typ at+jwt, iat, exp, a random jti, kid)')
      .option('--key <file>', 'the signing key: a private JWK or PKCS#8 PEM, an oct JWK, or a file holding an HMAC secret')
      .option('--key-env <name>', 'the signing key from an environment variable (a PEM, a JWK, or an HMAC secret)')
      .option('--iss <issuer>', 'iss (required)')
      .option('--aud <audience>', 'aud (required; repeat for several)', collect)
      .option('--sub <subject>', 'sub (required for the default typ at+jwt)')
      .option('--exp <duration>', 'lifetime: 90, 90s, 15m, 2h, 7d (default 15m)')
      .option('--nbf <time>', 'not before: now, +5m, an ISO 8601 date or seconds since the epoch')
      .option('--jti <id>', 'the token id (default: 128 random bits)')
      .option('--claim <name=value>', 'a claim: name=text, or name:=json (repeatable)', collect)
      .option('--claims <file>', 'claims from a JSON file, or - for stdin (flags win)')
      .option('--typ <type>', 'the typ header (default at+jwt)')
      .option('--alg <alg>', 'the algorithm, where the key allows several (HS384 for a secret, PS256 for RSA)')
      .option('--kid <kid>', "the kid header (default: the key's kid or its thumbprint)"),
    [
      'jwt-gate sign --key key.json --iss https://auth.example.com --aud orders-api --sub alice --exp 15m',
      "jwt-gate sign --key-env JWT_SECRET --iss I --aud A --sub S --claim scope='orders:read' --claim 'roles:=[\"admin\"]'",
      'echo \'{"sub":"svc-billing","client_id":"billing"}\' | jwt-gate sign --key key.pem --iss I --aud A --claims -',
      'jwt-gate sign --key key.json --iss I --aud A --sub S --nbf +5m --jti test-1 --json',
    ],
  ).action(action(sign));
}
