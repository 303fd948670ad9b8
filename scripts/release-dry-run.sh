#!/usr/bin/env bash
# A release rehearsal that never publishes: in a throwaway clone, apply the pending changesets
# (versions and CHANGELOGs), build, and run `pnpm publish --dry-run` for every public package.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pnpm() { npx -y pnpm@10.34.9 "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone --quiet "$root" "$work/repo"
cd "$work/repo"
pnpm install --frozen-lockfile --prefer-offline >/dev/null
pnpm exec changeset status
pnpm exec changeset version
echo "--- versions after changeset version"
for p in core express koa hono; do
  node -e "const p=require('./packages/$p/package.json');console.log(p.name+'@'+p.version)"
  head -n 12 "packages/$p/CHANGELOG.md" | sed 's/^/    /'
done
pnpm run build >/dev/null
pnpm -r --filter './packages/*' publish --dry-run --no-git-checks --access public 2>&1 | grep -E '^(npm notice (name|version|filename|total files)|\+ )' || true
echo "Release rehearsal complete; nothing was published."
