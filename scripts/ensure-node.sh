#!/usr/bin/env bash
# Makes sure Node.js and npm are here for the web app: installs Debian's
# nodejs and npm when they are missing, then checks the version that Vite 8
# needs (20.19 or newer). Debian 13 ships one; on Debian 12, whose nodejs is
# 18, install Node.js 20 or newer first (for example from NodeSource).
set -euo pipefail
here=$(dirname "$0")
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  "$here/ensure-debian.sh" "${need[@]}"
fi
version=$(node -p 'process.versions.node')
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
  echo "Curia's web app needs Node.js 20.19 or newer (for Vite 8); this machine has $version." >&2
  echo "Install a newer Node.js (Debian 13: apt-get install nodejs npm; Debian 12: NodeSource's nodejs 20 or 22) and run again." >&2
  exit 1
fi
