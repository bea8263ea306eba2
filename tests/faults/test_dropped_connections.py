"""Connections the database server dropped (a restart, a failover, an idle timeout) are replaced
without a reader seeing an error, now that a request's first read stands in for Django's health
check (``cms/database.py``)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.database import fetch_value
from tests.faults.postgres_gunicorn import POSTGRES, send


@pytest.fixture
def outside_a_transaction(django_db_setup, django_db_blocker, monkeypatch):
    """The test database as a request has it: autocommit, no transaction around the test, and
    health checks on (reads only: nothing to roll back)."""
    with django_db_blocker.unblock():
        connection.ensure_connection()
        monkeypatch.setattr(connection, "health_check_enabled", True)
        connection.health_check_done = False
        yield
        connection.close()


def test_the_first_read_is_the_health_check(outside_a_transaction, monkeypatch):
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    with CaptureQueriesContext(connection) as queries:
        assert fetch_value("SELECT 41 + 1") == 42
        assert fetch_value("SELECT 7") == 7
    # One query each, and no separate check before them: the first one was the check.
    assert len(queries) == 2 and checks == [] and connection.health_check_done


def test_within_a_transaction_the_check_is_djangos(outside_a_transaction, monkeypatch):
    from django.db import transaction

    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    with transaction.atomic():
        assert fetch_value("SELECT 1") == 1
    # A connection is never replaced inside a transaction: Django checked it when the
    # transaction began, as before.
    assert checks == [1]


def test_a_connection_the_server_dropped_is_replaced_and_asked_again(outside_a_transaction):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are never dropped by a server")
    before = fetch_value("SELECT pg_backend_pid()")
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [before])
    connection.health_check_done = False  # a new request on the same, now dead, connection
    after = fetch_value("SELECT pg_backend_pid()")
    assert after is not None and after != before


def test_gunicorn_replaces_dropped_connections_without_an_error(postgres_portal, gunicorn):
    base, logged = gunicorn
    name, admin, token = postgres_portal["name"], postgres_portal["admin"], postgres_portal["token"]
    member = {"Authorization": f"Bearer {token}"}
    requests = [
        ("/en/", {}),  # a page, answered from the visitors' cache after the first time
        ("/api/v3/trust-documents/", {}),  # the API, the same
        ("/api/v3/trust-documents/", member),  # a member: the token is the first query
        ("/en/search/?q=report", {}),
    ]
    for _round in range(4):  # every thread of the worker gets a connection of its own
        for path, headers in requests:
            assert send(base + path, headers=headers)[0] == 200, path
    ended = admin.execute(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE usename = %s) AS ended",
        [name],
    ).fetchone()[0]
    assert ended >= 1
    for _round in range(4):
        for path, headers in requests:
            status, _headers, body = send(base + path, headers=headers)
            assert status == 200, (path, status, body[:300])
    lines = logged()
    assert not [line for line in lines if line["logger"] == "django.request"], lines
    assert not [line for line in lines if "unavailable" in line["message"].lower()], lines
