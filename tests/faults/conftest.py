"""A served portal with its moving parts, for the fault tests: a Redis of its own, an SMTP
server, gunicorn (two worker processes) and an rqworker with ``manage.py cron``, all on the test
database (``committed``: they are other processes)."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import override_settings

from cms.caching import with_timeouts
from tests.faults.postgres_gunicorn import log_lines, postgres_admin, wait_until_serving
from tests.helpers import ROOT, run_python
from tests.smtp_server import free_port
from tests.workers import LOGS, WORKER_PLUGIN_SETTINGS, Worker, gunicorn_command

#: The sweep's interval in these tests: what "within two sweep intervals" is measured in.
SWEEP_SECONDS = 5


@dataclass
class ServedPortal:
    url: str
    processes: list = field(default_factory=list)


def answers(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def enqueue_with_timeouts(redis_server):
    """This process enqueues on the test's Redis, giving up after 2 s as the web processes do
    (a frozen Redis must not hold the test)."""
    url = with_timeouts(redis_server.url, seconds=2)
    with override_settings(
        TRUSTPORTAL_JOBS_INLINE=False,
        REDIS_URL=redis_server.url,
        RQ_QUEUES={"default": {"URL": url, "DEFAULT_TIMEOUT": 600}},
    ):
        yield


@pytest.fixture
def served_portal(request, redis_server, smtp):
    """gunicorn with two worker processes, an rqworker and ``manage.py cron`` (the sweep every
    ``SWEEP_SECONDS``), pointed at the test database, the test's Redis and SMTP server."""

    def process(name: str) -> Worker:
        worker = Worker(
            redis_server.url,
            smtp.port,
            WORKER_PLUGIN_SETTINGS,
            LOGS / f"{request.node.name}-{name}.log",
        )
        worker.env["TRUSTPORTAL_SWEEP_SECONDS"] = str(SWEEP_SECONDS)
        return worker

    cron = process("cron").start_cron()
    worker = process("rqworker").start(with_scheduler=True)
    web = process("gunicorn")
    # The member downloads without pause: far more than a person's hourly budget.
    web.env["TRUSTPORTAL_DOWNLOADS_PER_HOUR"] = "1000000"
    port = free_port()
    web.start_web(port, workers=2, threads=2)
    portal = ServedPortal(f"http://127.0.0.1:{port}", [cron, worker, web])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if answers(portal.url + "/healthz") == 200:
                    break
            except OSError:  # refused until gunicorn listens
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer; see {web.log}")
            time.sleep(0.2)
        yield portal
    finally:
        for running in portal.processes:
            running.kill()


# --- gunicorn over a PostgreSQL database of its own (tests/faults/postgres_gunicorn.py) -----


@pytest.fixture
def postgres_portal(tmp_path):
    """A migrated PostgreSQL database of its own, owned by a role of its own (which the test
    stops from logging in), with a user who has a password and an API token."""
    pytest.importorskip("gunicorn")
    if connection.vendor != "postgresql":
        # Its database is its own whatever the run's: migrating one costs a minute, once is enough.
        pytest.skip("runs once, in the PostgreSQL run of the suite")
    admin = postgres_admin()
    if admin is None:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432 (user postgres)")
    name = f"tp_outage_{os.getpid()}_{secrets.token_hex(3)}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTPORTAL_AUDIT_KEYS": f"2026={secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTPORTAL_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
        "LOG_FORMAT": "json",
        "DATABASE_URL": f"postgres://{name}@127.0.0.1:5432/{name}",
    }
    env.pop("DATABASE_CONN_MAX_AGE", None)  # the default: persistent connections
    try:
        admin.execute(f"CREATE ROLE {name} LOGIN")
        admin.execute(f"CREATE DATABASE {name} OWNER {name}")
        run_python(
            "import django; django.setup()\n"
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            "print('{}')",
            env,
            timeout=300,
        )
        made = run_python(
            "import django, json; django.setup()\n"
            "from django.contrib.auth import get_user_model\n"
            "from wagtail.models import APIToken\n"
            "user = get_user_model().objects.create_user('outage-reader', password='pw-outage')\n"
            "_token, plaintext = APIToken.create_token(user=user, name='outage')\n"
            "print(json.dumps({'token': plaintext}))",
            env,
        )
        yield {"name": name, "env": env, "admin": admin, "token": made["token"]}
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {name}")
        admin.close()


@pytest.fixture
def gunicorn(postgres_portal, tmp_path):
    """The portal served by gunicorn (one process, four threads) over that database; yields
    ``(base URL, log lines so far)``."""
    port = free_port()
    log_file = tmp_path / "gunicorn.log"
    with log_file.open("w") as log:
        server = subprocess.Popen(
            gunicorn_command(port, threads=4),
            cwd=ROOT,
            env=postgres_portal["env"],
            stdout=log,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        yield base, lambda: log_lines(log_file)
    finally:
        server.terminate()
        server.wait(timeout=30)
