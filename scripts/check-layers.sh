#!/usr/bin/env bash
# The layers point one way: web -> service -> domain + db (STYLE.md).
# Fails when a module names a layer it must not. Comment lines are ignored.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
# $1 = folder, $2 = what it must not name (extended regex), $3 = why
forbid() {
  local hits
  hits=$(grep -rnE "$2" "$1" --include='*.rs' | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
  if [ -n "$hits" ]; then
    echo "layer check: $1 $3:"
    echo "$hits"
    status=1
  fi
}

forbid src/web 'crate::db\b|\bdiesel::' 'names the database layer (go through a service)'
forbid src/domain 'crate::(db|service|web)\b|\b(actix[a-z_]*|diesel[a-z_]*|askama[a-z_]*)::' 'names I/O layers or frameworks (the domain is pure)'
forbid src/service '\bactix[a-z_]*::|\baskama[a-z_]*::|crate::web\b' 'names the web layer or its framework'
# Only the db layer (and AppError's conversions) speak diesel.
for f in $(grep -rlE '\bdiesel[a-z_]*::' src --include='*.rs' | grep -vE '^src/db/|^src/error\.rs$'); do
  echo "layer check: $f names diesel outside src/db"
  status=1
done
[ $status -eq 0 ] && echo "layer check: ok"
exit $status
