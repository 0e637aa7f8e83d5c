# The two commands of the README: `make run` and `make test`.
.PHONY: run test build frontend fonts clean

GO ?= go
BIN := bin/curia
# `curia version` prints this: the commit (git describe), or "dev" without git.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

## run: build Curia (and its web app when needed) and start the demo on http://127.0.0.1:8080
run: fonts build
	./$(BIN) demo

## test: every test, on SQLite and a throwaway PostgreSQL
test:
	scripts/test.sh

## build: the binary, with the web app embedded
build: frontend
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/curia

## fonts: DejaVu, so watermarks and the demo's PDFs keep Vietnamese accents (without it they fold to ASCII)
fonts:
	@scripts/ensure-debian.sh fonts-dejavu-core || \
	  echo "make: going on without fonts-dejavu-core: watermarks and the demo's PDFs will spell Vietnamese without accents" >&2

## frontend: build the web app when its sources changed
frontend:
	scripts/build-frontend.sh

clean:
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
