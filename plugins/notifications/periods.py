"""When digests go out: each period is named by the date it is sent on ("daily:2026-12-02",
"weekly:2026-12-07"), which keys its e-mails and its RQ job."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.apps import apps

from .models import Frequency


def setting(name: str):
    return apps.get_app_config("notifications").setting(name)


def next_run(frequency: str, now: datetime) -> datetime:
    """When the digest collecting updates made at ``now`` goes out (UTC)."""
    now = now.astimezone(UTC)
    at = datetime.combine(now.date(), time(setting("DIGEST_HOUR")), tzinfo=UTC)
    if frequency == Frequency.WEEKLY:
        at += timedelta(days=(7 - at.weekday()) % 7)  # Mondays
    while at <= now:
        at += timedelta(days=7 if frequency == Frequency.WEEKLY else 1)
    return at


def period_key(frequency: str, now: datetime) -> str:
    return f"{frequency}:{next_run(frequency, now).date().isoformat()}"


def digest_job_id(key: str) -> str:
    """The RQ job id of a period's digest (RQ ids allow no colon)."""
    return "digest-" + key.replace(":", "-")
