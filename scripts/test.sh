#!/usr/bin/env bash
# Every test Curia has: formatting, go vet, and the Go tests with the race
# detector on SQLite and on a throwaway PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fonts with Vietnamese glyphs for watermarks; poppler and qpdf to read PDFs back in tests.
scripts/ensure-debian.sh fonts-dejavu-core poppler-utils qpdf

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
