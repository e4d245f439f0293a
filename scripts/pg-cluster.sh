#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for tests or local runs: installs the
# Debian packages when missing, initialises a cluster in a temporary
# directory owned by an unprivileged user, starts it on a free port on
# 127.0.0.1 and prints its URL (postgres://storefront@127.0.0.1:PORT/postgres).
#   scripts/pg-cluster.sh start DIR   -> prints the URL
#   scripts/pg-cluster.sh stop DIR
set -euo pipefail

cmd=${1:-start}
dir=${2:-$(mktemp -d /tmp/storefront-pg.XXXXXX)}

find_bin() {
  local name=$1
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
  done
  command -v "$name" || return 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$cmd" = stop ]; then
  as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  exit 0
fi

if ! find_bin initdb >/dev/null 2>&1 || ! find_bin pg_ctl >/dev/null 2>&1; then
  echo "== installing postgresql for the PostgreSQL tests" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends postgresql postgresql-contrib >&2
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  # The cluster's owner must be able to reach its directory.
  parent=$(dirname "$dir")
  while [ "$parent" != / ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
fi
as_owner "$(find_bin initdb)" -D "$dir/data" -U storefront --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_owner "$(find_bin pg_ctl)" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
echo "postgres://storefront@127.0.0.1:$port/postgres"
