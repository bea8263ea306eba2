#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then again on PostgreSQL. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

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

export TRUSTPORTAL_ARTIFACTS="${TRUSTPORTAL_ARTIFACTS:-$PWD/artifacts}"
unset DATABASE_URL REDIS_URL ELASTICSEARCH_URL

echo "=== Test suite on SQLite ==="
.venv/bin/python -m pytest "$@"

echo "=== Test suite on PostgreSQL ==="
DATABASE_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/trustportal}" \
  .venv/bin/python -m pytest --create-db "$@"
