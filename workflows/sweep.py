"""The sweep: what every worker starts with and repeats, so nothing stays stuck.

It relays outbox events that waited for Redis and runs the plugins' maintenance tasks (e.g.
resending what a killed worker left half done, putting the next digests on RQ's scheduler).
Several workers may sweep at once: every step is idempotent. With workers, RQ's cron scheduler
(``manage.py cron``, ``workflows/cron.py``) enqueues it every ``TRUSTPORTAL_SWEEP_SECONDS``; its
schedule lives in that process, not in Redis, so a Redis that comes back empty loses nothing.
Every worker also sweeps as it starts.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from redis.exceptions import RedisError
from rq.worker import Worker

from cms.plugins import registry

from .jobs import enqueue
from .outbox import relay_pending

logger = logging.getLogger(__name__)


def sweep_interval() -> int:
    return int(getattr(settings, "TRUSTPORTAL_SWEEP_SECONDS", 60))


def sweep() -> None:
    """Job body: relay waiting events, run plugin maintenance."""
    for task in [relay_pending, *registry.maintenance_tasks()]:
        try:
            task()
        except Exception:
            # One failing task must not stop the others.
            logger.exception("Maintenance task %s failed", getattr(task, "__name__", task))


class SweepingWorker(Worker):
    """An RQ worker that sweeps as it starts (after a crash or a deploy, the first thing a new
    worker does is pick up what was left), and that outlives a Redis outage.

    RQ's worker quits when Redis fails at any moment but the wait for a job (while a job runs, at
    a heartbeat), leaving a supervisor to start another. Ours waits until Redis answers and
    carries on in the same process, so an outage never needs anyone to restart a worker.
    """

    #: While Redis does not answer, RQ waits longer after each failed attempt, up to a minute:
    #: after a short outage a worker would idle long after Redis is back. Asking at least every
    #: 5 s keeps what waited (the next sweep, its fan-outs) within seconds of Redis returning.
    max_connection_wait_time = 5.0

    def work(self, burst: bool = False, *args, **kwargs) -> bool:
        worked = False
        while True:
            try:
                worked = super().work(burst, *args, **kwargs) or worked
            except RedisError as error:
                # RQ's loop ended, and its teardown could not tell Redis the worker stopped.
                self.log.warning("Worker %s: Redis failed as it stopped: %s", self.name, error)
            asked_to_end = burst or kwargs.get("max_jobs") or kwargs.get("max_idle_time")
            if asked_to_end or self._shutdown_requested_date is not None:
                return worked  # a signal, or the end it was started for: really stop
            # Any other end of RQ's loop is an error it logged; after a Redis failure, the
            # common case, the loop can only start again once Redis answers.
            self._wait_for_redis()

    def _wait_for_redis(self) -> None:
        if self._horse_pid:
            # The job RQ was watching when it quit: its horse ends on its own (our jobs are
            # idempotent, and what it left undone the sweep takes up again). Reap it first.
            self.wait_for_horse()
            self._horse_pid = 0
        pause = 1.0
        while True:
            try:
                self.connection.ping()
                # RQ refuses to register a worker whose name is registered as alive: the
                # teardown that would have said otherwise failed with Redis.
                self.register_death()
                break
            except RedisError:
                time.sleep(pause)
                pause = min(pause * 2, self.max_connection_wait_time)
        self.log.warning("Worker %s: Redis answers again; carrying on", self.name)

    def run_maintenance_tasks(self):
        first_run = self.last_cleaned_at is None
        super().run_maintenance_tasks()
        if first_run:
            # Enqueued, not run here: this process forks the work horses, and must not hold a
            # database connection they would inherit.
            enqueue(sweep, job_id=f"trustportal-sweep-start-{self.name}")
