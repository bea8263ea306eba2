"""Builders and waits shared by the notification tests: subscribers with a confirmed address,
and bounded waits for what worker processes do."""

from __future__ import annotations

import time
from collections import Counter

from django.contrib.auth import get_user_model

from plugins.library.models import SavedDocument
from plugins.notifications.models import EmailDelivery, NotificationSettings


def subscribers(
    prefix: str,
    count: int,
    documents,
    frequency="immediately",
    language="en",
    subprocessor_changes=False,
):
    """``count`` users with notifications on and a confirmed address, each having saved every
    one of ``documents`` and, with ``subprocessor_changes``, opted in to those."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{n}", email=f"{prefix}-{n}@example.test") for n in range(count)]
    )
    users = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("pk"))
    NotificationSettings.objects.bulk_create(
        [
            NotificationSettings(
                user=user,
                enabled=True,
                frequency=frequency,
                email=user.email,
                language=language,
                subprocessor_changes=subprocessor_changes,
            )
            for user in users
        ]
    )
    SavedDocument.objects.bulk_create(
        [SavedDocument(user=user, document=doc) for user in users for doc in documents]
    )
    return users


def wait_until(condition, timeout: float = 90.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass (a bound for slow machines,
    never what a test relies on to order events)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def all_settled(users) -> bool:
    """Every delivery of these users is done (sent, or knowingly skipped or failed). A delivery
    is marked sent only after the SMTP server's 250, so once all are settled, every e-mail that
    will ever arrive has arrived."""
    open_states = [EmailDelivery.Status.PENDING, EmailDelivery.Status.SENDING]
    return not EmailDelivery.objects.filter(user__in=users, status__in=open_states).exists()


def settled_with(users, count: int) -> bool:
    """Every delivery settled, and ``count`` of them exist."""
    return all_settled(users) and EmailDelivery.objects.filter(user__in=users).count() == count


def per_recipient(received) -> Counter:
    """Distinct e-mails (Message-IDs) per recipient address."""
    return Counter(rcpt for rcpt, _mid in {(r.recipients[0], r.message_id) for r in received})
