#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need when
# missing (Debian's chromium + chromium-driver for the browser tests,
# PostgreSQL for the second backend), then runs every test — unit, property,
# HTTP integration and browser — on SQLite, and the HTTP suite again on a
# private PostgreSQL cluster (scripts/pg-cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver for the browser tests"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
fi

cargo test --all-targets "$@"

echo "== the HTTP suite on PostgreSQL"
pgdir=$(mktemp -d /tmp/storefront-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pgdir"' EXIT
url=$(scripts/pg-cluster.sh start "$pgdir")
STOREFRONT_TEST_PG="$url" cargo test --test web "$@"
