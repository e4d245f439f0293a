#!/usr/bin/env bash
# PostgreSQL + two app servers + nginx (round-robin) on one machine, the
# scale-out setup of SPEC "Scale-out" in one command.
#
#   scripts/cluster.sh [PORT]         run in the foreground on 127.0.0.1:PORT (8080); Ctrl-C stops all
#   scripts/cluster.sh start DIR PORT start in the background (state in DIR), print the URL
#   scripts/cluster.sh stop DIR       stop what `start` started
#
# To use an existing PostgreSQL server instead, run the servers yourself:
#   DATABASE_URL=postgres://user:pass@host:5432/storefront target/release/storefront --bind 127.0.0.1:8081
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() {
  for _ in $(seq 1 300); do curl -fs "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server at $1 did not come up" >&2; return 1
}

stop_all() {
  local dir=$1
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  for p in "$dir"/app*.pid; do [ -f "$p" ] && kill -TERM "$(cat "$p")" 2>/dev/null || true; done
  sleep 0.5
  scripts/pg-cluster.sh stop "$dir/pg"
}

start_all() {
  local dir=$1 port=$2
  if ! command -v nginx >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends nginx >&2
  fi
  cargo build --release --quiet
  mkdir -p "$dir"
  local server_url db_url
  server_url=$(scripts/pg-cluster.sh start "$dir/pg")
  psql "$server_url" -qc "CREATE DATABASE storefront" >/dev/null
  db_url="${server_url%/*}/storefront"
  local ports=()
  for n in 1 2; do
    local p; p=$(free_port)
    ports+=("$p")
    RUST_LOG="${RUST_LOG:-warn}" ./target/release/storefront --database "$db_url" --bind "127.0.0.1:$p" \
      >"$dir/app$n.log" 2>&1 &
    echo $! >"$dir/app$n.pid"
    # The first server loads the demo data; the second starts on a ready database.
    wait_up "http://127.0.0.1:$p"
  done
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  upstream storefront {
    server 127.0.0.1:${ports[0]};
    server 127.0.0.1:${ports[1]};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 16k;
    location / {
      proxy_pass http://storefront;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout http_503;
    }
  }
}
NGINX
  nginx -c "$dir/nginx.conf"
  wait_up "http://127.0.0.1:$port"
  echo "http://127.0.0.1:$port"
}

case "${1:-}" in
  start) start_all "$2" "$3" ;;
  stop) stop_all "$2" ;;
  *)
    port=${1:-8080}
    dir=$(mktemp -d /tmp/storefront-cluster.XXXXXX)
    trap 'stop_all "$dir"; rm -rf "$dir"' EXIT INT TERM
    url=$(start_all "$dir" "$port")
    echo "Storefront on PostgreSQL, two app servers behind nginx: $url (Ctrl-C stops)"
    while true; do sleep 3600; done
    ;;
esac
