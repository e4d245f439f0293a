#!/usr/bin/env bash
# Does the cost of 我的订单 and the order page stay flat as the orders table
# grows? Seeds two databases with `storefront bench-seed` — 10 k orders
# (1,000 shoppers × 10) and 1 M orders (100,000 shoppers × 10), 2 items each
# — then measures both pages for shopper 1 (same 10 orders in both) with wrk
# in the same run, and prints each page's throughput at 1 M as a ratio of
# its throughput at 10 k (the aim: ≥ 0.9).
#
#   scripts/bench-scale.sh [seconds-per-page] [connections] [large-shoppers]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
LARGE="${3:-100000}"

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends wrk
fi
cargo build --release --quiet
WORK="$(mktemp -d)"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 300); do curl -fs "$1/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }

measure() { # label shoppers
  local db="$WORK/$1.db" port base jar token sid order
  ./target/release/storefront --database "$db" --no-demo-data bench-seed --shoppers "$2" --orders 10 --items 2
  port=$(free_port); base="http://127.0.0.1:$port"
  RUST_LOG=warn ./target/release/storefront --database "$db" --no-demo-data --bind "127.0.0.1:$port" >"$WORK/$1.log" 2>&1 &
  SERVER=$!
  wait_up "$base"
  jar="$WORK/jar-$1"
  token="$(curl -fs -c "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)"
  curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&account=13000000001&password=bench-pass-2026&next=/" "$base/login"
  sid="$(awk '$6=="sid"{print $7}' "$jar")"
  order="$(curl -fs -H "Cookie: sid=$sid" "$base/orders" | sed -n 's/.*data-order-no="\([0-9]*\)".*/\1/p' | head -1)"
  for page in /orders "/orders/$order"; do
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "Cookie: sid=$sid" "$base$page" | awk '/Requests\/sec/{print $2}' >>"$WORK/$1.rps"
  done
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

measure small 1000
measure large "$LARGE"
printf '\n%-14s %12s %12s %7s\n' page "10k orders/s" "large/s" ratio
paste "$WORK/small.rps" "$WORK/large.rps" | { read -r a b; printf '%-14s %12s %12s %7s\n' /orders "$a" "$b" "$(python3 -c "print(f'{$b/$a:.2f}')")"
  read -r a b; printf '%-14s %12s %12s %7s\n' "/orders/{no}" "$a" "$b" "$(python3 -c "print(f'{$b/$a:.2f}')")"; }
echo "(large = $LARGE shoppers × 10 orders; $(nproc) cores, ${DURATION}s a page, $CONNECTIONS connections)"
