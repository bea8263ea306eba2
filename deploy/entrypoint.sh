#!/bin/sh
# The image's entry point: reads secrets from files, then runs the process its command names.
#
#   web       gunicorn serving the portal on port 8000 (the default)
#   worker    an RQ worker with its scheduler (jobs, digests, retries); run any number
#   cron      the periodic sweep (one per deployment, or one per machine: its jobs are idempotent)
#   migrate   the database migrations (compose.yaml's one-shot `migrate`)
#   anything else runs as given: `docker compose run --rm web python manage.py createsuperuser`
#
# Secrets: for each variable NAME_FILE in the environment, NAME is set to the content of the
# file it names (without its final line breaks) and NAME_FILE is unset, so that compose's
# secrets (/run/secrets/...) reach the settings, which read the environment. Setting both NAME
# and NAME_FILE is refused: which of the two should win would be a guess.
set -eu

for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)_FILE=.*$/\1/p'); do
  eval "file=\${${name}_FILE}"
  if eval "[ -n \"\${${name}+set}\" ]"; then
    echo "entrypoint: both $name and ${name}_FILE are set; set only one" >&2
    exit 64
  fi
  if [ ! -r "$file" ]; then
    echo "entrypoint: ${name}_FILE names $file, which cannot be read" >&2
    exit 66
  fi
  value="$(cat "$file")"
  export "$name=$value"
  unset "${name}_FILE"
done

command="${1:-web}"
[ "$#" -eq 0 ] || shift
case "$command" in
  web)
    # Workers and threads per container: WEB_CONCURRENCY and GUNICORN_THREADS; each thread
    # holds a database connection (see DATABASE_CONN_MAX_AGE in the README). Heartbeat files
    # in memory: /tmp may sit on a slow disk, where a stalled write looks like a hung worker.
    exec gunicorn sites.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-4}" \
      --threads "${GUNICORN_THREADS:-1}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --worker-tmp-dir /dev/shm \
      "$@"
    ;;
  worker) exec python manage.py rqworker default --with-scheduler "$@" ;;
  cron) exec python manage.py cron "$@" ;;
  migrate) exec python manage.py migrate --noinput "$@" ;;
  *) exec "$command" "$@" ;;
esac
