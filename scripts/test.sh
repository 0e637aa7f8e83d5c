#!/usr/bin/env bash
# Every test Curia has: formatting, go vet, staticcheck, the Go tests with
# the race detector on SQLite and on a throwaway PostgreSQL cluster, the web
# app's type check and unit tests, and the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts with Vietnamese glyphs for watermarks; poppler and qpdf to read PDFs
# back in tests; a C compiler, which the race detector needs (cgo).
scripts/ensure-debian.sh fonts-dejavu-core poppler-utils qpdf gcc libc6-dev
scripts/ensure-node.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test -race (SQLite and PostgreSQL)"
scripts/with-postgres.sh go test -race -count=1 -timeout 20m ./...

echo "== frontend: type check and unit tests"
(cd frontend && { { [ -d node_modules ] && [ ! package-lock.json -nt node_modules ]; } || npm ci --no-audit --no-fund; } && npm run typecheck && npm test)

echo "== browser tests (playwright-core, Debian's Chromium)"
scripts/e2e.sh
