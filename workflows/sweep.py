"""The sweep: what every worker starts with and repeats, so nothing stays stuck.

It relays outbox events that waited for Redis and runs the plugins' maintenance tasks (e.g.
resending what a killed worker left half done). Several workers may sweep at once: every step is
idempotent. With workers, the sweep reschedules itself on RQ's scheduler
(``rqworker --with-scheduler``) every ``TRUSTPORTAL_SWEEP_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from rq.worker import Worker

from cms.plugins import registry

from .jobs import enqueue, inline, schedule
from .outbox import relay_pending

logger = logging.getLogger(__name__)


def sweep_interval() -> int:
    return int(getattr(settings, "TRUSTPORTAL_SWEEP_SECONDS", 60))


def sweep(reschedule: bool = True) -> None:
    """Job body: relay waiting events, run plugin maintenance, then come back later."""
    try:
        for task in [relay_pending, *registry.maintenance_tasks()]:
            try:
                task()
            except Exception:
                # One failing task must not stop the others, nor the sweep coming back.
                logger.exception("Maintenance task %s failed", getattr(task, "__name__", task))
    finally:
        if reschedule and not inline():
            schedule_next_sweep()


def schedule_next_sweep() -> None:
    interval = sweep_interval()
    # One id per period: workers scheduling the same period make one job.
    bucket = int(time.time()) // interval + 1
    schedule(sweep, timedelta(seconds=interval), job_id=f"trustportal-sweep-{bucket}")


class SweepingWorker(Worker):
    """An RQ worker that sweeps as it starts (after a crash or a deploy, the first thing a new
    worker does is pick up what was left)."""

    def run_maintenance_tasks(self):
        first_run = self.last_cleaned_at is None
        super().run_maintenance_tasks()
        if first_run:
            # Enqueued, not run here: this process forks the work horses, and must not hold a
            # database connection they would inherit.
            enqueue(sweep, job_id=f"trustportal-sweep-start-{self.name}")
