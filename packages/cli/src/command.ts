// What every command is built from: the output flags, repeatable options, examples in --help,
// and an action that returns the exit code.

import type { Command } from 'commander';

/** The flags every command takes. */
export interface OutputFlags {
  json?: boolean;
  color?: boolean;
}

/** Adds `--json` and `--no-color`, and the examples shown at the end of `--help`. */
export function withOutput(command: Command, examples: readonly string[]): Command {
  return command
    .option('--json', 'print one JSON document on stdout')
    .option('--no-color', 'no colours (also NO_COLOR=1; colours are on only on a terminal)')
    .addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/** For options that may repeat (`--aud a --aud b`): the values in order. */
export function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

/** Runs an action and sets the process's exit code from its result. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = await run(...args);
  };
}
