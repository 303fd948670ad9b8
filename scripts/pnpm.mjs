// Runs the pnpm this repository pins, so the root's npm scripts work with only Node and npm:
// `npm run build` is `node scripts/pnpm.mjs exec turbo run build`.

import { spawnSync } from 'node:child_process';
import { pnpmCommand, root } from './packing.mjs';

const [command, ...args] = pnpmCommand();
const result = spawnSync(command, [...args, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
