// `jwt-gate inspect`: a token's header and claims decoded here, on this machine (nothing is
// fetched, nothing sent), dates readable and relative, and everything marked unverified.

import { Command } from 'commander';
import { action, withOutput, type OutputFlags } from '../command.js';
import { decodeUnverified, type DecodedToken } from '../decode.js';
import { readToken } from '../io.js';
import { EXIT, out, outputFor, paint, printJson, safe, show, table } from '../output.js';
import { ALGORITHMS } from '../review.js';
import { DATE_CLAIMS, describeDate, relative } from '../time.js';

/** Something a verifier with jwt-gate's defaults would object to, seen without verifying. */
interface Note {
  readonly code: string;
  readonly message: string;
}

const HEADER_KEYS = ['jwk', 'jku', 'x5u', 'x5c'];
const MAX_TOKEN_SIZE = 8192;

function notesOn(token: DecodedToken, now: number): Note[] {
  const notes: Note[] = [];
  const note = (code: string, message: string) => notes.push({ code, message });
  const { header, claims } = token;
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') note('alg-none', 'unsigned (alg none or missing): jwt-gate never accepts it');
  else if (!(ALGORITHMS as readonly string[]).includes(alg)) note('alg-unsupported', `alg ${JSON.stringify(alg)} is not one jwt-gate verifies`);
  const carried = HEADER_KEYS.filter((name) => Object.hasOwn(header, name));
  if (carried.length > 0) note('header-key', `the header carries ${carried.join(', ')}: jwt-gate ignores keys a token brings and uses only configured ones`);
  if (Object.hasOwn(header, 'crit')) note('crit', 'the header lists critical extensions (crit): refused unless understood');
  if (token.length > MAX_TOKEN_SIZE) note('too-large', `${token.length} characters: over the verifier's default cap of ${MAX_TOKEN_SIZE}`);
  if (token.encrypted) {
    note('encrypted', 'an encrypted token (JWE): its claims can be read only with the decryption key');
    return notes;
  }
  if (claims === undefined) {
    note('payload-not-json', 'the payload is not a JSON object: not a JWT claim set');
    return notes;
  }
  if (!Object.hasOwn(claims, 'iss')) note('no-iss', 'no iss: refused unless the verifier sets issuer: null');
  if (!Object.hasOwn(claims, 'aud')) note('no-aud', 'no aud: refused unless the verifier sets audience: null');
  for (const name of DATE_CLAIMS) {
    if (Object.hasOwn(claims, name) && describeDate(claims[name], now) === undefined) note('date-invalid', `${name} is not a NumericDate (a number of seconds): refused`);
  }
  const exp = claims['exp'];
  if (!Object.hasOwn(claims, 'exp')) note('no-exp', 'no exp: refused unless the verifier sets requireExpiration: false');
  else if (typeof exp === 'number' && exp <= now) note('expired', `expired ${relative(exp, now)}`);
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && nbf > now) note('not-yet-valid', `not valid yet: nbf is ${relative(nbf, now)}`);
  const iat = claims['iat'];
  if (typeof iat === 'number' && iat > now) note('issued-in-future', `issued ${relative(iat, now)}: a clock is off`);
  return notes;
}

function rows(object: Record<string, unknown>, now: number, color: boolean): string[][] {
  return Object.entries(object).map(([name, value]) => {
    const date = (DATE_CLAIMS as readonly string[]).includes(name) ? describeDate(value, now) : undefined;
    return [safe(name), date === undefined ? show(value) : `${show(value)}  ${date.iso} ${paint(color, 'dim', `(${date.relative})`)}`];
  });
}

async function inspect(tokenArgument: string | undefined, flags: OutputFlags): Promise<number> {
  const output = outputFor(flags);
  const decoded = decodeUnverified(await readToken(tokenArgument));
  const now = Math.floor(Date.now() / 1000);
  const notes = notesOn(decoded, now);

  if (output.json) {
    const dates: Record<string, { iso: string; relative: string }> = {};
    for (const name of DATE_CLAIMS) {
      const date = decoded.claims === undefined ? undefined : describeDate(decoded.claims[name], now);
      if (date !== undefined) dates[name] = date;
    }
    printJson({ verified: false, encrypted: decoded.encrypted, header: decoded.header, claims: decoded.claims ?? null, dates, notes });
    return EXIT.ok;
  }
  out(
    paint(output.color, 'yellow', 'UNVERIFIED: decoded only, the signature was not checked. Verify before trusting any of it (jwt-gate verify).'),
    paint(output.color, 'bold', 'Header'),
    ...table(rows(decoded.header, now, output.color)),
  );
  if (decoded.claims !== undefined) out(paint(output.color, 'bold', 'Claims (unverified)'), ...table(rows(decoded.claims, now, output.color)));
  if (notes.length > 0) out(paint(output.color, 'bold', 'Notes'), ...table(notes.map((n) => [paint(output.color, 'yellow', '!'), n.code, safe(n.message)])));
  return EXIT.ok;
}

/** The `inspect` command. */
export function inspectCommand(): Command {
  return withOutput(
    new Command('inspect')
      .description('decode a token without verifying it: header, claims, dates readable; nothing is fetched or sent')
      .argument('[token]', 'the token; read from stdin when omitted or -, which keeps it out of shell history'),
    ['jwt-gate inspect "$TOKEN"', 'pbpaste | jwt-gate inspect', 'jwt-gate inspect --json < token.txt | jq .claims.exp'],
  ).action(action(inspect));
}
