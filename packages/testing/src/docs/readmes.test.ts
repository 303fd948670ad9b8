import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type StartedProcess } from '../process.js';
import { walkthroughSteps } from '../readme-walkthrough.js';

// The commands of every document, held to what a fresh clone with only Node and npm can run.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const documents = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !file.endsWith('CHANGELOG.md') && !file.startsWith('.changeset/') && !file.includes('/fixtures/'));
const manifest = (dir: string): { name?: string; scripts?: Record<string, string> } | undefined =>
  existsSync(join(root, dir, 'package.json')) ? JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) : undefined;
const workspace = execFileSync('git', ['ls-files', '*/package.json'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => /^(packages|examples)\/[^/]+\/package\.json$/.test(file) || file === 'benchmarks/package.json')
  .map((file) => manifest(dirname(file))?.name);
const rootScripts = manifest('.')?.scripts ?? {};

/** The shell commands of a document's `sh` blocks, continuation lines joined, comments left out. */
function commandsOf(markdown: string): string[] {
  const commands: string[] = [];
  for (const [, block] of markdown.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    const lines = (block as string).replace(/\\\n\s*/g, ' ').split('\n');
    commands.push(...lines.map((line) => line.replace(/\s#\s.*$/, '').trim()).filter((line) => line !== '' && !line.startsWith('#')));
  }
  return commands;
}

/** The simple commands of a line (split at `&&`, `||`, `;`, `|`, `&`, `$(`), each as its words without leading `VAR=value`s. */
function simpleCommands(line: string): string[][] {
  return line
    .split(/&&|\|\||;|\||&|\$\(|`/)
    .map((part) => part.trim().replace(/^[({]\s*/, '').split(/\s+/))
    .map((words) => {
      while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] as string)) words.shift();
      return words;
    })
    .filter((words) => words.length > 0 && words[0] !== '');
}

/** What is wrong with one command of `file`, or undefined. */
function problem(file: string, words: string[]): string | undefined {
  const [command, sub, ...rest] = words;
  if (command === 'pnpm') return 'uses pnpm, which an npm-only machine lacks: an npm script, or `npx -y pnpm@<version>`';
  // Before the first release, only a package's own README (read after installing it) may fetch it from the registry.
  if (command === 'npx' && words.some((word) => word.startsWith('@jwt-gate/')) && !file.startsWith('packages/')) return 'runs a jwt-gate package from the registry, which a clone does not need and which is not published yet';
  if (command !== 'npm') return undefined;
  if (sub === 'run' || sub === 'run-script') {
    const script = rest.find((word) => !word.startsWith('-')) as string;
    const own = manifest(dirname(file))?.scripts ?? {};
    if (!Object.hasOwn(rootScripts, script) && !Object.hasOwn(own, script)) return `runs the npm script "${script}", which no package.json beside it or at the root has`;
  }
  if (sub === 'start' && rest[0] === '--' && !existsSync(join(root, 'examples', rest[1] as string, 'package.json'))) return `starts an example "${rest[1]}" that does not exist`;
  const filter = rest.find((word) => word.startsWith('--filter='))?.slice('--filter='.length);
  if (sub === 'test' && filter !== undefined && !workspace.includes(filter)) return `tests a package "${filter}" that is not in the workspace`;
  return undefined;
}

describe('the commands in the documents', () => {
  it('finds the documents and their commands', () => {
    expect(documents).toContain('README.md');
    expect(documents.length).toBeGreaterThan(10);
    expect(documents.flatMap((file) => commandsOf(readFileSync(join(root, file), 'utf8'))).length).toBeGreaterThan(50);
  });

  it.each(documents)('%s: every command runs with only Node and npm', (file) => {
    const problems = commandsOf(readFileSync(join(root, file), 'utf8')).flatMap((line) =>
      simpleCommands(line).flatMap((words) => {
        const found = problem(file, words);
        return found === undefined ? [] : [`${line}\n  ${found}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('refuses what a fresh clone could not run', () => {
    expect(problem('README.md', ['pnpm', 'docs'])).toBeDefined();
    expect(problem('README.md', ['npm', 'run', 'no-such-script'])).toBeDefined();
    expect(problem('README.md', ['npm', 'start', '--', 'no-such-example'])).toBeDefined();
    expect(problem('README.md', ['npm', 'test', '--', '--filter=@jwt-gate/no-such-package'])).toBeDefined();
    expect(problem('README.md', ['npx', '@jwt-gate/cli', 'inspect'])).toBeDefined();
    expect(problem('README.md', ['npm', 'run', '-s', 'no-such-script'])).toBeDefined();
    expect(problem('README.md', ['npm', 'run', 'docs'])).toBeUndefined();
    expect(simpleCommands('PORT=3010 npm start -- express &')).toEqual([['npm', 'start', '--', 'express']]);
  });
});

describe("the README's quick start, as written, in a fresh clone", () => {
  let server: StartedProcess;
  let clone: string;
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const steps = walkthroughSteps(readme, 'Quick start');

  beforeAll(async () => {
    // A clone of the committed tree, so `npm start` installs there as on a user's machine.
    clone = mkdtempSync(join(tmpdir(), 'jwt-gate-quick-start-'));
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${root}`, clone]);
    // `npm start`, on a free port instead of 3000.
    server = await startProcess({ command: 'npm', args: ['start'], cwd: clone, timeoutMs: 150_000 });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    if (clone !== undefined) rmSync(clone, { recursive: true, force: true });
  });

  it('starts the server with npm start, then logs in and calls /me with the curl lines', () => {
    expect(steps[0]?.command).toMatch(/^npm start\b/m);
    const walk = steps.find((step) => step.command.includes('curl'));
    expect(walk).toBeDefined();
    const script = (walk?.command ?? '').replaceAll('127.0.0.1:3000', `127.0.0.1:${server.port}`);
    const run = spawnSync('bash', ['-c', script], { cwd: clone, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sub: 'alice', roles: ['admin'] });
  });
});
