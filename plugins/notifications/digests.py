"""Daily and weekly digests on RQ's scheduler (workers run ``rqworker --with-scheduler``).

Each period has a key, the date it is sent on ("daily:2026-12-02", "weekly:2026-12-07"). The
job of a period has that key as its RQ job id, so several workers scheduling it make one job;
and each digest e-mail is an ``EmailDelivery`` unique per (user, key), so even a job that runs
twice sends each subscriber one digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from workflows.jobs import inline, schedule

from .fanout import attach_to_deliveries
from .models import Frequency, PendingSubprocessorChange, PendingUpdate
from .periods import digest_job_id, next_run, period_key, setting
from .sending import enqueue_batches


def send_digest(frequency: str, key: str) -> int:
    """Job body: one digest e-mail per subscriber with unsent updates (of documents or of the
    subprocessors list) of this period or before."""
    users = set()
    for model in (PendingUpdate, PendingSubprocessorChange):
        users.update(
            model.objects.filter(
                delivery__isnull=True,
                delivery_key__startswith=f"{frequency}:",
                delivery_key__lte=key,
            )
            .values_list("user_id", flat=True)
            .distinct()
        )
    users = sorted(users)
    deliveries = attach_to_deliveries(key, users, include_older_keys=f"{frequency}:")
    enqueue_batches(deliveries, job_prefix=key.replace(":", "-"))
    if not inline():
        schedule_digests()
    return len(deliveries)


def schedule_digests(now: datetime | None = None) -> None:
    """Make sure the next daily and weekly digest jobs are on the scheduler (idempotent)."""
    now = now or timezone.now()
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        at = next_run(frequency, now)
        key = period_key(frequency, now)
        schedule(
            send_digest,
            at,
            frequency,
            key,
            job_id=digest_job_id(key),
            queue=setting("QUEUE"),
        )


def send_due_digests(now: datetime | None = None) -> int:
    """For deployments without workers (cron + ``manage.py send_digests``): send every digest
    whose time has come."""
    now = now or timezone.now()
    sent = 0
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        # The period that ended last: the key of one period before now.
        step = timedelta(days=7 if frequency == Frequency.WEEKLY else 1)
        sent += send_digest(frequency, period_key(frequency, now - step))
    return sent
