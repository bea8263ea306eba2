"""Django's database sessions (``SESSION_ENGINE = "cms.accounts.sessions"``), loaded in one
hand-written query that also reads what a member's request asks next.

A signed-in member's request loads their session first, on every request. Building the ORM's
queryset for it cost several times the round trip, and the request then read the entitlement
stamp (their profile's key) and the values the layers above carry along
(``cms.database.carry_along``: the listing generation, the member pages stamp) in queries of
their own. Here they come with the session row: ``store.entitlement_stamp`` and
``store.carried_reads``, as a member's token lookup hands them on (``cms.api.tokens``). The
table, the rows and everything else are Django's: sessions written before stay valid.
"""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from cms.database import carried_reads, fetch_row
from cms.models import EntitlementStamp


class SessionStore(db.SessionStore):
    #: Read with the session row; None until then, or when there is no such session.
    entitlement_stamp: int | None = None
    carried_reads: dict | None = None

    def _get_session_from_db(self):
        names, carried_sql = carried_reads()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # The first query of a member's request: it stands in for the connection's health check.
        row = fetch_row(_session_sql(carried_sql), (self.session_key, now))
        if row is None:
            self._session_key = None
            return None
        session_data, self.entitlement_stamp, *along = row
        self.carried_reads = dict(zip(names, along, strict=True))
        return self.model(session_key=self.session_key, session_data=session_data)


@cache
def _session_sql(carried_sql: str) -> str:
    model = db.SessionStore.get_model_class()
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(model._meta.get_field(name).column)

    return (
        f"SELECT {column('session_data')}, ({EntitlementStamp.current_sql()})"
        f"{', ' if carried_sql else ''}{carried_sql} "
        f"FROM {quote(model._meta.db_table)} "
        f"WHERE {column('session_key')} = %s AND {column('expire_date')} > %s"
    )
