// `jwt-gate jwks add|remove|list`: a JSON Web Key Set file kept by hand for rotation. Only public
// keys ever enter it; every key is reviewed as the verifier will take it.

import { existsSync } from 'node:fs';
import { Command } from 'commander';
import type { JWK } from '@jwt-gate/core';
import { action, withOutput, type OutputFlags } from '../command.js';
import { fetchJson } from '../fetch.js';
import { readJson, replaceFile } from '../io.js';
import { publicJwkFrom, readKey } from '../keys.js';
import { CliError, EXIT, jsonText, out, outputFor, paint, printJson, safe, table, type Output } from '../output.js';
import { describeKey, reviewKeys, type Problem } from '../review.js';
import { printProblems } from './check.js';

function readSet(path: string, create: boolean): { keys: unknown[] } {
  if (create && !existsSync(path)) return { keys: [] };
  const value = readJson(path, 'JWKS file') as { keys?: unknown };
  if (typeof value !== 'object' || value === null || !Array.isArray(value.keys)) throw new CliError(`${path} is not a JWKS: expected {"keys":[...]}`);
  return value as { keys: unknown[] };
}

function print(output: Output, source: string, keys: readonly unknown[]): number {
  const { keys: reviews, problems } = reviewKeys(keys);
  if (output.json) {
    printJson({ source, keys: reviews, problems });
  } else {
    const status = { usable: paint(output.color, 'green', 'usable'), refused: paint(output.color, 'red', 'refused'), skipped: paint(output.color, 'dim', 'skipped (encryption key)') };
    out(`${safe(source)}: ${keys.length} key${keys.length === 1 ? '' : 's'}`);
    if (reviews.length > 0) out(...table(reviews.map((key) => [safe(key.kid ?? '(no kid)'), safe(describeKey(key)), status[key.status]])));
    printProblems(output, problems);
  }
  return EXIT.ok;
}

async function add(file: string, keyFile: string, flags: OutputFlags & { kid?: string }): Promise<number> {
  const set = readSet(file, true);
  const jwk: JWK = { ...(await publicJwkFrom(readKey({ key: keyFile }), keyFile)) };
  if (flags.kid !== undefined) jwk.kid = flags.kid;
  if (jwk.kid === undefined) throw new CliError(`${keyFile} has no kid; give one with --kid`);
  if (set.keys.some((key) => (key as JWK).kid === jwk.kid)) throw new CliError(`${file} already holds a key with kid ${JSON.stringify(jwk.kid)}`);
  if (jwk.use === undefined) jwk.use = 'sig';
  const refused = reviewKeys([jwk]).problems.filter((problem: Problem) => problem.severity === 'error');
  if (refused.length > 0) throw new CliError(`${keyFile}: not added: ${refused.map((problem) => problem.message).join('; ')}`);
  const keys = [...set.keys, jwk];
  replaceFile(file, `${jsonText({ ...set, keys })}\n`);
  return print(outputFor(flags), file, keys);
}

async function remove(file: string, kid: string, flags: OutputFlags & { force?: boolean }): Promise<number> {
  const set = readSet(file, false);
  const keys = set.keys.filter((key) => (key as JWK).kid !== kid);
  if (keys.length === set.keys.length) throw new CliError(`${file} holds no key with kid ${JSON.stringify(kid)}`);
  if (keys.length === 0 && flags.force !== true) throw new CliError(`that is the last key of ${file}: every token would be refused; give --force to remove it anyway`);
  replaceFile(file, `${jsonText({ ...set, keys })}\n`);
  return print(outputFor(flags), file, keys);
}

async function list(source: string, flags: OutputFlags & { timeout?: string }): Promise<number> {
  const remote = /^https?:\/\//i.test(source);
  const set = remote ? await fetchJson(source, 'JWKS', flags.timeout) : readSet(source, false);
  const keys = (set as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new CliError(`${source} is not a JWKS: expected {"keys":[...]}`, remote ? EXIT.refused : EXIT.usage);
  return print(outputFor(flags), source, keys);
}

/** The `jwks` command and its subcommands. */
export function jwksCommand(): Command {
  const jwks = new Command('jwks').description('keep a JWKS file: add, remove and list public keys');
  withOutput(
    jwks
      .command('add')
      .description('add a key\'s public JWK to a JWKS file (created if missing); a private key file gives its public half')
      .argument('<jwks-file>', 'the JWKS file')
      .argument('<key-file>', 'a public or private JWK, or a PEM')
      .option('--kid <kid>', "the key's kid, where the file has none"),
    ['jwt-gate jwks add jwks.json key.pub.json', 'jwt-gate keys generate --alg ES256 --kid 2025-06 --out next.json && jwt-gate jwks add jwks.json next.pub.json'],
  ).action(action(add));
  withOutput(
    jwks
      .command('remove')
      .description('remove a key from a JWKS file once every token it signed has expired')
      .argument('<jwks-file>', 'the JWKS file')
      .argument('<kid>', 'the kid of the key to remove')
      .option('--force', 'remove the last key too'),
    ['jwt-gate jwks remove jwks.json 2025-01'],
  ).action(action(remove));
  withOutput(
    jwks
      .command('list')
      .description('list the keys of a JWKS file or URL, and what the verifier would refuse')
      .argument('<jwks>', 'a JWKS file or an http(s) URL')
      .option('--timeout <duration>', 'for a URL: give up after this long (default 5s)'),
    ['jwt-gate jwks list jwks.json', 'jwt-gate jwks list https://auth.example.com/.well-known/jwks.json --json'],
  ).action(action(list));
  return jwks;
}
