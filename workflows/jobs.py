"""Background jobs: inline on the embedded default, django-rq workers when REDIS_URL is set.

Jobs are plain module-level functions with JSON-friendly arguments, so a job can be retried or
run by any worker; they must be idempotent (safe to run twice, safe to lose mid-run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

logger = logging.getLogger(__name__)


def inline() -> bool:
    return settings.TRUSTPORTAL_JOBS_INLINE


def backoff_seconds(base: int, attempts: int, at_most: int = 3600) -> int:
    """How long to wait after the ``attempts``-th failed try: ``base`` seconds, doubled after
    each further failure, never more than ``at_most``."""
    return min(base * 2 ** (max(attempts, 1) - 1), at_most)


def enqueue(func: Callable, *args, queue: str = "default", job_id: str | None = None, **kwargs):
    """Run ``func`` now (inline mode) or put it on a django-rq queue.

    On a queue, an unreachable Redis raises ``redis.exceptions.RedisError``: callers that must
    not lose the job keep it in the database (the outbox) and let the sweep retry.
    """
    if inline():
        try:
            return func(*args, **kwargs)
        except Exception:
            # Inline mode must behave like a worker: a failing job is logged, never breaks the
            # request that triggered it.
            logger.exception("Inline job %s failed", getattr(func, "__name__", func))
            return None
    import django_rq

    return django_rq.get_queue(queue).enqueue(func, *args, job_id=job_id, **kwargs)


def schedule(
    func: Callable, at: datetime | timedelta, *args, job_id: str, queue: str = "default", **kwargs
):
    """Put ``func`` on RQ's scheduler (workers run with ``--with-scheduler``) unless a job with
    ``job_id`` is already waiting, so several workers scheduling the same period make one job."""
    import django_rq
    from rq.job import Job

    rq_queue = django_rq.get_queue(queue)
    if Job.exists(job_id, connection=rq_queue.connection):
        return None
    if isinstance(at, timedelta):
        return rq_queue.enqueue_in(at, func, *args, job_id=job_id, **kwargs)
    return rq_queue.enqueue_at(at, func, *args, job_id=job_id, **kwargs)


def queue_connection(queue: str = "default"):
    """The Redis connection of a django-rq queue, for small records that must outlive a killed
    worker but not the queue itself (None inline: there is no queue, and no other worker)."""
    if inline():
        return None
    import django_rq

    return django_rq.get_connection(queue)
