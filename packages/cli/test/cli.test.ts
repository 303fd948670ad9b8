import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createTestKey, signToken } from '@jwt-gate/testing';
import { describe, expect, it } from 'vitest';
import { BIN, run } from './run.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const ESCAPE = '\u001b[';

describe('jwt-gate', () => {
  it.each([
    [['keys', 'generate'], ['--alg', '--kid', '--out', '--format']],
    [['jwks', 'add'], ['--kid']],
    [['jwks', 'remove'], ['--force']],
    [['jwks', 'list'], ['--timeout']],
    [['sign'], ['--key', '--key-env', '--iss', '--aud', '--sub', '--exp', '--nbf', '--jti', '--claim', '--claims']],
    [['verify'], ['--iss', '--aud', '--key', '--jwks', '--discovery', '--no-iss', '--no-aud', '--no-require-exp']],
    [['inspect'], []],
    [['check'], ['--metadata-url', '--strict']],
  ])('%j --help lists its flags and examples, exit 0', async (command, flags) => {
    const result = await run([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: jwt-gate ${command.join(' ')}`);
    expect(result.stdout).toContain(`$ jwt-gate ${command.join(' ')}`);
    for (const flag of [...flags, '--json', '--no-color']) expect(result.stdout).toContain(flag);
  });

  it('--help lists every command; --version prints the package version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['keys', 'jwks', 'sign', 'verify', 'inspect', 'check']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const shown = await run(['--version']);
    expect([shown.code, shown.stdout.trim()]).toEqual([0, version]);
  });

  it.each([[['frobnicate']], [['verify', '--frobnicate']], [['keys', 'generate', '--alg', 'XS256', '--out', 'x']], [['check']]])('%j is a usage error (exit 2)', async (args) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('with --json, a usage error is one JSON document on stdout', async () => {
    const result = await run(['verify', '--json', '--aud', 'a', '--key', 'k.json'], { input: 'x.y.z' });
    expect(result.code).toBe(2);
    expect(result.json()).toEqual({ error: { code: 'usage', message: expect.any(String) } });
  });

  // util-linux `script` gives the command a terminal, as a person pasting a token would have.
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, asks for the token and does not echo it', async () => {
    const token = await signToken(await createTestKey('ES256'), { sub: 'pasted' });
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${BIN} inspect --json`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let text = '';
      let pasted = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        // The first output is the prompt: the terminal is in raw mode from then on.
        if (!pasted) child.stdin.write(`${token}\n`);
        pasted = true;
      });
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    expect(output).toContain('"sub": "pasted"');
    expect(output).not.toContain(token);
  });

  it('colours only when asked by FORCE_COLOR on a pipe, never under NO_COLOR, --no-color or --json', async () => {
    const token = await signToken(await createTestKey('ES256'), { iss: 'i', aud: 'a' }, { expiresIn: -60 });
    expect((await run(['inspect', token])).stdout).not.toContain(ESCAPE);
    expect((await run(['inspect', token], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ESCAPE);
    expect((await run(['inspect', token], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain(ESCAPE);
    expect((await run(['inspect', token, '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout).not.toContain(ESCAPE);
    expect((await run(['inspect', token, '--json'], { env: { FORCE_COLOR: '1' } })).stdout).not.toContain(ESCAPE);
  });
});
