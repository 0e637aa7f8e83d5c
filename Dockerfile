# Curia: one static binary with the web app embedded.
# Build:  docker build -t curia .
# Run:    docker run -p 8080:8080 -e CURIA_ADMIN_PASSWORD=… -v curia-data:/data curia

# 1. The web app (skipped while the repository has no frontend/package.json).
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; else mkdir -p dist; fi

# 2. The binary, without cgo (SQLite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/frontend/dist/ ./frontend/dist/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/curia ./cmd/curia

# 3. The runtime: Debian slim for the fonts that per-reader watermarks use
#    (Vietnamese needs a font with its diacritics), as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin curia \
 && install -d -o curia -g curia /data
COPY --from=build /out/curia /usr/local/bin/curia
USER curia
WORKDIR /data
ENV CURIA_ADDR=0.0.0.0:8080 CURIA_DATA_DIR=/data CURIA_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 CMD ["curia", "health"]
ENTRYPOINT ["curia"]
CMD ["serve"]
