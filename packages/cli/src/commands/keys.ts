// `jwt-gate keys generate`: a new signing key, the private half in a file only its owner can
// read (or on stdout when asked with `--out -`), the public JWK beside it.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { createKeySet, exportPrivateKey, generateSigningKey, type AsymmetricAlgorithm, type HmacAlgorithm, type JWK } from '@jwt-gate/core';
import { action, withOutput, type OutputFlags } from '../command.js';
import { writeNew } from '../io.js';
import { coreConfig } from '../keys.js';
import { CliError, EXIT, jsonText, out, outputFor, paint, printJson, safe, table } from '../output.js';
import { ALGORITHMS } from '../review.js';

interface GenerateFlags extends OutputFlags {
  alg: string;
  kid?: string;
  out?: string;
  format?: 'jwk' | 'pem';
  bits?: string;
  force?: boolean;
}

/** `key.json` → `key.pub.json`: where the public JWK goes beside the private key. */
export function publicPath(privatePath: string): string {
  const extension = extname(privatePath);
  const stem = ['.json', '.jwk', '.pem', '.key'].includes(extension) ? basename(privatePath, extension) : basename(privatePath);
  return join(dirname(privatePath), `${stem}.pub.json`);
}

async function generate(flags: GenerateFlags): Promise<number> {
  const output = outputFor(flags);
  const alg = flags.alg as (typeof ALGORITHMS)[number];
  const hmac = alg.startsWith('HS');
  const format = flags.format ?? (flags.out?.endsWith('.pem') === true ? 'pem' : 'jwk');
  if (flags.out === undefined) {
    throw new CliError('--out is required: a file for the private key (its public JWK goes beside it), or - to write the private key to stdout');
  }
  if (hmac && format === 'pem') throw new CliError('an HMAC secret has no PEM form; use --format jwk');
  if (flags.bits !== undefined && !alg.startsWith('RS') && !alg.startsWith('PS')) throw new CliError('--bits applies to RSA algorithms (RS*, PS*) only');

  let privateText: string;
  let publicJwk: JWK | undefined;
  let kid: string;
  if (hmac) {
    // 64 random bytes: at least the hash output for every HS* (RFC 7518 §3.2); the core's own advice.
    const bytes = randomBytes(64);
    // The core checks the kid, or computes the secret's RFC 7638 thumbprint as one.
    const entry = { secret: bytes, algorithm: alg as HmacAlgorithm, ...(flags.kid === undefined ? {} : { kid: flags.kid }) };
    kid = (await coreConfig('--kid', async () => (await createKeySet([entry]).list())[0]?.kid)) as string;
    privateText = jsonText({ kty: 'oct', k: bytes.toString('base64url'), alg, kid });
  } else {
    const bits = flags.bits === undefined ? undefined : Number(flags.bits);
    if (bits !== undefined && bits !== 2048 && bits !== 3072 && bits !== 4096) throw new CliError('--bits must be 2048, 3072 or 4096');
    const key = await coreConfig('--kid', () =>
      generateSigningKey(alg as AsymmetricAlgorithm, { ...(flags.kid === undefined ? {} : { kid: flags.kid }), ...(bits === undefined ? {} : { modulusLength: bits }) }),
    );
    kid = key.kid;
    publicJwk = key.publicJwk;
    privateText = format === 'pem' ? await exportPrivateKey(key, 'pem') : jsonText(await exportPrivateKey(key, 'jwk'));
  }

  if (flags.out === '-') {
    // Asked for explicitly: the private key alone, for a pipe into a secret manager.
    process.stdout.write(privateText.endsWith('\n') ? privateText : `${privateText}\n`);
    return EXIT.ok;
  }
  const pubPath = publicJwk === undefined ? undefined : publicPath(flags.out);
  // Both files or neither: a new private key beside an old public one would publish the wrong key.
  const taken = [flags.out, pubPath].find((path) => path !== undefined && existsSync(path));
  if (taken !== undefined && flags.force !== true) throw new CliError(`${taken} exists; give --force to replace it`);
  writeNew(flags.out, privateText.endsWith('\n') ? privateText : `${privateText}\n`, 0o600, flags.force === true);
  if (pubPath !== undefined) writeNew(pubPath, `${jsonText(publicJwk)}\n`, 0o644, flags.force === true);

  if (output.json) {
    printJson({ alg, kid, format, privateKey: flags.out, publicKey: pubPath ?? null, ...(publicJwk === undefined ? {} : { publicJwk }) });
  } else {
    out(
      `${paint(output.color, 'bold', alg)} key ${safe(kid)}`,
      ...table([
        ['private', `${flags.out}  ${paint(output.color, 'dim', '(mode 600: keep it secret, out of source control)')}`],
        ['public', pubPath ?? paint(output.color, 'dim', 'none: an HMAC secret is never published')],
      ]),
    );
  }
  return EXIT.ok;
}

/** The `keys` command and its subcommands. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('generate signing keys');
  withOutput(
    keys
      .command('generate')
      .description('generate a signing key: the private key in --out, its public JWK in <name>.pub.json')
      .addOption(new Option('--alg <alg>', 'the algorithm the key signs with').choices(ALGORITHMS).makeOptionMandatory())
      .option('--kid <kid>', 'the key id (default: the RFC 7638 thumbprint)')
      .option('--out <file>', 'where to write the private key (mode 600); - writes it to stdout')
      .addOption(new Option('--format <format>', 'the private key format (default: pem for a .pem file, else jwk)').choices(['jwk', 'pem']))
      .option('--bits <bits>', 'RSA modulus size: 2048, 3072 or 4096 (default 2048)')
      .option('--force', 'replace existing files'),
    [
      'jwt-gate keys generate --alg ES256 --kid k1 --out key.json      # key.json (private), key.pub.json (public)',
      'jwt-gate keys generate --alg RS256 --bits 3072 --out signing.pem',
      'jwt-gate keys generate --alg HS256 --out secret.json            # an HMAC secret as an oct JWK',
      'jwt-gate keys generate --alg EdDSA --out - | vault kv put secret/jwt key=-',
    ],
  ).action(action(generate));
  return keys;
}
