"""The outbox of core events: written with the publish, relayed to the queue after commit.

``record`` runs inside the publishing transaction, so the event exists exactly when the publish
does. ``relay`` hands it to the queue after commit; if Redis is down it stays pending and
``relay_pending`` (run by the sweep every worker starts, and by ``manage.py relay_outbox``)
retries. ``handle`` is the job: it runs the handlers and marks the row handled. Handlers may
still run twice (a worker killed after they finished, before the mark), so they stay idempotent,
keyed by ``event.event_id``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from redis.exceptions import RedisError

from .jobs import enqueue, inline

logger = logging.getLogger(__name__)

#: A relayed event not handled after this long is relayed again (its job was lost).
RELAY_AGAIN_AFTER = timedelta(minutes=15)


def record(event) -> str:
    """Write ``event`` to the outbox in the current transaction; relay it once that commits."""
    from .models import OutboxEvent

    payload = {k: v for k, v in asdict(event).items() if k != "event_id"}
    row = OutboxEvent.objects.create(name=type(event).__name__, payload=payload)
    transaction.on_commit(lambda: relay(row.pk))
    return str(row.pk)


def relay(outbox_id) -> bool:
    """Hand one outbox event to the queue (or run it, inline). False when Redis is unreachable."""
    from .models import OutboxEvent

    if inline():
        enqueue(handle, str(outbox_id))
        return True
    try:
        enqueue(handle, str(outbox_id), job_id=f"outbox-{outbox_id}")
    except RedisError as error:
        logger.warning("Outbox event %s waits for Redis: %s", outbox_id, error)
        return False
    OutboxEvent.objects.filter(pk=outbox_id).update(relayed_at=timezone.now())
    return True


def handle(outbox_id: str) -> None:
    """Job body: run the handlers of one outbox event, once it is known not handled yet."""
    from cms.events import run_handlers

    from .models import OutboxEvent

    row = OutboxEvent.objects.filter(pk=outbox_id, handled_at__isnull=True).first()
    if row is None:
        return
    OutboxEvent.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    run_handlers(row.name, row.payload, event_id=str(row.pk))
    OutboxEvent.objects.filter(pk=row.pk).update(handled_at=timezone.now())


def relay_pending(limit: int = 1000) -> int:
    """Relay the events never relayed (Redis was down) or relayed long ago and never handled."""
    from .models import OutboxEvent

    stale = timezone.now() - RELAY_AGAIN_AFTER
    waiting = OutboxEvent.objects.filter(handled_at__isnull=True).filter(
        Q(relayed_at__isnull=True) | Q(relayed_at__lt=stale)
    )
    relayed = 0
    for outbox_id in waiting.order_by("created_at").values_list("pk", flat=True)[:limit]:
        if not relay(outbox_id):
            break
        relayed += 1
    return relayed
