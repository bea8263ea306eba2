"""From a change of the subprocessors list (the core event ``SubprocessorChanged``) to the
e-mails it causes: one ``PendingSubprocessorChange`` per reader who opted in, then the same
deliveries as document updates (one e-mail per event for "immediately"; digests collect the
others with their document updates).

The list is public content: every opted-in reader may be told, so no access check is needed,
only the same "active account, confirmed address, e-mail on" as for documents. Like the
document fan-out it may run twice: every write is keyed by the event id (unique constraints,
conflicts ignored), so a second run adds nothing and sends nothing new.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone

from .fanout import CHUNK, attach_to_deliveries, delivery_key
from .models import NotificationSettings, PendingSubprocessorChange, SubprocessorNotice
from .sending import enqueue_batches


def subscribers():
    """(user id, frequency) of everyone who wants e-mails about subprocessor changes."""
    return (
        NotificationSettings.objects.filter(
            enabled=True, subprocessor_changes=True, user__is_active=True
        )
        .exclude(email="")
        .values_list("user_id", "frequency")
    )


def notice_event_id(event) -> str:
    """The outbox id; without one (handler called directly) an id of what the event says."""
    said = f"{event.subprocessor_key}:{event.change}:{event.name}".encode()
    return event.event_id or f"subprocessor:{hashlib.sha256(said).hexdigest()[:32]}"


def on_subprocessor_changed(event) -> None:
    event_id = notice_event_id(event)
    SubprocessorNotice.objects.bulk_create(
        [
            SubprocessorNotice(
                event_id=event_id,
                subprocessor_key=event.subprocessor_key,
                name=event.name,
                change=event.change,
            )
        ],
        ignore_conflicts=True,
    )
    notice = SubprocessorNotice.objects.get(event_id=event_id)
    now = timezone.now()
    rows = [
        PendingSubprocessorChange(
            user_id=user_id,
            notice=notice,
            delivery_key=delivery_key(frequency, event_id, now),
            created_at=now,
        )
        for user_id, frequency in subscribers().iterator(chunk_size=CHUNK)
    ]
    PendingSubprocessorChange.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    key = f"event:{event_id}"
    immediate_users = [row.user_id for row in rows if row.delivery_key == key]
    if immediate_users:
        enqueue_batches(attach_to_deliveries(key, immediate_users), job_prefix=event_id)
