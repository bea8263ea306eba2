"""Background jobs: inline on the embedded default, django-rq workers when REDIS_URL is set.

Jobs are plain module-level functions with JSON-friendly arguments, so a job can be retried or
run by any worker; they must be idempotent (safe to run twice, safe to lose mid-run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)


def enqueue(func: Callable, *args, queue: str = "default", **kwargs):
    """Run ``func`` now (inline mode) or put it on a django-rq queue."""
    if settings.TRUSTPORTAL_JOBS_INLINE:
        try:
            return func(*args, **kwargs)
        except Exception:
            # Inline mode must behave like a worker: a failing job is logged, never breaks the
            # request that triggered it.
            logger.exception("Inline job %s failed", getattr(func, "__name__", func))
            return None
    import django_rq

    return django_rq.get_queue(queue).enqueue(func, *args, **kwargs)
