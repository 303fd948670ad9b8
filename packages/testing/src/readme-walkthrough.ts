import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type StartedProcess } from './process.js';

/** One step of a README walk-through: shell lines, and the output the README shows after them. */
export interface WalkthroughStep {
  readonly command: string;
  readonly expected: readonly string[];
}

/**
 * The `sh` code blocks of one section of a README (from its `## heading` to the next `## `), as
 * steps: each run of command lines with the `# ...` lines that follow it, the output it shows.
 * A comment line starting with two spaces (`#  ...`) continues the line before it.
 */
export function walkthroughSteps(markdown: string, heading: string): WalkthroughStep[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + heading.length + 4);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const steps: WalkthroughStep[] = [];
  for (const [, block] of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let command: string[] = [];
    let expected: string[] = [];
    const flush = () => {
      if (command.length > 0) steps.push({ command: command.join('\n'), expected });
      command = [];
      expected = [];
    };
    for (const line of (block as string).split('\n')) {
      if (line.startsWith('#')) {
        const text = line.replace(/^# ?/, '');
        if (text.startsWith(' ') && expected.length > 0) expected[expected.length - 1] += text.trimStart();
        else expected.push(text);
      } else if (line.trim() === '') {
        if (expected.length > 0) flush();
      } else {
        if (expected.length > 0) flush();
        command.push(line);
      }
    }
    flush();
  }
  return steps;
}

/**
 * A matcher for one line the README shows: `...` stands for anything, and a header whose value is
 * a number (`Retry-After: 58`) for any number; everything else literally. Parts are found left
 * to right, each at its first place after the previous one, which is enough for `...` wildcards.
 */
function lineMatcher(line: string): (actual: string) => boolean {
  line = headerNameLowered(line);
  const numericHeader = /^([A-Za-z-]+): \d+$/.exec(line);
  if (numericHeader !== null) {
    const name = `${numericHeader[1] as string}: `;
    return (actual) => actual.startsWith(name) && /^\d+$/.test(actual.slice(name.length));
  }
  const parts = line.split('...');
  return (actual) => {
    if (parts.length === 1) return actual === line;
    const first = parts[0] as string;
    const last = parts[parts.length - 1] as string;
    if (!actual.startsWith(first) || !actual.endsWith(last) || actual.length < first.length + last.length) return false;
    let at = first.length;
    for (const part of parts.slice(1, -1)) {
      const found = actual.indexOf(part, at);
      if (found === -1) return false;
      at = found + part.length;
    }
    return at <= actual.length - last.length;
  };
}

/** A header line with its name in lower case (servers differ in the case they send). */
function headerNameLowered(line: string): string {
  const header = /^([A-Za-z0-9-]+): /.exec(line);
  return header === null ? line : `${(header[1] as string).toLowerCase()}${line.slice((header[1] as string).length)}`;
}

/**
 * True when every line the README shows appears in `actual`, in order (a `curl -si` prints more
 * headers than a README lists); a blank shown line matches the blank line before a body.
 */
export function showsOutput(expected: readonly string[], actual: string): boolean {
  const lines = actual.replace(/\r/g, '').split('\n').map((line) => headerNameLowered(line.trimEnd()));
  let at = 0;
  for (const shown of expected) {
    const matches = lineMatcher(shown.trimEnd());
    while (at < lines.length && !matches(lines[at] as string)) at++;
    if (at === lines.length) return false;
    at++;
  }
  return true;
}

export interface ReadmeWalkthroughOptions {
  /** The example's directory, holding README.md and src/server.ts. */
  readonly cwd: string;
  /** A label for the test names. */
  readonly name: string;
  /** The README section to run. Default "Walk through it with curl". */
  readonly heading?: string;
  /** The server's entry, run with tsx. Default `src/server.ts`. */
  readonly entry?: string;
}

/**
 * Runs the curl walk-through of an example's README, as written, against the example started as
 * a process, and checks that each command succeeds and prints what the README shows. The README's
 * address (`127.0.0.1:<its port>`) is replaced by the started server's.
 */
export function readmeWalkthrough({ cwd, name, heading = 'Walk through it with curl', entry = 'src/server.ts' }: ReadmeWalkthroughOptions): void {
  const markdown = readFileSync(join(cwd, 'README.md'), 'utf8');
  const steps = walkthroughSteps(markdown, heading);
  const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(steps[0]?.command ?? '')?.[1];

  describe(`${name} example: the README's walk-through, as written`, () => {
    let server: StartedProcess;
    beforeAll(async () => {
      server = await startProcess({ command: process.execPath, args: ['--import', 'tsx', entry], cwd });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('has a walk-through to run', () => {
      expect(steps.length).toBeGreaterThan(3);
      expect(port).toBeDefined();
    });

    it('prints what the README shows, command after command', () => {
      const address = (text: string) => text.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${server.port}`);
      // One shell for the whole section, so its variables and functions carry over; a marker
      // with the exit status closes each step's output.
      const script = steps.map((step, index) => `${address(step.command)}\nprintf '\\n@@step ${index} %s@@\\n' "$?"`).join('\n');
      const run = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const outputs = run.stdout.split(/\n@@step (\d+) (\d+)@@\n/);
      steps.forEach((step, index) => {
        const output = outputs[index * 3] ?? '';
        const status = outputs[index * 3 + 2];
        expect(status, `exit status of:\n${step.command}`).toBe('0');
        const shown = step.expected.map(address);
        expect(showsOutput(shown, output), `${step.command}\nshows:\n${shown.join('\n')}\nprinted:\n${output}`).toBe(true);
      });
    });
  });
}
