#!/usr/bin/env bash
# Benchmark: starts the release server on a fresh demo database and drives it
# with wrk over loopback. Prints requests/s and latency per page, and each
# page's throughput as a ratio of /healthz measured in the same run (ratios
# travel between machines; absolute numbers do not).
#
#   scripts/bench.sh [seconds-per-page] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS="${2:-32}"

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends wrk
fi

cargo build --release --quiet
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
RUST_LOG=warn ./target/release/storefront --database "$WORK/bench.db" --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# Sign in as the demo shopper like a browser: visitor cookie + CSRF token, then POST.
JAR="$WORK/jar"
TOKEN="$(curl -fs -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)"
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -d "csrf_token=$TOKEN&account=13800138000&password=demo-pass-2026&next=/" "$BASE/login"
SID="$(awk '$6=="sid"{print $7}' "$JAR")"
ORDER="$(curl -fs -H "Cookie: sid=$SID" "$BASE/orders" | sed -n 's/.*data-order-no="\([0-9]*\)".*/\1/p' | head -1)"
PRODUCT=1

run() { # name path [cookie]
  local out
  if [ -n "${3:-}" ]; then
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: sid=$3" "$BASE$2")"
  else
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE$2")"
  fi
  local rps p50 p99 errors
  rps="$(echo "$out" | awk '/Requests\/sec/{print $2}')"
  p50="$(echo "$out" | awk '$1=="50%"{print $2}')"
  p99="$(echo "$out" | awk '$1=="99%"{print $2}')"
  errors="$(echo "$out" | awk '/Non-2xx/{print $5}')"
  echo "$1|$2|$rps|$p50|$p99|${errors:-0}"
}

RESULTS=(
  "$(run healthz /healthz)"
  "$(run catalog /)"
  "$(run product "/products/$PRODUCT")"
  "$(run orders /orders "$SID")"
  "$(run order_detail "/orders/$ORDER" "$SID")"
  "$(run checkout /checkout "$SID")"
)
BASE_RPS="$(echo "${RESULTS[0]}" | cut -d'|' -f3)"
printf '\n%-14s %-30s %10s %9s %9s %8s %7s\n' page path req/s p50 p99 non-2xx ratio
for r in "${RESULTS[@]}"; do
  IFS='|' read -r name path rps p50 p99 errors <<<"$r"
  ratio="$(python3 -c "print(f'{float($rps)/float($BASE_RPS):.2f}')")"
  printf '%-14s %-30s %10s %9s %9s %8s %7s\n' "$name" "$path" "$rps" "$p50" "$p99" "$errors" "$ratio"
done
echo
echo "($(nproc) cores, ${DURATION}s per page, $CONNECTIONS connections, wrk and server on one machine)"
