"""The portal's periodic jobs on RQ's cron scheduler, run by ``manage.py cron`` (one process,
or one per machine: every job it enqueues is idempotent).

RQ's own scheduler keeps what it will run in Redis: a Redis restarted without its data (no
persistence, a failover, a flush) forgets it, and a sweep that rescheduled itself there never
came back until someone restarted a worker. The cron scheduler keeps the schedule in its own
process and enqueues each job when it is due, so an emptied Redis costs at most one interval.

RQ's ``CronScheduler`` stops at the first Redis error; ``PortalCronScheduler`` waits for Redis
instead (logged once per outage) and enqueues what fell due meanwhile once Redis answers.
"""

from __future__ import annotations

import logging
import time

from django_rq.cron import DjangoCronScheduler
from redis.exceptions import RedisError
from rq.exceptions import StopRequested

from .sweep import sweep, sweep_interval

logger = logging.getLogger(__name__)

#: Seconds between attempts while Redis does not answer.
RETRY_SECONDS = 2.0


def register_jobs(scheduler: DjangoCronScheduler) -> None:
    scheduler.register(sweep, queue_name="default", interval=sweep_interval(), name="sweep")


class PortalCronScheduler(DjangoCronScheduler):
    """RQ's cron scheduler, carried through Redis outages."""

    def start(self) -> None:
        self._install_signal_handlers()
        logger.info("Cron scheduler %s: %d jobs", self.name, len(self.get_jobs()))
        born = False
        down_since = None
        try:
            while True:
                try:
                    if not born:
                        self.register_birth()
                        born = True
                    if self.enqueue_jobs():
                        self.save()
                    self.heartbeat()
                except RedisError as error:
                    if down_since is None:
                        down_since = time.monotonic()
                        logger.warning("Cron scheduler: Redis unavailable (%s); waiting", error)
                    time.sleep(RETRY_SECONDS)
                    continue
                if down_since is not None:
                    logger.warning(
                        "Cron scheduler: Redis answers again after %.0f s",
                        time.monotonic() - down_since,
                    )
                    down_since = None
                pause = self.calculate_sleep_interval()
                if pause > 0:
                    time.sleep(pause)
        except (KeyboardInterrupt, StopRequested):
            logger.info("Cron scheduler %s: stopping", self.name)
        finally:
            try:
                self.register_death()
            except RedisError:
                pass  # its registry entry expires on its own
