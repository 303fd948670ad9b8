// `npm start [-- <example>]`: installs what one example needs and starts it (default: express).
// A fresh clone gets the example's runtime dependencies only (no test tooling, no Deno or Bun
// binaries); a clone that already has the full workspace installed keeps it. Ctrl-C stops the
// server and exits quietly.
// Usage: npm start [-- express|koa|hono|fastify|fetch|microservices|...]

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pnpmCommand, root } from './packing.mjs';

const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'examples', entry.name, 'package.json')))
  .map((entry) => entry.name);
const name = process.argv[2] ?? 'express';
if (!examples.includes(name)) {
  console.error(`start: no example "${name}"; choose one of ${examples.join(', ')} (npm start -- ${examples[0]})`);
  process.exit(2);
}
const dir = join(root, 'examples', name);
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** True when node_modules holds the whole workspace with its dev dependencies (after `npm test`, say). */
function fullInstall() {
  const modules = join(root, 'node_modules', '.modules.yaml');
  return existsSync(modules) && /"?devDependencies"?:\s*true/.test(readFileSync(modules, 'utf8'));
}

const pnpm = pnpmCommand();
// Switching between a full and a production install makes pnpm rebuild node_modules; it asks
// first on a terminal, so the answer is given here.
const install = fullInstall()
  ? ['install', '--frozen-lockfile']
  : ['install', '--frozen-lockfile', '--prod', '--config.confirmModulesPurge=false', `--filter=${manifest.name}...`];
try {
  execFileSync(pnpm[0], [...pnpm.slice(1), ...install], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
} catch {
  console.error(`\nstart: installing the ${name} example failed (its output is above).`);
  process.exit(1);
}

// The example's own start script, run with its binaries on the PATH (what `pnpm start` would do,
// without the shell wrapper that reports Ctrl-C as a failure).
const path = [join(dir, 'node_modules', '.bin'), join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter);
// In a process group of its own, so a signal reaches the shell, tsx and the server alike, whether
// it is Ctrl-C on a terminal or a kill from a script; then wait for the server to stop.
const detached = process.platform !== 'win32';
const server = spawn(manifest.scripts.start, { cwd: dir, stdio: 'inherit', shell: true, detached, env: { ...process.env, PATH: path } });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    try {
      if (detached) process.kill(-server.pid, signal);
      else server.kill(signal);
    } catch {
      // Already gone.
    }
  });
}
server.on('exit', (code, signal) => {
  const stopped = signal === 'SIGINT' || signal === 'SIGTERM' || code === 130 || code === 143;
  process.exit(stopped ? 0 : (code ?? 1));
});
