"""The database side of an import: every table emptied and the archive's rows loaded, inside
the caller's transaction.

The rows are loaded as ``loaddata`` does (Django's deserializer, constraint checks deferred to
the end, forward references resolved, sequences moved past the loaded keys), but inserted
outright, and many-to-many links in bulk: the tables were just emptied, and ``loaddata`` asks
before every write whether the row or link is there (an UPDATE before each INSERT, a SELECT
before each ``set()``), which more than doubles the round trips of a large portal.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.db import DatabaseError, connections
from django.db.models import signals

BATCH_SIZE = 2000


@contextmanager
def _model_signals_muted():
    """No save receivers while the snapshot loads. Loading restores state; it must not cause
    effects (events, tree syncs, indexing), and not every app's receivers honour ``raw``
    (wagtail-localize's locale synchronisation does not)."""
    muted = [signals.pre_save, signals.post_save, signals.m2m_changed]
    saved = [(signal, signal.receivers) for signal in muted]
    for signal in muted:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def empty_tables(using: str) -> None:
    """Every table emptied except content types and permissions, which the archive refers to
    by natural key: ``migrate`` made them for this installation's apps (with those its data
    migrations and post_migrate handlers add, such as Wagtail's and wagtail-localize's)."""
    connection = connections[using]
    kept = {ContentType._meta.db_table, Permission._meta.db_table}
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in kept
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)


def load_rows(data: Path, using: str) -> None:
    """Insert the rows of ``data`` (Django's JSON serialization) into the emptied tables."""
    connection = connections[using]
    loaded, deferred, links = set(), [], defaultdict(list)
    with _model_signals_muted(), connection.constraint_checks_disabled():
        with data.open("rb") as stream:
            rows = serializers.deserialize(
                "json", stream, using=using, handle_forward_references=True
            )
            for row in rows:
                loaded.add(type(row.object))
                _collect_links(row, links)  # before save(), which forgets them
                try:
                    row.save(using=using, force_insert=True, save_m2m=False)
                # psycopg raises ValueError for a NUL character in a text.
                except (DatabaseError, ValueError) as error:
                    error.args = (f"{row.object._meta.label}(pk={row.object.pk}): {error}",)
                    raise
                if row.deferred_fields:
                    deferred.append(row)
        for through, objects in links.items():
            through._base_manager.using(using).bulk_create(objects, batch_size=BATCH_SIZE)
        for row in deferred:
            row.save_deferred_fields(using=using)
    # Checks deferred while loading: a row referring to one the archive lacks fails here.
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(statement)


def _collect_links(row, links: dict) -> None:
    """The row's many-to-many links as rows of their (auto-created) tables, inserted in bulk
    afterwards: the related managers' ``set()`` would first ask, for every row and field, which
    links exist (none: the tables were emptied)."""
    for name, targets in (row.m2m_data or {}).items():
        field = row.object._meta.get_field(name)
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        links[through].extend(
            through(**{source: row.object.pk, target: value}) for value in targets
        )


@contextmanager
def sequences_restored_on_failure(using: str):
    """PostgreSQL's ``setval`` (loading moves each sequence past the keys it loaded) is not
    undone by a rollback: left so, the next row inserted could take a key in use. SQLite keeps
    its sequences in a table, which the rollback restores."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename), start_value, last_value "
            "FROM pg_sequences WHERE schemaname = current_schema()"
        )
        before = cursor.fetchall()
    try:
        yield
    except BaseException:
        with connection.cursor() as cursor:
            for sequence, start, last in before:
                # Never called: back to its start, the next value being the start itself.
                value, called = (start, False) if last is None else (last, True)
                cursor.execute("SELECT setval(%s::regclass, %s, %s)", [sequence, value, called])
        raise
