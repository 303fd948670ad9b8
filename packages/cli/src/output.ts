// What every command shares about its result: exit codes, errors that carry one, colours, and
// printing text or JSON that a hostile token cannot turn into terminal control sequences.

/** Exit codes, documented in the README: CI branches on them. */
export const EXIT = {
  /** Done: the token is valid, the setup has no error, the key was written. */
  ok: 0,
  /** The token was refused, or `check` found what would break verification. */
  refused: 1,
  /** Wrong usage or configuration: a flag, a file, a key the core refuses. */
  usage: 2,
  /** Keys or metadata could not be fetched (network, endpoint down). */
  unavailable: 3,
} as const;

/** A failure the command explains itself: a short message and the exit code it maps to. */
export class CliError extends Error {
  /** The process's exit code. */
  readonly exitCode: number;
  /** Shown with --json: `usage`, `unavailable`, `ERR_TOKEN_MALFORMED`, ... */
  readonly code: string;

  constructor(message: string, exitCode: number = EXIT.usage, code = 'usage') {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** How a command prints: JSON or text, with or without colours. */
export interface Output {
  readonly json: boolean;
  /** Colours on stdout. */
  readonly color: boolean;
  /** Colours on stderr. */
  readonly colorErr: boolean;
}

// NO_COLOR (no-color.org) wins over FORCE_COLOR; otherwise colours only on a terminal.
function wantsColor(flag: boolean | undefined, stream: NodeJS.WriteStream): boolean {
  if (flag === false) return false;
  const { NO_COLOR, FORCE_COLOR, TERM } = process.env;
  if (NO_COLOR !== undefined && NO_COLOR !== '') return false;
  if (FORCE_COLOR !== undefined) return FORCE_COLOR !== '0' && FORCE_COLOR !== 'false';
  return stream.isTTY === true && TERM !== 'dumb';
}

/** The output settings from a command's `--json` and `--no-color` flags. */
export function outputFor(options: { json?: boolean; color?: boolean }): Output {
  const json = options.json === true;
  return { json, color: !json && wantsColor(options.color, process.stdout), colorErr: wantsColor(options.color, process.stderr) };
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Style = keyof typeof CODES;

/** `text` in a colour when `on`. */
export function paint(on: boolean, style: Style, text: string): string {
  return on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

// C0 and C1 controls (ESC, CSI, BEL, ...) and the line separators: a token's claims or a
// fetched document could otherwise move the cursor or rewrite what the terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text from outside (claims, metadata, file contents) made safe to show on a terminal. */
export function safe(text: string): string {
  return text.replace(CONTROLS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** JSON text with the controls JSON.stringify leaves as they are (C1, U+2028/9) escaped too. */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes lines to stdout. */
export function out(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Writes lines to stderr. */
export function err(...lines: string[]): void {
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Writes one JSON document to stdout. */
export function printJson(value: unknown): void {
  out(jsonText(value));
}

/** A value shown in text output: strings as they are (made safe), anything else as JSON. */
export function show(value: unknown): string {
  return safe(typeof value === 'string' ? value : jsonText(value, 0));
}

/** Rows of cells padded into columns. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)))).join('  ').trimEnd());
}

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string): number => text.replace(/\u001b\[\d+m/g, '').length;
