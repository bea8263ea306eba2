"""Start-up checks: the database search needs a database it knows how to index."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connections

from .text_index import SUPPORTED_VENDORS, index_state


def check_database_supported(app_configs=None, databases=None, **kwargs) -> list[checks.Error]:
    """Fail loudly on a database the full-text index does not support: search would otherwise
    find nothing, or fail on the first query (its structure is created by migration 0001)."""
    vendor = connections["default"].vendor
    if vendor in SUPPORTED_VENDORS:
        return []
    return [
        checks.Error(
            f"The database is {vendor!r}; the portal's full-text search supports PostgreSQL "
            "and SQLite only.",
            hint="Set DATABASE_URL to a PostgreSQL database (or leave it unset for SQLite).",
            id="trustsearch.E001",
        )
    ]


def check_index_complete(app_configs=None, databases=None, **kwargs) -> list[checks.Warning]:
    """``check --deploy``: warn when search would miss documents (entries missing, not in the
    database's full-text structure, or of an older format), with the command to run."""
    try:
        state = index_state()
    except DatabaseError:  # no database yet (before migrate): nothing to say about its index
        return []
    if state["complete"]:
        return []
    return [
        checks.Warning(
            "The search index is incomplete: "
            f"{state['documents_without_entry']} documents without an entry, "
            f"{state['entries_not_indexed']} entries not indexed, "
            f"format {'current' if state['format_current'] else 'outdated'}.",
            hint=f"Run: {state['action']}",
            id="trustsearch.W001",
        )
    ]
