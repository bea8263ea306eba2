"""Builders shared by the notification tests: subscribers with a confirmed address."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from plugins.library.models import SavedDocument
from plugins.notifications.models import NotificationSettings


def subscribers(prefix: str, count: int, documents, frequency="immediately", language="en"):
    """``count`` users with notifications on, each having saved every one of ``documents``."""
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
            )
            for user in users
        ]
    )
    SavedDocument.objects.bulk_create(
        [SavedDocument(user=user, document=doc) for user in users for doc in documents]
    )
    return users
