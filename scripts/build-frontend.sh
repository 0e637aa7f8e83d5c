#!/usr/bin/env bash
# Builds the web app into frontend/dist when its sources are newer than the
# last build. Installs the npm packages from the lock file first.
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
cd "$scripts/../frontend"
[ -f package.json ] || exit 0
stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html package.json package-lock.json vite.config.* tsconfig.json -newer "$stamp" 2>/dev/null | head -n 1)" ]; then
  exit 0
fi
"$scripts/ensure-node.sh"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run build
