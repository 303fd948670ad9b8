// `jwt-gate verify`: one token through `createVerifier` with the middleware's defaults (issuer
// and audience required unless turned off on purpose, exp required, 5 s clock tolerance, the
// algorithm allow-list tied to the keys). Stdout carries the result, the claims or the refusal
// code; stderr says why, for the person reading.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Command, Option } from 'commander';
import { CHANNELS, createVerifier, isAuthError, type Algorithm, type AuthError, type KeySource, type KeysEvent, type VerifierOptions } from '@jwt-gate/core';
import { action, collect, withOutput, type OutputFlags } from '../command.js';
import { EXPLANATIONS, exitCodeOf } from '../explain.js';
import { timeoutOf } from '../fetch.js';
import { readJson, readToken } from '../io.js';
import { coreConfig, publicJwkFrom, readKey, type KeyFlags } from '../keys.js';
import { CliError, EXIT, err, jsonText, out, outputFor, paint, printJson, safe, show, type Output } from '../output.js';
import { describeDate, parseDuration, parseTime } from '../time.js';

interface VerifyFlags extends OutputFlags, KeyFlags {
  iss?: string | false;
  aud?: string[] | false;
  jwks?: string;
  discovery?: string | true;
  alg?: string[];
  typ?: string[];
  profile?: 'rfc9068';
  require?: string[];
  clockTolerance?: string;
  maxAge?: string;
  requireExp: boolean;
  at?: string;
  timeout?: string;
}

/** The one key source the flags name, in the verifier's terms. */
async function keySource(flags: VerifyFlags): Promise<{ source: KeySource; algorithms?: Algorithm[] }> {
  const given = (['key', 'keyEnv', 'jwks', 'discovery'] as const).filter((name) => flags[name] !== undefined);
  if (given.length !== 1) {
    throw new CliError(`give exactly one key source: --key FILE, --key-env NAME, --jwks FILE|URL or --discovery${given.length > 1 ? ' (got several)' : ''}`);
  }
  if (flags.discovery !== undefined) return { source: { discovery: flags.discovery } };
  if (flags.jwks !== undefined) {
    return /^https?:\/\//i.test(flags.jwks) ? { source: { jwksUri: flags.jwks } } : { source: { jwks: readJson(flags.jwks, 'JWKS file') as { keys: [] } } };
  }
  const material = readKey(flags);
  const name = flags.key ?? `$${flags.keyEnv ?? ''}`;
  switch (material.kind) {
    case 'secret':
      return {
        source: { secret: { key: material.bytes, ...(material.kid === undefined ? {} : { kid: material.kid }) } },
        ...(material.alg === undefined ? {} : { algorithms: [material.alg as Algorithm] }),
      };
    case 'jwks':
      return { source: { jwks: material.jwks } };
    case 'public-pem':
      return { source: { publicKey: material.pem } };
    default:
      // A private key verifies through its public half; the secret part goes no further.
      return { source: { publicKey: await publicJwkFrom(material, name) } };
  }
}

async function optionsFrom(flags: VerifyFlags, at: number | undefined): Promise<VerifierOptions> {
  if (flags.iss === undefined) throw new CliError('--iss is required: the exact iss of the tokens (or --no-iss to accept any issuer, deliberately)');
  if (flags.aud === undefined || (Array.isArray(flags.aud) && flags.aud.length === 0)) {
    throw new CliError('--aud is required: the audience this API accepts (or --no-aud to skip the check, deliberately)');
  }
  const { source, algorithms } = await keySource(flags);
  return {
    issuer: flags.iss === false ? null : flags.iss,
    audience: flags.aud === false ? null : flags.aud,
    ...source,
    ...(flags.alg !== undefined ? { algorithms: flags.alg as Algorithm[] } : algorithms === undefined ? {} : { algorithms }),
    ...(flags.typ === undefined ? {} : { tokenType: flags.typ }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.require === undefined ? {} : { requiredClaims: flags.require }),
    ...(flags.clockTolerance === undefined ? {} : { clockTolerance: parseDuration(flags.clockTolerance, '--clock-tolerance') }),
    ...(flags.maxAge === undefined ? {} : { maxTokenAge: parseDuration(flags.maxAge, '--max-age') }),
    ...(flags.requireExp ? {} : { requireExpiration: false }),
    ...(at === undefined ? {} : { clock: () => at * 1000 }),
    remote: { timeout: timeoutOf(flags.timeout) },
    tokenCache: false,
  } as VerifierOptions;
}

function refusal(output: Output, error: AuthError, keyFailures: readonly KeysEvent[]): number {
  const explanation = EXPLANATIONS[error.code];
  const causes = keyFailures.map((event) => `${event.url}: ${event.error instanceof Error ? event.error.message : 'failed'}`);
  if (output.json) {
    printJson({
      valid: false,
      code: error.code,
      status: error.status,
      ...(error.claim === undefined ? {} : { claim: error.claim }),
      ...(error.reason === undefined ? {} : { reason: error.reason }),
      explanation,
      ...(error.details === undefined ? {} : { details: error.details }),
      ...(causes.length === 0 ? {} : { keyFailures: causes }),
    });
    return exitCodeOf(error.status);
  }
  out(error.code);
  const facts = [error.claim === undefined ? undefined : `claim ${error.claim}`, error.reason === undefined ? undefined : `reason ${error.reason}`].filter(Boolean);
  const presented = (error.details as { presented?: unknown } | undefined)?.presented;
  err(
    `${paint(output.colorErr, 'red', '✗ refused:')} ${error.code}${facts.length === 0 ? '' : ` (${facts.join(', ')})`}`,
    `  ${explanation}`,
    ...(typeof presented === 'string' ? [`  The token names iss ${safe(JSON.stringify(presented))}.`] : []),
    ...causes.map((cause) => `  ${safe(cause)}`),
  );
  return exitCodeOf(error.status);
}

async function verify(tokenArgument: string | undefined, flags: VerifyFlags): Promise<number> {
  const output = outputFor(flags);
  const at = flags.at === undefined ? undefined : parseTime(flags.at, '--at', Math.floor(Date.now() / 1000));
  const options = await optionsFrom(flags, at);
  const token = await readToken(tokenArgument);
  const verifier = await coreConfig('verifier', () => createVerifier(options));

  // Why keys were unavailable, from the core's key-source channel (it never carries a token).
  const keyFailures: KeysEvent[] = [];
  const onKeys = (message: unknown) => {
    if ((message as KeysEvent).kind === 'failure') keyFailures.push(message as KeysEvent);
  };
  subscribe(CHANNELS.keys, onKeys);
  try {
    const result = await verifier.verify(token);
    if (output.json) {
      printJson({ valid: true, issuer: result.issuer, header: result.header, claims: result.claims });
    } else {
      out(jsonText(result.claims));
      const expires = describeDate(result.claims.exp, at ?? Math.floor(Date.now() / 1000));
      const facts = [`alg ${show(result.header.alg)}`, result.header.kid === undefined ? undefined : `kid ${show(result.header.kid)}`, expires === undefined ? 'no exp' : `expires ${expires.relative}`];
      err(`${paint(output.colorErr, 'green', '✓ valid:')} ${facts.filter(Boolean).join(', ')}`);
    }
    return EXIT.ok;
  } catch (error) {
    if (isAuthError(error)) return refusal(output, error, keyFailures);
    throw error;
  } finally {
    unsubscribe(CHANNELS.keys, onKeys);
  }
}

/** The `verify` command. */
export function verifyCommand(): Command {
  return withOutput(
    new Command('verify')
      .description("verify a token with the middleware's defaults; prints the claims (exit 0) or the ERR_ code (exit 1, or 3 when keys are unavailable)")
      .argument('[token]', 'the token; read from stdin when omitted or -, which keeps it out of shell history')
      .option('--iss <issuer>', 'the exact iss (required)')
      .option('--no-iss', 'accept any issuer, or none (issuer: null)')
      .option('--aud <audience>', 'an accepted audience (required; repeatable)', collect)
      .option('--no-aud', 'skip the audience check (audience: null)')
      .option('--key <file>', 'a key: public or private JWK, PEM, oct JWK, a JWKS, or a file holding an HMAC secret')
      .option('--key-env <name>', 'a key from an environment variable (PEM, JWK or HMAC secret)')
      .option('--jwks <file|url>', 'a JWKS file, or its URL')
      .option('--discovery [metadata-url]', "find the JWKS through the issuer's metadata (.well-known)")
      .option('--alg <alg>', 'an accepted algorithm (repeatable; default: what the keys imply)', collect)
      .option('--typ <type>', 'the required typ header, e.g. at+jwt (repeatable)', collect)
      .addOption(new Option('--profile <profile>', 'rfc9068: OAuth 2.0 JWT access tokens').choices(['rfc9068']))
      .option('--require <claim>', 'a claim that must be present (repeatable)', collect)
      .option('--clock-tolerance <duration>', 'skew allowed on exp, nbf and iat (default 5s, at most 300s)')
      .option('--max-age <duration>', 'refuse tokens whose iat is older than this')
      .option('--no-require-exp', 'accept tokens without exp (requireExpiration: false)')
      .option('--at <time>', 'verify as of another time: an ISO 8601 date, -1h, or seconds since the epoch')
      .option('--timeout <duration>', 'give up on a JWKS or metadata fetch after this long (default 5s)'),
    [
      'jwt-gate verify "$TOKEN" --iss https://auth.example.com --aud orders-api --key key.pub.json',
      'pbpaste | jwt-gate verify --iss https://example.eu.auth0.com/ --aud https://api.example.com --discovery',
      'jwt-gate verify --iss I --aud A --jwks https://auth.example.com/.well-known/jwks.json < token.txt',
      'jwt-gate verify --iss I --aud A --key-env JWT_SECRET --json < token.txt | jq .code',
    ],
  ).action(action(verify));
}
