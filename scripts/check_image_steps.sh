#!/usr/bin/env bash
# Builds the image's application on this machine, without Docker: runs the Dockerfile's `build`
# stage (a fresh virtualenv with the dependencies from pyproject.toml, collectstatic,
# compilemessages) through scripts/dockerfile_stage.py under a temporary folder, then checks
# what the containers would run: `manage.py check --deploy` with the runtime stage's settings
# and compose.yaml's (the object store's too: the settings refuse it without django-storages)
# must report nothing, the static files and the compiled translations must be there.
# tests/test_container_image.py runs it. Takes about a minute with the wheel cache filled.
#
# The wheel cache (var/cache/image-wheels, or IMAGE_WHEEL_CACHE) holds wheels of the image's
# requirements; the build's pip installs from it alone, offline. It is filled from the package
# index when a requirement is missing from it (the first run, a new dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
case "$PYTHON" in /*) ;; */*) PYTHON="$PWD/$PYTHON" ;; esac
cache="${IMAGE_WHEEL_CACHE:-$PWD/var/cache/image-wheels}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tp-image-steps.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"

extras="$("$PYTHON" scripts/dockerfile_stage.py arg EXTRAS)"
"$PYTHON" deploy/requirements.py pyproject.toml "$extras" >"$work/requirements.txt"
(
  # Two runs at once (the suite on SQLite and on PostgreSQL) fill it one after the other.
  flock 9
  if ! "$PYTHON" -m pip wheel --quiet --no-index --find-links "$cache" --wheel-dir "$cache" \
      --requirement "$work/requirements.txt" >/dev/null 2>&1; then
    echo "=== Filling the wheel cache ($cache) from the package index ==="
    "$PYTHON" -m pip wheel --quiet --find-links "$cache" --wheel-dir "$cache" \
      --requirement "$work/requirements.txt"
  fi
) 9>"$cache.lock"

echo "=== The Dockerfile's build stage, under $work/image ==="
"$PYTHON" scripts/dockerfile_stage.py run build "$work/image" \
  --run-env PIP_NO_INDEX=1 --run-env "PIP_FIND_LINKS=$cache" --run-env PIP_QUIET=1

echo "=== What the runtime stage would run ==="
runtime_env=()
while IFS= read -r line; do runtime_env+=("$line"); done \
  < <("$PYTHON" scripts/dockerfile_stage.py env runtime "$work/image")
app="$work/image/app"
secret_key="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
audit_key="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
in_image() {
  # The runtime stage's environment alone, and what compose.yaml gives every container.
  (cd "$app" && env -i "${runtime_env[@]}" \
    SECRET_KEY="$secret_key" \
    TRUSTPORTAL_AUDIT_KEYS="2026=$audit_key" \
    ALLOWED_HOSTS=portal.example \
    CSRF_TRUSTED_ORIGINS=https://portal.example \
    TRUSTPORTAL_BASE_URL=https://portal.example \
    TRUSTPORTAL_TRUSTED_PROXY_COUNT=1 \
    DATABASE_URL="sqlite:///$work/check.sqlite3" \
    TRUSTPORTAL_S3_BUCKET=trustportal \
    TRUSTPORTAL_S3_ENDPOINT_URL=http://objectstore:8333 \
    TRUSTPORTAL_S3_ACCESS_KEY_ID=trustportal \
    TRUSTPORTAL_S3_SECRET_ACCESS_KEY=not-a-secret \
    TRUSTPORTAL_S3_MEDIA_URL=https://portal.example \
    "$@")
}
python_used="$(in_image python -c 'import sys; print(sys.prefix)')"
[ "$python_used" = "$work/image/opt/venv" ] || {
  echo "the runtime's python is $python_used, not the image's virtualenv" >&2
  exit 1
}
in_image python manage.py check --deploy --fail-level WARNING

static="$(find "$app/static" -type f | wc -l)"
echo "static files collected: $static"
[ -f "$app/static/wagtailadmin/css/core.css" ] || { echo "no Wagtail admin CSS in static/" >&2; exit 1; }
# Every catalogue compiled (the build context has no .mo file: .dockerignore leaves them out).
catalogues=0
while IFS= read -r po; do
  [ -s "${po%.po}.mo" ] || { echo "${po#"$app"/}: not compiled" >&2; exit 1; }
  catalogues=$((catalogues + 1))
done < <(find "$app" -name '*.po' -not -path "$app/static/*")
[ "$catalogues" -ge 4 ] || { echo "only $catalogues translation catalogues" >&2; exit 1; }
echo "translations compiled: $catalogues catalogues"
echo "=== The image's build steps pass ==="
