"""Start-up checks: the database search needs a database it knows how to index."""

from __future__ import annotations

from django.core import checks
from django.db import connections

#: Vendors whose full-text structure ``search/text_index.py`` builds and queries.
SUPPORTED_VENDORS = ("postgresql", "sqlite")


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
