#!/usr/bin/env bash
# Sets up the portal on the embedded default (SQLite, database search, inline jobs), loads the
# demo content and serves it at http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-sites.settings.dev}"
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"}
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
