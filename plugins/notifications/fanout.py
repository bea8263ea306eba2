"""From a published update to the e-mails it causes: one ``PendingUpdate`` per subscriber, then
one ``EmailDelivery`` per subscriber who wants it immediately (digests collect theirs later).

Run by a worker after the publish commits, possibly twice: every write is keyed by the event id
(unique constraints, conflicts ignored), so a second run adds nothing and sends nothing new. The
number of queries grows with the number of chunks of subscribers, not with each subscriber.
"""

from __future__ import annotations

import hashlib

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cms.models import DocumentVersion
from cms.plugins import registry

from .models import (
    EmailDelivery,
    Frequency,
    NotificationSettings,
    PendingSubprocessorChange,
    PendingUpdate,
)
from .periods import period_key
from .sending import enqueue_batches

CHUNK = 1000


def subscribers(document_id: int):
    """(user id, frequency) of everyone with notifications on who subscribed to
    ``document_id`` through a plugin (My Library: saving it)."""
    sources = registry.document_subscribers(document_id)
    if not sources:
        # No plugin offers subscriptions (My Library removed): e-mails go to nobody.
        return NotificationSettings.objects.none().values_list("user_id", "frequency")
    subscribed = Q()
    for user_ids in sources:
        subscribed |= Q(user_id__in=user_ids)
    return (
        # A deactivated account (someone who left) is mailed nothing, as the policy treats it
        # like nobody.
        NotificationSettings.objects.filter(subscribed, enabled=True, user__is_active=True)
        .exclude(email="")
        .values_list("user_id", "frequency")
    )


def delivery_key(frequency: str, event_id: str, now=None) -> str:
    if frequency == Frequency.IMMEDIATELY:
        return f"event:{event_id}"
    return period_key(frequency, now or timezone.now())


def on_version_published(event) -> None:
    version = DocumentVersion.objects.filter(pk=event.version_id, live=True).first()
    if version is None:
        return
    event_id = event.event_id or f"version:{version.pk}"
    record_update(event_id, event.document_id, version.pk)


def on_document_published(event) -> None:
    """A series change with a new update note is an update too; without one, nobody hears."""
    if not event.update_note:
        return
    record_update(note_event_id(event), event.document_id, None, note=event.update_note)


def note_event_id(event) -> str:
    """The outbox id; without one (handlers called directly) an id of what the note says."""
    digest = hashlib.sha256(event.update_note.encode()).hexdigest()[:16]
    return event.event_id or f"note:{event.document_id}:{digest}"


def record_update(event_id: str, document_id: int, version_id: int | None, note: str = "") -> None:
    now = timezone.now()
    rows = [
        PendingUpdate(
            user_id=user_id,
            event_id=event_id,
            document_id=document_id,
            version_id=version_id,
            note=note,
            delivery_key=delivery_key(frequency, event_id, now),
            created_at=now,
        )
        for user_id, frequency in subscribers(document_id).iterator(chunk_size=CHUNK)
    ]
    PendingUpdate.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    key = f"event:{event_id}"
    immediate_users = [row.user_id for row in rows if row.delivery_key == key]
    if immediate_users:
        deliveries = attach_to_deliveries(key, immediate_users)
        enqueue_batches(deliveries, job_prefix=event_id)


def attach_to_deliveries(key: str, user_ids: list[int], include_older_keys: str = "") -> list[int]:
    """Make one delivery per user for ``key`` and put their unsent updates in it; return the ids
    of the deliveries not yet sent. ``include_older_keys`` (a prefix such as "daily:") also
    gathers unsent updates of earlier periods, which a late fan-out may have left behind."""
    pending = []
    for start in range(0, len(user_ids), CHUNK):
        pending += _attach_chunk(key, user_ids[start : start + CHUNK], include_older_keys)
    return pending


def _attach_chunk(key: str, user_ids: list[int], include_older_keys: str) -> list[int]:
    EmailDelivery.objects.bulk_create(
        [EmailDelivery(user_id=user_id, key=key) for user_id in user_ids],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    # Document updates and subprocessor changes of one key share its e-mail.
    for model in (PendingUpdate, PendingSubprocessorChange):
        unsent = model.objects.filter(delivery__isnull=True, user_id__in=user_ids)
        if include_older_keys:
            unsent = unsent.filter(
                delivery_key__startswith=include_older_keys, delivery_key__lte=key
            )
        else:
            unsent = unsent.filter(delivery_key=key)
        unsent.update(
            delivery=Subquery(
                EmailDelivery.objects.filter(user_id=OuterRef("user_id"), key=key).values("pk")[:1]
            )
        )
    return list(
        EmailDelivery.objects.filter(key=key, user_id__in=user_ids, status="pending")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
