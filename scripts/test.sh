#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the browser tests
# need (Debian's chromium + chromium-driver) when missing, then runs every
# test: unit, property, HTTP integration and browser.
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
