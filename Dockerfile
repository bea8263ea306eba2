# syntax=docker/dockerfile:1

# The portal's production image: one image for all of its processes, chosen by the command
# (deploy/entrypoint.sh): `web` (gunicorn, the default), `worker` (RQ jobs), `cron` (the
# sweep), `migrate`, or any other command. compose.yaml runs them all; "Run it with containers"
# in the README says how. scripts/check_image_steps.sh runs the build stage's steps on a
# machine without Docker (tests/test_container_image.py runs it), so keep every path in a RUN
# relative or in a variable: the script lays the image's directories out under a folder of its own.

# The project's Python (pyproject.toml: requires-python >= 3.11, ruff's target-version py311).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    TRUSTPORTAL_VAR_DIR=/var/lib/trustportal \
    STATIC_ROOT=/app/static
# gettext: msgfmt, which compilemessages runs.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*

# The extras installed with the dependencies: production brings gunicorn, s3 django-storages
# (the object store). requirements.py refuses an extra pyproject.toml does not declare.
ARG EXTRAS=production,s3

# Dependencies first, from pyproject.toml alone: a change of code rebuilds none of them.
WORKDIR /build
COPY pyproject.toml deploy/requirements.py ./
RUN python -m venv "$VIRTUAL_ENV" \
 && python requirements.py pyproject.toml "$EXTRAS" > requirements.txt \
 && pip install --requirement requirements.txt

WORKDIR /app
COPY . .
# Static files and translations are made here, once; the running containers only read them.
# Production settings refuse to load without a SECRET_KEY: this one lives for these two
# commands and is in no layer's environment (the containers get theirs at run time).
RUN export DJANGO_SETTINGS_MODULE=sites.settings.production \
    SECRET_KEY=build-time-only-not-a-secret-signs-nothing-that-runs \
 && python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore=static

# The reverse proxy in front of the web containers (compose.yaml's `proxy`): Caddy with the
# static files collected above, so that they always match the image they were collected from.
FROM caddy:2.11-alpine AS proxy
# Caddy's binary may bind ports 80 and 443 without root (the image sets the capability).
RUN addgroup -S -g 10002 caddy \
 && adduser -S -D -H -u 10002 -G caddy caddy \
 && chown -R caddy:caddy /data /config
COPY deploy/Caddyfile /etc/caddy/Caddyfile
COPY --from=build /app/static /srv/static
USER 10002:10002

# The application: web, worker and cron alike. The last stage, so the one built by default.
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=sites.settings.production \
    TRUSTPORTAL_VAR_DIR=/var/lib/trustportal \
    STATIC_ROOT=/app/static
# Fonts that draw viewer names in other scripts than Latin in PDF watermarks
# (cms/delivery/watermark/stamps.py), and the user the processes run as: it owns nothing but
# TRUSTPORTAL_VAR_DIR (files, where no object store is configured); the code is root's.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends fonts-dejavu-core fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --no-create-home \
    --home-dir /var/lib/trustportal --shell /usr/sbin/nologin portal \
 && install --directory --owner=portal --group=portal --mode=0750 /var/lib/trustportal
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# The web server's liveness (/healthz); compose.yaml gives the worker and cron their own checks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py", "web"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
