"""A database that cannot be reached is a service briefly down, not a crash: 503 with
``Retry-After`` (problem+json under /api/, a translated page on the site), one log line when
the outage starts and one when it ends, and the same process serving again once the database
answers, without a restart.

In this process, with the probe's answer chosen by the test (any database); and for real: a
gunicorn process over a PostgreSQL database whose role the test stops from logging in, and lets
in again (skipped without PostgreSQL at 127.0.0.1:5432).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from urllib.parse import urlencode

import pytest
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from cms.api.problems import ApiBearerTokenMiddleware
from sites import database_outage
from sites import urls as portal_urls
from sites.views import errors
from tests.faults.postgres_gunicorn import send
from tests.helpers import bearer

PROBLEM = "application/problem+json"
OUTAGE_STARTS = "The database cannot be reached"
OUTAGE_ENDS = "The database answers again"


# --- in this process: what is a 503 and what stays a 500 ------------------------------------------
# Views of this module's own URL configuration (``urls``: the portal's, and these), a reader
# page and an API endpoint that fail the way their database makes them fail.


def _lost_connection(request):
    raise OperationalError("server closed the connection unexpectedly")


def _missing_table(request):
    # In a savepoint: on PostgreSQL the error would otherwise end the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM table_nobody_created")
    return HttpResponse("unreachable")


def _fine(request):
    return HttpResponse("fine")


urlpatterns = [
    path("en/lost/", _lost_connection),
    path("lost/", _lost_connection),
    path("api/v3/lost/", _lost_connection),
    path("en/missing-table/", _missing_table),
    path("en/fine/", _fine),
    *portal_urls.urlpatterns,
]
handler500 = errors.server_error
urls = pytest.mark.urls(__name__)


@pytest.fixture
def outage(monkeypatch):
    """A fresh record of outages, probes that answer what ``outage.database_answers`` says, and
    no wait between probes."""
    record = database_outage.Outage()
    monkeypatch.setattr(database_outage, "OUTAGE", record)
    monkeypatch.setattr(database_outage, "RECHECK_SECONDS", 0)
    record.database_answers = False
    monkeypatch.setattr(database_outage, "database_answers", lambda: record.database_answers)
    return record


def browser(**headers) -> Client:
    # As a server answers: an exception is a response, not re-raised into the test.
    return Client(raise_request_exception=False, **headers)


def messages(caplog, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


@urls
@pytest.mark.django_db
def test_an_unreachable_database_is_a_503_logged_once_per_outage(outage, caplog):
    caplog.set_level(logging.INFO)
    site, api = browser().get("/en/lost/"), browser().get("/api/v3/lost/")

    assert site.status_code == 503 and site["Retry-After"] == "30"
    assert "temporarily unavailable" in site.content.decode()
    assert "no-store" in site["Cache-Control"]
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api["Content-Type"] == PROBLEM
    assert api.json()["status"] == 503 and api.json()["title"] == "Service Unavailable"
    german = browser().get("/lost/", HTTP_ACCEPT_LANGUAGE="de")
    assert "vorübergehend nicht verfügbar" in german.content.decode()

    # One warning for the outage, none of Django's per request.
    [started] = messages(caplog, "sites.database_outage")
    assert started.startswith(OUTAGE_STARTS) and "server closed the connection" in started
    assert messages(caplog, "django.request") == []

    # A request that succeeds while the outage is on asks the database again: it answers.
    outage.database_answers = True
    assert browser().get("/en/fine/").status_code == 200
    [_started, ended] = messages(caplog, "sites.database_outage")
    assert ended.startswith(OUTAGE_ENDS) and "3 request(s)" in ended
    assert not outage.ongoing


@urls
@pytest.mark.django_db
def test_a_database_error_while_the_database_answers_stays_a_500(outage, caplog):
    """The same error with the database answering the probe: not an outage, a bug to log."""
    outage.database_answers = True
    caplog.set_level(logging.INFO)
    response = browser().get("/en/lost/")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert messages(caplog, "sites.database_outage") == []
    assert [m for m in messages(caplog, "django.request") if "Internal Server Error" in m]


@urls
@pytest.mark.django_db
def test_a_missing_table_is_a_500_not_a_503(caplog):
    """A programming error, with the real probe: on SQLite a missing table is an
    ``OperationalError`` too, yet the database answers ``SELECT 1``, so it is no outage."""
    caplog.set_level(logging.INFO)
    response = browser().get("/en/missing-table/")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert "Something went wrong" in response.content.decode()
    assert messages(caplog, "sites.database_outage") == []
    assert not database_outage.OUTAGE.ongoing


@pytest.mark.django_db
def test_a_middleware_that_cannot_reach_the_database_is_a_503_too(outage, monkeypatch, users):
    """Errors raised before any view (here the API's bearer-token check) reach handler500 as
    well: the API answers problem+json, not Django's 500 page."""

    def unreachable(self, request, token):
        raise OperationalError("connection refused")

    headers = bearer(users["member"])
    monkeypatch.setattr(ApiBearerTokenMiddleware, "_resolves", unreachable)
    response = browser(**headers).get("/api/v3/me/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"] == PROBLEM and response.json()["status"] == 503
    assert outage.ongoing


def test_the_probe_opens_its_own_connection(django_db_setup, django_db_blocker):
    """``database_answers`` asks the database itself, with a connection of its own."""
    with django_db_blocker.unblock():
        assert database_outage.database_answers() is True


def test_a_wrapped_connection_error_is_found():
    try:
        try:
            raise OperationalError("too many connections")
        except OperationalError as error:
            raise RuntimeError("could not load the menu") from error
    except RuntimeError as wrapper:
        found = database_outage.connection_error_in(wrapper)
    assert isinstance(found, OperationalError)
    assert database_outage.connection_error_in(ValueError("no")) is None


# --- for real: gunicorn over a PostgreSQL database that goes away and comes back -----------------


def outage_lines(lines: list[dict], starting: str) -> list[dict]:
    return [line for line in lines if line["message"].startswith(starting)]


def test_gunicorn_answers_503_while_postgresql_refuses_and_recovers_without_restart(
    postgres_portal, gunicorn
):
    base, logged = gunicorn
    name, admin, token = postgres_portal["name"], postgres_portal["admin"], postgres_portal["token"]
    csrf = secrets.token_hex(16)
    sign_in = urlencode(
        {"username": "outage-reader", "password": "pw-outage", "csrfmiddlewaretoken": csrf}
    ).encode()
    form_headers = {
        "Cookie": f"csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    requests = {
        "site page": lambda: send(base + "/en/"),
        "API call": lambda: send(base + "/api/v3/trust-documents/"),
        "sign-in POST": lambda: send(
            base + "/en/accounts/login/", data=sign_in, headers=form_headers
        ),
        "API POST": lambda: send(
            base + "/api/v3/library/",
            data=json.dumps({"documents": ["anything"]}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        ),
    }
    # Served, each thread keeping its connection open (persistent connections).
    for _round in range(2):
        assert requests["site page"]()[0] == 200
        assert requests["API call"]()[0] == 200

    # The outage: the role may no longer log in, and its open connections are ended.
    admin.execute(f"ALTER ROLE {name} NOLOGIN")
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name]
    )
    for _round in range(2):
        for what, request in requests.items():
            status, headers, body = request()
            assert status == 503, (what, status, body[:300])
            assert headers["Retry-After"] == "30", what
            if what.startswith("API"):
                assert headers["Content-Type"] == PROBLEM, what
                assert json.loads(body)["status"] == 503
            else:
                assert b"temporarily unavailable" in body, what
    lines = logged()
    assert len(outage_lines(lines, OUTAGE_STARTS)) == 1, [line["message"] for line in lines]
    assert "not permitted to log in" in outage_lines(lines, OUTAGE_STARTS)[0]["message"]
    assert not [line for line in lines if line["logger"] == "django.request"], lines

    # The database is back: the same process serves again, and says so once.
    admin.execute(f"ALTER ROLE {name} LOGIN")
    assert requests["site page"]()[0] == 200
    assert requests["API call"]()[0] == 200
    status, headers, _body = requests["sign-in POST"]()
    assert status == 302 and headers["Location"] == "/", status
    assert requests["API POST"]()[0] == 404  # the endpoint ran: there is no such document
    deadline = time.monotonic() + 10
    while not outage_lines(logged(), OUTAGE_ENDS) and time.monotonic() < deadline:
        time.sleep(database_outage.RECHECK_SECONDS)
        send(base + "/healthz")  # a request that succeeds asks the database again
    lines = logged()
    [ended] = outage_lines(lines, OUTAGE_ENDS)
    assert "8 request(s) were answered 503" in ended["message"], ended
    assert len(outage_lines(lines, OUTAGE_STARTS)) == 1
