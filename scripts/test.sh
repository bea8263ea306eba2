#!/usr/bin/env bash
# Runs the whole test suite on SQLite and on PostgreSQL, both at once (one per core; each has
# its own database, files and ports). Installs what it needs. TEST_PARALLEL=0 runs them one
# after the other with live output (for -x, --pdb and the like; with TEST_WORKERS=0 for --pdb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# Lint (pyproject.toml's [tool.ruff]): among others, every broad except says why (BLE).
echo "=== Lint (ruff check) ==="
.venv/bin/ruff check --quiet .

# The layers and contracts of docs/architecture.md, read from the code's own imports.
echo "=== Import contracts (lint-imports) ==="
.venv/bin/lint-imports --no-cache | sed -n '/^Contracts:/p; /BROKEN/,$p'

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's Chromium for the browser tests (never a downloaded browser build), and fonts that
# draw non-Latin viewer names in PDF watermarks.
if ! command -v chromium >/dev/null 2>&1 || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-dejavu-core fonts-droid-fallback >/dev/null
fi

# redis-server: the notification tests start their own on a free port (and stop it).
if ! command -v redis-server >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi

# PostgreSQL (the machine's own server) for the second run.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# A real OpenID Connect provider (npm's oidc-provider, pinned in tests/oidc/package-lock.json).
if [ ! -d tests/oidc/node_modules ]; then
  npm ci --prefix tests/oidc --no-audit --no-fund --silent
fi
# axe-core for the accessibility tests (pinned in tests/browser/package-lock.json).
if [ ! -d tests/browser/node_modules ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --silent
fi

artifacts="${TRUSTPORTAL_ARTIFACTS:-$PWD/artifacts}"
postgres_url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/trustportal}"
unset DATABASE_URL REDIS_URL ELASTICSEARCH_URL TRUSTPORTAL_ARTIFACTS
# The SQLite run moves the portal into a fresh PostgreSQL database: named after this run's
# PostgreSQL database, so that runs on other databases of the same server never share it.
export TRUSTPORTAL_IMPORT_TEST_DATABASE_URL="${TRUSTPORTAL_IMPORT_TEST_DATABASE_URL:-${postgres_url}_import}"

# Each run split over TEST_WORKERS processes (pytest-xdist; default: one per core, so with both
# runs at once two per core), a module's tests kept in one process (its fixtures are built once).
# TEST_WORKERS=0 runs each in a single process.
workers="${TEST_WORKERS:-$(nproc)}"
if [ "$workers" = 0 ]; then split=(); else split=(-n "$workers" --dist loadfile); fi
on_sqlite() {
  TRUSTPORTAL_ARTIFACTS="$artifacts/sqlite" .venv/bin/python -m pytest "${split[@]}" \
    --durations=15 "$@"
}
on_postgres() {
  DATABASE_URL="$postgres_url" TRUSTPORTAL_ARTIFACTS="$artifacts/postgresql" \
    .venv/bin/python -m pytest "${split[@]}" --create-db --durations=15 "$@"
}

if [ "${TEST_PARALLEL:-1}" = 0 ]; then
  echo "=== Test suite on SQLite ==="
  on_sqlite "$@"
  echo "=== Test suite on PostgreSQL ==="
  on_postgres "$@"
  exit 0
fi

logs="var/test/logs/$$"
mkdir -p "$logs"
echo "=== Test suite on SQLite and on PostgreSQL, at once (logs in $logs/) ==="
# Job control: each run in its own process group, so that an interrupt reaches it (and pytest
# stops the workers and servers it started) instead of being ignored by a background job.
set -m
on_sqlite "$@" >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
on_postgres "$@" >"$logs/postgresql.log" 2>&1 &
postgres_pid=$!
set +m
trap 'kill -INT -- "-$sqlite_pid" "-$postgres_pid" 2>/dev/null || true' INT TERM
set +e
wait "$sqlite_pid"
sqlite_status=$?
wait "$postgres_pid"
postgres_status=$?
set -e
trap - INT TERM

echo "=== Test suite on SQLite (exit status $sqlite_status) ==="
cat "$logs/sqlite.log"
echo "=== Test suite on PostgreSQL (exit status $postgres_status) ==="
cat "$logs/postgresql.log"
echo "=== SQLite: $(tail -n 1 "$logs/sqlite.log")"
echo "=== PostgreSQL: $(tail -n 1 "$logs/postgresql.log")"
[ "$sqlite_status" = 0 ] && [ "$postgres_status" = 0 ]
