"""A served portal with its moving parts, for the fault tests: a Redis of its own, an SMTP
server, gunicorn (two worker processes) and an rqworker with ``manage.py cron``, all on the test
database (``committed``: they are other processes)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from django.test import override_settings

from cms.caching import with_timeouts
from tests.smtp_server import free_port
from tests.workers import LOGS, WORKER_PLUGIN_SETTINGS, Worker

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
