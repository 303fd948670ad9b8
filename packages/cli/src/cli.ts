#!/usr/bin/env node
// The `jwt-gate` command: keys, key sets, signing, verifying with the middleware's defaults,
// inspecting tokens and checking an identity provider's setup. Every command sets the exit
// code (see EXIT); failures print a message that never holds a token or a secret.

import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { checkCommand } from './commands/check.js';
import { inspectCommand } from './commands/inspect.js';
import { jwksCommand } from './commands/jwks.js';
import { keysCommand } from './commands/keys.js';
import { signCommand } from './commands/sign.js';
import { verifyCommand } from './commands/verify.js';
import { CliError, EXIT, err, outputFor, paint, printJson } from './output.js';

const program = new Command('jwt-gate')
  .description('JSON Web Tokens from the terminal, with the defaults of the jwt-gate middleware')
  .version(packageJson.version)
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 token refused or setup broken, 2 usage or configuration error, 3 keys or metadata unavailable.

Examples:
  $ jwt-gate keys generate --alg ES256 --kid k1 --out key.json
  $ jwt-gate sign --key key.json --iss https://auth.example.com --aud orders-api --sub alice --exp 15m > token.txt
  $ jwt-gate verify --iss https://auth.example.com --aud orders-api --key key.pub.json < token.txt
  $ jwt-gate inspect < token.txt
  $ jwt-gate check https://example.eu.auth0.com/
`,
  );
// Subcommands inherit these from the program when they are added, so set them first.
program.exitOverride().configureOutput({ outputError: (text, write) => write(text) });
for (const command of [keysCommand(), jwksCommand(), signCommand(), verifyCommand(), inspectCommand(), checkCommand()]) program.addCommand(command);
for (const command of program.commands) {
  command.exitOverride().showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) sub.exitOverride().showHelpAfterError('(add --help for usage)');
}

// How a failure ends: its exit code, a message on stderr, and with --json one JSON document.
function fail(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, successfully.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const known = error instanceof CliError;
  const message = known ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  if (process.argv.includes('--json')) printJson({ error: { code: known ? error.code : 'internal', message } });
  const { colorErr } = outputFor({ color: !process.argv.includes('--no-color') });
  err(`${paint(colorErr, 'red', 'jwt-gate:')} ${message}`);
  return known ? error.exitCode : EXIT.usage;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = fail(error);
}
