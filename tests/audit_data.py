"""Audit entries at chosen times, chained exactly as ``cms.audit.record`` chains them, for the
analytics tests and the benchmark (``record`` always stamps the current time)."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from cms.audit import chain
from cms.audit.models import AuditEntry


def _head() -> tuple[int, str]:
    head = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
    return (head["sequence"], head["entry_hash"]) if head else (0, chain.GENESIS_HASH)


def build_chain(rows: list[dict]) -> list[AuditEntry]:
    """Unsaved entries continuing the current chain; each row gives ``created_at``, ``action``,
    ``outcome`` and any other field."""
    sequence, previous = _head()
    entries = []
    for row in rows:
        sequence += 1
        entry = AuditEntry(sequence=sequence, previous_hash=previous, detail={}, **row)
        entry.seal()
        previous = entry.entry_hash
        entries.append(entry)
    return entries


def append(rows: list[dict], batch_size: int = 2000) -> int:
    """Insert the rows as chained entries. Bulk insert goes around the append-only manager on
    purpose: this is test data that ``verify`` still accepts."""
    entries = build_chain(rows)
    models.QuerySet(AuditEntry).bulk_create(entries, batch_size=batch_size)
    return len(entries)


def at(year, month, day, hour=12, minute=0, second=0) -> datetime:
    from datetime import UTC

    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
