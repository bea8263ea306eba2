"""The outbox of core events: written with the publish, relayed to the queue after commit.

``record`` runs inside the publishing transaction, so the event exists exactly when the publish
does. ``relay`` hands it to the queue after commit; if Redis is down it stays pending and
``relay_pending`` (run by the sweep every worker starts, and by ``manage.py sweep``) retries.
``handle`` is the job: it runs the handlers and marks the row handled. Handlers may still run
twice (a worker killed after they finished, before the mark), so they stay idempotent, keyed by
``event.event_id``.

A handler that fails makes the event wait (backoff, ``TRUSTPORTAL_OUTBOX_RETRY_SECONDS``
doubled at each failure, at most an hour) and come back with the sweep; after
``TRUSTPORTAL_OUTBOX_MAX_ATTEMPTS`` runs it is marked failed and left for staff (the admin's
"Outbox events", where it can be retried), so one poison event is neither retried for ever nor
dropped without a trace.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError

from cms.events import run_handlers

from .jobs import backoff_seconds, enqueue, inline
from .models import OutboxEvent

logger = logging.getLogger(__name__)

#: A relayed event not handled after this long is relayed again (its job was lost).
RELAY_AGAIN_AFTER = timedelta(minutes=15)


def max_attempts() -> int:
    return int(getattr(settings, "TRUSTPORTAL_OUTBOX_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    base = int(getattr(settings, "TRUSTPORTAL_OUTBOX_RETRY_SECONDS", 60))
    return timedelta(seconds=backoff_seconds(base, attempts))


def record(event) -> str:
    """Write ``event`` to the outbox in the current transaction; relay it once that commits."""
    payload = {k: v for k, v in asdict(event).items() if k != "event_id"}
    row = OutboxEvent.objects.create(name=type(event).__name__, payload=payload)
    transaction.on_commit(lambda: relay(row.pk))
    return str(row.pk)


def relay(outbox_id, attempt: int = 0) -> bool:
    """Hand one outbox event to the queue (or run it, inline). False when Redis is unreachable."""
    if inline():
        enqueue(handle, str(outbox_id))
        return True
    try:
        # One job id per attempt: a failed attempt stays among RQ's failed jobs for staff.
        enqueue(handle, str(outbox_id), job_id=f"outbox-{outbox_id}-{attempt}")
    except RedisError as error:
        logger.warning("Outbox event %s waits for Redis: %s", outbox_id, error)
        return False
    OutboxEvent.objects.filter(pk=outbox_id).update(relayed_at=timezone.now())
    return True


def handle(outbox_id: str) -> None:
    """Job body: run the handlers of one outbox event that is open and due. A failure is
    recorded (backoff, or failed for good) and raised, so the job shows as failed too."""
    now = timezone.now()
    row = OutboxEvent.objects.filter(due(now), pk=outbox_id).first()
    if row is None:
        return
    attempts = row.attempts + 1
    OutboxEvent.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    try:
        run_handlers(row.name, row.payload, event_id=str(row.pk))
    except Exception as error:
        _record_failure(row.pk, attempts, error)
        raise
    OutboxEvent.objects.filter(pk=row.pk).update(handled_at=timezone.now(), last_error="")


def due(now) -> Q:
    """Open events whose backoff, if any, is over."""
    waited = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Q(handled_at__isnull=True, failed_at__isnull=True) & waited


def _record_failure(outbox_id, attempts: int, error: Exception) -> None:
    now = timezone.now()
    message = f"attempt {attempts}: {error!r}"[:4000]
    if attempts >= max_attempts():
        logger.error("Outbox event %s failed %d times; left for staff", outbox_id, attempts)
        changes = {"failed_at": now}
    else:
        # relayed_at cleared: the sweep relays it again once the backoff is over.
        changes = {"next_attempt_at": now + backoff(attempts), "relayed_at": None}
    OutboxEvent.objects.filter(pk=outbox_id).update(last_error=message, **changes)


def retry(outbox_id) -> bool:
    """Staff's retry of a failed event: a fresh set of attempts, relayed now."""
    reset = OutboxEvent.objects.filter(
        pk=outbox_id, handled_at__isnull=True, failed_at__isnull=False
    ).update(failed_at=None, next_attempt_at=None, relayed_at=None, attempts=0)
    if reset:
        transaction.on_commit(lambda: relay(outbox_id, attempt=0))
    return bool(reset)


def relay_pending(limit: int = 1000) -> int:
    """Relay the due events never relayed (Redis was down, or a failed attempt's backoff is
    over) or relayed long ago and never handled (the job was lost)."""
    now = timezone.now()
    stale = now - RELAY_AGAIN_AFTER
    waiting = OutboxEvent.objects.filter(due(now)).filter(
        Q(relayed_at__isnull=True) | Q(relayed_at__lt=stale)
    )
    relayed = 0
    rows = waiting.order_by("created_at").values_list("pk", "attempts")[:limit]
    for outbox_id, attempts in rows:
        if not relay(outbox_id, attempt=attempts):
            break
        relayed += 1
    return relayed
