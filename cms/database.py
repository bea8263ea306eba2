"""Small reads that every request makes, in one round trip to the database.

With persistent connections and ``CONN_HEALTH_CHECKS`` (``sites/settings/base.py``), Django
checks a reused connection with a ``SELECT 1`` before the request's first query: a connection
the server dropped meanwhile (a restart, a failover) is replaced instead of failing a reader.
On a request answered from the cache that check was one of its two queries. ``first_read``
(and ``fetch_value``, a value read with it) lets the request's first read *be* the check: if
the connection fails it, the connection is replaced and the read asked again, as the check
would have replaced it; if it answers, the connection is healthy and Django does not check it
again in this request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")


def fetch_value(sql: str, params: tuple = ()):
    """The first column of the first row ``sql`` answers, or None if it answers no row."""
    return first_read(lambda: _fetch(sql, params))


def fetch_row(sql: str, params: tuple = ()) -> tuple | None:
    """The first row ``sql`` answers (None if none), read as ``fetch_value`` reads."""
    return first_read(lambda: _fetch_row(sql, params))


def first_read(read: Callable[[], T]) -> T:
    """``read()`` (queries only: it may run twice), standing in for the health check when it is
    the request's first use of a connection Django would check."""
    # Only outside a transaction: within one, a replaced connection would lose its work.
    standing_in = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if not standing_in:
        return read()
    connection.health_check_done = True  # this read is the check
    try:
        return read()
    except (OperationalError, InterfaceError):
        connection.close()  # dropped by the server: a new connection, as the check would make
        return read()


def _fetch(sql: str, params: tuple):
    row = _fetch_row(sql, params)
    return row[0] if row else None


def _fetch_row(sql: str, params: tuple):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# --- What a member's token lookup reads along ----------------------------------------------

#: Values (name -> the SQL of a query answering one value, without parameters) that the first
#: read of a member's API request, their token's lookup (``cms.api.tokens``), reads in the
#: same query, for what answers the request next (the listing generation a cached answer is
#: keyed by) to use instead of a round trip of its own. Registered by the layers above in their
#: ``ready()``; the values are on ``request.carried_reads``.
_carried: dict[str, str] = {}


def carry_along(name: str, sql: str) -> None:
    _carried[name] = sql


def carried_reads() -> tuple[tuple[str, ...], str]:
    """The names of the values read along, and their columns for a ``SELECT`` list."""
    names = tuple(_carried)
    return names, ", ".join(f"({_carried[name]})" for name in names)


class ModelColumns:
    """A model's concrete columns in a hand-written ``SELECT`` (under a table ``alias``), and
    the instance a row's values for them make, converted as the ORM converts them (SQLite
    answers datetimes as text and UUIDs as hex). For a read on every request whose queryset
    cost more to build than the round trip; the fields are the model's own, so a migration
    that adds one is read too."""

    def __init__(self, model, alias: str):
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        # The database's converters and the field's own, looked up once: (position, column,
        # converters) of each field that has any.
        self.conversions = []
        for position, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(
                connection
            )
            if converters:
                self.conversions.append((position, column, converters))

    def __len__(self) -> int:
        return len(self.attnames)

    def instance(self, values):
        """The model instance of ``values``, one per column in ``sql``'s order."""
        if len(values) != len(self.attnames):
            raise ValueError(f"{len(values)} values for {len(self.attnames)} columns")
        values = list(values)
        for position, column, converters in self.conversions:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)
