from __future__ import annotations

import secrets

from django.db import models, transaction

from cms.database import fetch_value


class Stamp(models.Model):
    """One row whose value changes, in the writer's own transaction, whenever anything the
    subclass names changes; what is cached under the value is then never read again.

    A random value rather than a counter: a transaction that changed it and rolled back hands
    back no number that the next change would reuse, so an entry cached under the rolled-back
    value can never be read again."""

    value = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name.capitalize()} {self.value}"

    @classmethod
    def current(cls) -> int:
        """Read on every member's request: in plain SQL, possibly as its first query, standing
        in for the connection's health check (``cms.database``)."""
        return fetch_value(cls.current_sql())

    @classmethod
    def current_sql(cls) -> str:
        """The value now, as a scalar subquery another read may carry (a member's token
        lookup does: ``cms.api.tokens``); 0 before the first change."""
        return f"SELECT COALESCE((SELECT value FROM {cls._meta.db_table} WHERE id = 1), 0)"  # noqa: S608 - our table

    @classmethod
    def change(cls) -> None:
        value = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(value=value):
            cls.objects.update_or_create(pk=1, defaults={"value": value})


class EntitlementStamp(Stamp):
    """Changes whenever anything a member's entitlement profile is made of changes
    (``cms/access/profile.py``): memberships, groups, grants, the documents' restricted lists,
    what an access rule reads."""

    class Meta:
        verbose_name = "entitlement stamp"

    @classmethod
    def lock(cls) -> None:
        """Hold the row until the caller's transaction ends, as a change would: for a stamp
        whose writers must take this row first (``search.models.MemberPagesStamp``). Outside a
        transaction each statement commits alone, holding nothing to wait for."""
        if transaction.get_connection().in_atomic_block:
            list(cls.objects.select_for_update().filter(pk=1).values_list("pk", flat=True))
