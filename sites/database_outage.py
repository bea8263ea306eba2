"""A request that fails because the database cannot be reached is answered like a service that
is briefly down, not like a crash: 503 with ``Retry-After``, problem+json under ``/api/``, a
"temporarily unavailable" page on the site.

Django turns any exception a view or a middleware raises into ``handler500`` from inside its
``except`` block, so ``sites.views.errors.server_error`` is the one place that decides, for
views and middleware (sessions, authentication, the API's bearer tokens) alike. It asks
``answer_for`` here, which decides honestly: only a connection-level error
(``OperationalError``, ``InterfaceError``: refused, lost, too many connections, but also a
missing table or a locked SQLite file) is a candidate, and it is an outage only if a new
connection cannot run ``SELECT 1`` either (``database_answers``). A programming error that
happens to be an ``OperationalError`` stays a 500, logged with its traceback.

One warning when an outage starts and one when the database answers again, instead of
Django's error log line per request (the responses are marked as logged). The record of the
outage is per process: each gunicorn worker notices, logs and ends its own. Requests that
succeed during an outage (``/healthz``, cached answers) ask the database again, at most once per
``RECHECK_SECONDS`` (``DatabaseOutageMiddleware``), so that the end is logged when it comes.
With ``DEBUG`` on, Django shows its debug page instead, as for any error.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DEFAULT_DB_ALIAS, Error, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from cms.api.problems import API_ROOT, DETAILS, problem_response

logger = logging.getLogger(__name__)

#: What clients are told to wait before they try again.
RETRY_AFTER_SECONDS = 30
#: How long the probe waits for a PostgreSQL connection when the URL sets no connect_timeout
#: (libpq's own default is to wait for the operating system, minutes on a silent network).
PROBE_TIMEOUT_SECONDS = 3
#: During an outage, a failed probe stands for this long: a burst of failing requests costs the
#: database one probe, not one each.
RECHECK_SECONDS = 1.0

#: The errors a database that cannot be reached raises (connecting, or on a lost connection).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def database_answers() -> bool:
    """Whether a new connection to the default database runs ``SELECT 1``. A connection of its
    own, not the request's: that one may be broken, or inside a transaction that closing it
    would end."""
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = {**default.settings_dict, "OPTIONS": {**default.settings_dict["OPTIONS"]}}
    if default.vendor == "postgresql":
        settings_dict["OPTIONS"].setdefault("connect_timeout", PROBE_TIMEOUT_SECONDS)
    probe = type(default)(settings_dict, alias=default.alias)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Error:
        return False
    finally:
        probe.close()


def connection_error_in(error: BaseException | None) -> BaseException | None:
    """The connection-level database error ``error`` is, or was raised from or while handling
    (code that wraps a database error in its own still failed because of it)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, CONNECTION_ERRORS):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


class Outage:
    """This process's record of a database outage: when it started, how many requests were
    answered 503 since. Shared by the server's threads, hence the lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since: float | None = None
        self.answered = 0
        self._probed_at = 0.0

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def confirms(self, error: BaseException) -> bool:
        """Whether ``error`` (a connection-level one) means the database cannot be reached,
        counting the request as one answered 503 if so."""
        if self.ongoing and time.monotonic() - self._probed_at < RECHECK_SECONDS:
            reachable = False
        else:
            reachable = self._probe()
        if reachable:
            self._end()
            return False
        self._begin(error)
        return True

    def recheck(self) -> None:
        """During an outage, end it if the database answers again (at most one probe per
        ``RECHECK_SECONDS``)."""
        if self.ongoing and time.monotonic() - self._probed_at >= RECHECK_SECONDS:
            if self._probe():
                self._end()

    def _probe(self) -> bool:
        self._probed_at = time.monotonic()
        return database_answers()

    def _begin(self, error: BaseException) -> None:
        with self._lock:
            self.answered += 1
            if self.since is not None:
                return
            self.since = time.monotonic()
        logger.warning(
            "The database cannot be reached (%s: %s); answering 503 with Retry-After until it "
            "answers again.",
            type(error).__name__,
            " ".join(str(error).split()),
        )

    def _end(self) -> None:
        with self._lock:
            if self.since is None:
                return
            lasted, answered = time.monotonic() - self.since, self.answered
            self.since, self.answered = None, 0
        logger.warning(
            "The database answers again, after %.0f s; %d request(s) were answered 503 meanwhile.",
            lasted,
            answered,
        )


OUTAGE = Outage()


def answer_for(request, error: BaseException | None) -> HttpResponse | None:
    """The 503 for a request that ``error`` failed, if the database cannot be reached; else
    ``None`` (a 500 it is)."""
    cause = connection_error_in(error)
    if cause is None or not OUTAGE.confirms(cause):
        return None
    return unavailable(request)


def unavailable(request) -> HttpResponse:
    if request.path_info.startswith(API_ROOT):
        response = problem_response(status=503, detail=DETAILS[503])
    else:
        # No context processors: the menu and the portal's settings live in the database. The
        # reader's language from the path, cookie or browser (the locale middleware may not
        # have run: sessions come before it).
        with translation.override(translation.get_language_from_request(request, check_path=True)):
            body = loader.get_template("503.html").render({})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # The outage is logged once (Outage), not once per request by Django's request logger.
    response._has_been_logged = True
    response.database_unreachable = True
    return response


class DatabaseOutageMiddleware:
    """Ends this process's record of an outage when the database answers again; place it high
    (below ``RequestIdMiddleware``), so that it sees every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if OUTAGE.ongoing and not getattr(response, "database_unreachable", False):
            OUTAGE.recheck()
        return response
