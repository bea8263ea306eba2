"""Rows a unique constraint allows once (an NDA acceptance per user and version, a pending
access request per document, ...): insert, and when the constraint refuses the row, answer the
one that is there.

Never look first and insert after: two requests at once both look, both find nothing and both
insert (twenty parallel NDA acceptances made eight rows). The database's constraint is the only
judge that sees both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

Row = TypeVar("Row")


def insert_or_existing(
    insert: Callable[[], Row], existing: Callable[[], Row | None]
) -> tuple[Row, bool]:
    """``(insert(), True)``; or ``(existing(), False)`` when a unique constraint refused the
    insert. ``insert`` runs in a savepoint, so a surrounding transaction goes on after the
    refusal (and can still read the other request's row: the database made this one wait for
    it). An ``IntegrityError`` that ``existing`` finds no row for is about something else and is
    raised again."""
    try:
        with transaction.atomic():
            return insert(), True
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
