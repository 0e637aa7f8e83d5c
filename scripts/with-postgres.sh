#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on a free loopback
# port, exported as CURIA_TEST_POSTGRES, and removes the cluster afterwards.
# Installs Debian's postgresql when initdb is missing. PostgreSQL refuses
# to run as root, so as root the cluster runs as the postgres user.
set -euo pipefail

find_bin() {
  command -v "$1" 2>/dev/null && return
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin initdb)" ]; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "with-postgres: PostgreSQL (initdb) is missing, and this user is not root and has no sudo." >&2
    echo "with-postgres: as root, run: apt-get update && apt-get install postgresql" >&2
    echo "with-postgres: then run this again." >&2
    exit 1
  fi
  echo "with-postgres: installing Debian's postgresql" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

dir=$(mktemp -d /tmp/curia-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg() { runuser -u postgres -- "$@"; }
fi
cleanup() {
  as_pg "$PG_CTL" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_pg "$INITDB" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
started=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  port=$((20000 + RANDOM % 30000))
  if as_pg "$PG_CTL" -D "$dir/data" -l "$dir/log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null; then
    started=yes; break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: could not start PostgreSQL; its log:" >&2
  cat "$dir/log" >&2 || true
  exit 1
fi
export CURIA_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port" >&2
"$@"
