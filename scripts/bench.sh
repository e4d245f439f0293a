#!/usr/bin/env bash
# Benchmark: the release server on a fresh demo database, driven by wrk over
# loopback, in three set-ups measured in the same run:
#   sqlite  one server on the embedded SQLite file
#   pg1     one server on PostgreSQL (a private cluster)
#   pg2     two servers on PostgreSQL behind nginx (scripts/cluster.sh)
# Prints requests/s and p99 per page side by side, and each page's
# throughput as a ratio of SQLite's in the same run (ratios travel between
# machines; absolute numbers do not). On SQLite the order page is also
# measured against a yardstick in the same run: examples/plain_order.rs, a
# plain actix + askama + diesel page showing the same order, both servers on
# one core, in five alternating rounds (the median ratio is the figure).
#
#   scripts/bench.sh [seconds-per-page] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"

for tool in wrk nginx; do
  if ! command -v $tool >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $tool
  fi
done

cargo build --release --quiet
cargo build --release --quiet --example plain_order
WORK="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 300); do curl -fs "$1/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null || true
  scripts/cluster.sh stop "$WORK/cluster" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$WORK/pg" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

run() { # base path [cookie] -> "rps|p99|non2xx"
  local out
  if [ -n "${3:-}" ]; then
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: sid=$3" "$1$2")"
  else
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1$2")"
  fi
  echo "$(echo "$out" | awk '/Requests\/sec/{print $2}')|$(echo "$out" | awk '$1=="99%"{print $2}')|$(echo "$out" | awk '/Non-2xx/{print $5}')"
}

# Signs in as the demo shopper like a browser, then measures every page.
bench() { # label base
  local base=$2 jar="$WORK/jar-$1" token sid order
  token="$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)"
  curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&account=13800138000&password=demo-pass-2026&next=/" "$base/login"
  sid="$(awk '$6=="sid"{print $7}' "$jar")"
  order="$(curl -fs -H "Cookie: sid=$sid" "$base/orders" | sed -n 's/.*data-order-no="\([0-9]*\)".*/\1/p' | head -1)"
  ORDER="$order"; SID="$sid"
  echo "healthz|/healthz|$(run "$base" /healthz)" >"$WORK/$1"
  echo "catalog|/|$(run "$base" /)" >>"$WORK/$1"
  echo "product|/products/1|$(run "$base" /products/1)" >>"$WORK/$1"
  echo "orders|/orders|$(run "$base" /orders "$sid")" >>"$WORK/$1"
  echo "order_detail|/orders/{no}|$(run "$base" "/orders/$order" "$sid")" >>"$WORK/$1"
  echo "checkout|/checkout|$(run "$base" /checkout "$sid")" >>"$WORK/$1"
}

# 1. SQLite, one server.
PORT=$(free_port)
RUST_LOG=warn ./target/release/storefront --database "$WORK/bench.db" --bind "127.0.0.1:$PORT" >"$WORK/sqlite.log" 2>&1 &
SERVER=$!
wait_up "http://127.0.0.1:$PORT"
bench sqlite "http://127.0.0.1:$PORT"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

# The order page against the yardstick (examples/plain_order.rs: plain actix
# + askama + diesel showing the same order from the same file), on one core
# as the issue measured it: each server pinned to core 0 with one worker,
# wrk on the other core; five alternating rounds, the median ratio.
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then PIN0="taskset -c 0"; PIN1="taskset -c 1"; else PIN0=""; PIN1=""; fi
PORT=$(free_port)
RUST_LOG=warn $PIN0 ./target/release/storefront --database "$WORK/bench.db" --bind "127.0.0.1:$PORT" --workers 1 >"$WORK/sqlite1.log" 2>&1 &
SERVER=$!
wait_up "http://127.0.0.1:$PORT"
PLAIN_PORT=$(free_port)
$PIN0 ./target/release/examples/plain_order "$WORK/bench.db" "127.0.0.1:$PLAIN_PORT" >"$WORK/plain.log" 2>&1 &
PLAIN=$!
sleep 0.5
one_core() { # base path [cookie] -> req/s
  if [ -n "${3:-}" ]; then
    $PIN1 wrk -t1 -c16 -d"${DURATION}s" -H "Cookie: sid=$3" "$1$2" | awk '/Requests\/sec/{print $2}'
  else
    $PIN1 wrk -t1 -c16 -d"${DURATION}s" "$1$2" | awk '/Requests\/sec/{print $2}'
  fi
}
ROUNDS=""
for _ in 1 2 3 4 5; do
  p=$(one_core "http://127.0.0.1:$PLAIN_PORT" "/orders/$ORDER")
  d=$(one_core "http://127.0.0.1:$PORT" "/orders/$ORDER" "$SID")
  ROUNDS="$ROUNDS $d/$p"
done
kill "$PLAIN"; wait "$PLAIN" 2>/dev/null || true
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

# 2. PostgreSQL, one server.
PG_URL=$(scripts/pg-cluster.sh start "$WORK/pg")
psql "$PG_URL" -qc "CREATE DATABASE bench" >/dev/null
PORT=$(free_port)
RUST_LOG=warn ./target/release/storefront --database "${PG_URL%/*}/bench" --bind "127.0.0.1:$PORT" >"$WORK/pg1.log" 2>&1 &
SERVER=$!
wait_up "http://127.0.0.1:$PORT"
bench pg1 "http://127.0.0.1:$PORT"
kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
scripts/pg-cluster.sh stop "$WORK/pg"

# 3. PostgreSQL, two servers behind nginx.
URL=$(scripts/cluster.sh start "$WORK/cluster" "$(free_port)")
bench pg2 "$URL"

printf '\n%-13s %-14s | %9s %8s | %9s %8s %5s | %9s %8s %5s\n' page path "sqlite/s" p99 "pg1/s" p99 ratio "pg2/s" p99 ratio
paste -d'|' "$WORK/sqlite" "$WORK/pg1" "$WORK/pg2" | while IFS='|' read -r name path r1 l1 e1 _ _ r2 l2 e2 _ _ r3 l3 e3; do
  printf '%-13s %-14s | %9s %8s | %9s %8s %5s | %9s %8s %5s\n' "$name" "$path" "$r1" "$l1" "$r2" "$l2" \
    "$(python3 -c "print(f'{$r2/$r1:.2f}')")" "$r3" "$l3" "$(python3 -c "print(f'{$r3/$r1:.2f}')")"
  for e in "$e1" "$e2" "$e3"; do
    if [ -n "$e" ] && [ "$e" != 0 ]; then echo "  ($name: $e non-2xx answers)"; fi
  done
done
echo
echo "order page vs plain page (SQLite, one core each, wrk on the other; order req/s / plain req/s):"
python3 - $ROUNDS <<'PY'
import statistics, sys
pairs = [tuple(map(float, a.split("/"))) for a in sys.argv[1:]]
ratios = [d / p for d, p in pairs]
for d, p in pairs:
    print(f"  {d:9.0f} / {p:9.0f} = {d / p:.2f}x")
print(f"  median {statistics.median(ratios):.2f}x over {len(ratios)} alternating rounds")
PY
echo "($(nproc) cores, ${DURATION}s per page, $CONNECTIONS connections; wrk, servers, PostgreSQL and nginx on one machine; ratio = req/s over SQLite's)"
