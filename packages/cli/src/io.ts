// Reading tokens, files and environment variables, and writing key files. Errors name the file
// or variable, never its contents: those may be keys or tokens.

import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { CliError } from './output.js';

/** Everything on stdin, as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// On a terminal, one pasted line, not echoed: the token stays out of the shell history and
// out of the scrollback. The prompt is written, then everything readline echoes is dropped.
async function promptLine(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk as Buffer);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(question);
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * The token given as an argument, or read from stdin when it is absent or `-` (so it stays out
 * of the shell history). Surrounding whitespace and a leading `Bearer ` are dropped, as a token
 * copied from an Authorization header has them.
 */
export async function readToken(argument: string | undefined): Promise<string> {
  let text: string;
  if (argument === undefined || argument === '-') {
    text = process.stdin.isTTY === true ? await promptLine('Paste the token, then press Enter: ') : await readStdin();
  } else {
    text = argument;
  }
  let token = text.trim();
  if (/^bearer /i.test(token)) token = token.slice(7).trimStart();
  if (token === '') throw new CliError('no token: give it as an argument or on stdin');
  return token;
}

/** A text file's contents; a missing or unreadable file is a usage error naming the path. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${what} ${path}${code === 'ENOENT' ? ': no such file' : code === undefined ? '' : ` (${code})`}`);
  }
}

/** A JSON file, parsed. */
export function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`${what} ${path} is not valid JSON`);
  }
}

/** An environment variable's value; an unset or empty one is a usage error naming the variable. */
export function readEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new CliError(`environment variable ${name} is not set`);
  return value;
}

/**
 * Writes a new file with `mode` (0o600 for private keys), refusing to replace one unless
 * `force`: overwriting a signing key by accident cannot be undone.
 */
export function writeNew(path: string, text: string, mode: number, force: boolean): void {
  try {
    writeFileSync(path, text, { mode, flag: force ? 'w' : 'wx' });
    // An existing file keeps its mode on overwrite; a private key must not stay readable.
    if (force) chmodSync(path, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${path} exists; give --force to replace it`);
    throw new CliError(`cannot write ${path}${code === undefined ? '' : ` (${code})`}`);
  }
}

/** Replaces a file through a rename, so a reader never sees it half-written. */
export function replaceFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write ${path}${code === undefined ? '' : ` (${code})`}`);
  }
}
