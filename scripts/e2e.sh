#!/usr/bin/env bash
# The browser tests of the tablet app: builds the web app and the binary,
# starts `curia demo` on a free loopback port with a throwaway data
# directory, runs `npm run e2e` (playwright-core driving Debian's Chromium)
# against it, and always stops the server. Exits non-zero on any failure.
#
#   scripts/e2e.sh            everything
#   CURIA_E2E_KEEP=1 ...      keep the data directory and the server log
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Debian's chromium for the browser, curl to wait for the server.
scripts/ensure-debian.sh chromium curl
scripts/ensure-node.sh

cd frontend
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run build
cd "$root"

work=$(mktemp -d /tmp/curia-e2e.XXXXXX)
go build -o "$work/curia" ./cmd/curia

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$work/data"
pidfile="$work/server.pid"

stop_server() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop_server
  if [ -n "${CURIA_E2E_KEEP:-}" ]; then
    echo "e2e: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

# Every browser of every test file signs in from 127.0.0.1, against one
# server: the per-address sign-in limit (30 a minute) is for a room of
# tablets with addresses of their own. The per-username limit stays.
# Exported: a test that restarts the server (lib.mjs) starts it the same way.
export CURIA_LOGIN_PER_CLIENT=1000
CURIA_ADDR="127.0.0.1:$port" CURIA_DATA_DIR="$work/data" "$work/curia" demo >"$work/server.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "e2e: the server did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

echo "e2e: curia demo on http://127.0.0.1:$port" >&2
set +e
CURIA_E2E_URL="http://127.0.0.1:$port" \
  CURIA_E2E_BIN="$work/curia" CURIA_E2E_DATA="$work/data" CURIA_E2E_PIDFILE="$pidfile" \
  timeout 900 npm --prefix frontend run --silent e2e
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "e2e: failed ($status); the server log ends with:" >&2
  tail -n 40 "$work/server.log" >&2 || true
fi
exit $status
