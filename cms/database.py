"""Small reads that every request makes, in one round trip to the database.

With persistent connections and ``CONN_HEALTH_CHECKS`` (``sites/settings/base.py``), Django
checks a reused connection with a ``SELECT 1`` before the request's first query: a connection
the server dropped meanwhile (a restart, a failover) is replaced instead of failing a reader.
On a request answered from the cache that check was one of its two queries. ``fetch_value``
lets the request's first read *be* the check: if the connection fails it, the connection is
replaced and the read asked again, as the check would have replaced it; if it answers, the
connection is healthy and Django does not check it again in this request.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connection


def fetch_value(sql: str, params: tuple = ()):
    """The first column of the first row ``sql`` answers, or None if it answers no row."""
    # Only outside a transaction: within one, a replaced connection would lose its work.
    standing_in = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if not standing_in:
        return _fetch(sql, params)
    connection.health_check_done = True  # this read is the check
    try:
        return _fetch(sql, params)
    except (OperationalError, InterfaceError):
        connection.close()  # dropped by the server: a new connection, as the check would make
        return _fetch(sql, params)


def _fetch(sql: str, params: tuple):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None
