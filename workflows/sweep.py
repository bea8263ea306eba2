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

from django.conf import settings
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
    worker does is pick up what was left)."""

    def run_maintenance_tasks(self):
        first_run = self.last_cleaned_at is None
        super().run_maintenance_tasks()
        if first_run:
            # Enqueued, not run here: this process forks the work horses, and must not hold a
            # database connection they would inherit.
            enqueue(sweep, job_id=f"trustportal-sweep-start-{self.name}")
