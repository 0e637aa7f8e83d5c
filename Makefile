# The two commands of the README: `make run` and `make test`.
.PHONY: run test build frontend clean

GO ?= go
BIN := bin/curia

## run: build Curia (and its web app when needed) and start the demo on http://127.0.0.1:8080
run: build
	./$(BIN) demo

## test: every test, on SQLite and a throwaway PostgreSQL
test:
	scripts/test.sh

## build: the binary, with the web app embedded
build: frontend
	$(GO) build -o $(BIN) ./cmd/curia

## frontend: build the web app when its sources changed
frontend:
	scripts/build-frontend.sh

clean:
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
