#!/usr/bin/env bash
# Installs the Debian packages given as arguments when they are missing
# (one apt-get update, only when something is missing). A package that
# was removed but not purged (dpkg state "rc": its configuration files
# are left) is missing too. Without root and without sudo it says what to
# install as root and fails.
set -euo pipefail
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ensure-debian: this is not a Debian system (no dpkg-query): install $* with your system's package manager and run again" >&2
  exit 1
fi
missing=()
for p in "$@"; do
  # One line per architecture of a multi-arch package; "installed" on any is enough.
  status=$(dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null || true)
  grep -qx installed <<<"$status" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "ensure-debian: ${missing[*]} missing, and this user is not root and has no sudo." >&2
  echo "ensure-debian: as root, run: apt-get update && apt-get install --no-install-recommends ${missing[*]}" >&2
  echo "ensure-debian: then run this again." >&2
  exit 1
fi
echo "ensure-debian: installing ${missing[*]}" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
