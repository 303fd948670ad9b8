#!/usr/bin/env bash
# A release rehearsal that never publishes: in a throwaway clone, apply the pending changesets
# (versions, CHANGELOGs, the adapters' ranges on @jwt-gate/core, the lockfile), check that the
# adapters now ask for the core's new version and that the lockfile still installs frozen, build,
# and run `pnpm publish --dry-run` for every public package and `npm pack --dry-run` of each.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pnpm() { npx -y pnpm@10.34.9 "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$root" "$work/repo"
cd "$work/repo"
pnpm install --frozen-lockfile --prefer-offline >/dev/null
pnpm exec changeset status
# Every public package under packages/, so a new one is rehearsed without editing this script.
published="$(node -e "
const fs = require('fs');
console.log(fs.readdirSync('packages').filter((d) => {
  const file = 'packages/' + d + '/package.json';
  return fs.existsSync(file) && !JSON.parse(fs.readFileSync(file, 'utf8')).private;
}).join(' '))")"
echo "--- public packages: $published"
# The root's version-packages script: changeset version, then the lockfile's specifiers.
pnpm run version-packages >/dev/null
echo "--- versions after changeset version"
for p in $published; do
  node -e "const p=require('./packages/$p/package.json');console.log(p.name+'@'+p.version+(p.dependencies?.['@jwt-gate/core']?'  (@jwt-gate/core '+p.dependencies['@jwt-gate/core']+')':''))"
  head -n 12 "packages/$p/CHANGELOG.md" | sed 's/^/    /'
done
# Each adapter's range must admit the core's new version and no older minor (changesets'
# updateInternalDependencies): what npm and pnpm will put in the published package.json.
node -e "
const core = require('./packages/core/package.json').version;
for (const p of process.argv.slice(1).filter((p) => p !== 'core')) {
  const range = require('./packages/' + p + '/package.json').dependencies?.['@jwt-gate/core'];
  if (range !== '^' + core) { console.error('@jwt-gate/' + p + ' depends on @jwt-gate/core ' + range + ', not ^' + core); process.exit(1); }
}" $published
pnpm install --frozen-lockfile --offline >/dev/null
pnpm run build >/dev/null
pnpm -r --filter './packages/*' publish --dry-run --no-git-checks --access public 2>&1 | grep -E '^(npm notice (name|version|filename|total files)|\+ )' || true
for p in $published; do
  (cd "packages/$p" && npm pack --dry-run --json 2>/dev/null | node -e "
const [pack] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log('npm pack ' + pack.id + ': ' + pack.entryCount + ' files')")
done
echo "Release rehearsal complete; nothing was published."
