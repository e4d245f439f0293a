#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need when
# missing (Debian's chromium + chromium-driver for the browser tests, axe-core
# from npm for their accessibility checks, the Nu Html Checker (vnu-jar from npm,
# on Debian's Java) for HTML validation,
# PostgreSQL for the second backend), then runs every test — unit, property,
# HTTP integration and browser — on SQLite, and the HTTP suite again on a
# private PostgreSQL cluster (scripts/pg-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
  || ! fc-list 2>/dev/null | grep -qi wqy; then
  # A Chinese font too, so the screenshots (target/screenshots) show the text.
  echo "== installing chromium, chromium-driver and a Chinese font for the browser tests"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-wqy-microhei
fi

# axe-core (the npm package's axe.min.js) for the browser suite's accessibility checks.
if [ ! -f target/axe/node_modules/axe-core/axe.min.js ]; then
  echo "== installing axe-core (npm) for the accessibility checks"
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends nodejs npm
  fi
  mkdir -p target/axe
  (cd target/axe && npm install --no-audit --no-fund --silent axe-core@4.14)
fi

# The Nu Html Checker (vnu.jar from npm, on Debian's Java) for the HTML validation test.
if [ ! -f target/vnu/node_modules/vnu-jar/build/dist/vnu.jar ] || ! command -v java >/dev/null 2>&1; then
  echo "== installing the Nu Html Checker (vnu-jar from npm, Java from Debian)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends default-jre-headless nodejs npm
  fi
  mkdir -p target/vnu
  (cd target/vnu && npm install --no-audit --no-fund --silent vnu-jar@26.9.27)
fi

# Every suite runs to its end, on both backends, so that a failure shows all
# that failed; the exit status is the first failure's. What the failing tests
# said is repeated at the very end (from target/test-output.log).
log=target/test-output.log
mkdir -p target
status=0
cargo test --all-targets --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?

echo "== the HTTP suite on PostgreSQL"
pgdir=$(mktemp -d /tmp/storefront-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
url=$(scripts/pg-cluster.sh start "$pgdir")
STOREFRONT_TEST_PG="$url" cargo test --test web --no-fail-fast "$@" 2>&1 | tee -a "$log" \
  || { [ "$status" -ne 0 ] || status=$?; }
if [ "$status" -ne 0 ]; then
  echo "== what the failing tests said"
  grep -E -A12 "^---- |panicked at" "$log" | grep -v -E "^ +[0-9]+: |^ +at " | head -150 || true
fi
exit "$status"
