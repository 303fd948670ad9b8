import { cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));

/** The directory of a workspace package (`@jwt-gate/express` → packages/express). */
export function packageDir(name: string): string {
  return join(workspace, 'packages', name.replace('@jwt-gate/', ''));
}

/** Where `dependency` resolves from a workspace package's directory. */
function resolvePackageDir(from: string, dependency: string): string {
  const require = createRequire(join(from, 'package.json'));
  let dir = dirname(require.resolve(`${dependency}/package.json`, { paths: [from] }));
  dir = realpathSync(dir);
  return dir;
}

/**
 * Lays out `node_modules` in `dir` as an npm install of the published packages would: each
 * jwt-gate package with its built `dist` and the package.json it is published with
 * (`publishConfig` applied), third-party dependencies linked from the workspace.
 */
export function installBuilt(dir: string, packages: string[], thirdParty: { from: string; name: string }[]): void {
  for (const name of packages) {
    const source = packageDir(name);
    const target = join(dir, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { publishConfig, ...rest } = manifest as { publishConfig?: Record<string, unknown> };
    const { access: _access, ...overrides } = publishConfig ?? {};
    writeFileSync(join(target, 'package.json'), JSON.stringify({ ...rest, ...overrides }, null, 2));
    cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
  }
  for (const { from, name } of thirdParty) {
    const target = join(dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(resolvePackageDir(packageDir(from), name), target, 'dir');
  }
}
