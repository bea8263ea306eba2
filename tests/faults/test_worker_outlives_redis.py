"""A worker outlives Redis failing under a running job. RQ's own worker quits then ("found an
unhandled exception, quitting") and leaves restarting it to a supervisor; ours
(``workflows.sweep.SweepingWorker``) waits until Redis answers and carries on in the same
process, so that an outage needs nobody to restart anything."""

from __future__ import annotations

import pytest
import redis
from rq import Queue

from tests.notification_helpers import wait_until
from tests.workers import LOGS, WORKER_PLUGIN_SETTINGS, Worker

RQ_QUITS = ("found an unhandled exception, quitting", "Redis connection timeout, quitting")


@pytest.fixture
def worker(request, redis_server, smtp):
    started = Worker(
        redis_server.url, smtp.port, WORKER_PLUGIN_SETTINGS, LOGS / f"{request.node.name}.log"
    )
    started.log.unlink(missing_ok=True)
    yield started.start(with_scheduler=True)
    started.kill()


def test_a_worker_carries_on_after_redis_fails_while_a_job_runs(redis_server, worker):
    queue = Queue("default", connection=redis.Redis.from_url(redis_server.url))
    running = queue.enqueue("time.sleep", 2)
    assert wait_until(lambda: running.get_status(refresh=True) == "started", timeout=60)

    redis_server.stop()  # the job ends while Redis is down: its result cannot be recorded
    assert wait_until(lambda: any(quit in worker.log.read_text() for quit in RQ_QUITS))
    redis_server.start()  # and comes back empty

    after = queue.enqueue("os.getpid")
    assert wait_until(lambda: after.get_status(refresh=True) == "finished", timeout=60)
    assert worker.process.poll() is None  # the same worker process did it
    assert "Redis answers again; carrying on" in worker.log.read_text()


def test_a_worker_asked_to_stop_still_stops(redis_server, worker):
    queue = Queue("default", connection=redis.Redis.from_url(redis_server.url))
    assert wait_until(lambda: queue.enqueue("os.getpid").get_status() is not None)
    worker.stop()  # SIGTERM: a warm shut-down, not a failure to recover from
    assert worker.process.returncode is not None


@pytest.mark.django_db
def test_the_worker_class_is_the_one_deployed(settings):
    """``manage.py rqworker`` runs this class (django-rq's ``RQ["WORKER_CLASS"]``). (Also makes
    pytest-django create the test database when this module runs alone.)"""
    from django_rq.workers import get_worker_class

    from workflows.sweep import SweepingWorker

    assert get_worker_class() is SweepingWorker
