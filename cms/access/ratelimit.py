"""Rate limits, counted in the ``ratelimit`` cache so that every process shares one count.

That cache is Redis when ``REDIS_URL`` is set (the database cache while Redis is down,
``cms/caching.py``), else Django's database cache (a table that ``migrate`` creates): counts
kept per process would give each gunicorn worker a budget of its own. ``check --deploy``
names the store and warns when it is per process. (The database cache increments by a read
and a write, so two requests at the very same moment may be counted once; Redis counts
atomically.)

Limits are ``TRUSTPORTAL_RATE_LIMITS[name] = (count, seconds)`` over a sliding window: the
current fixed window's count plus the share of the previous one that still falls inside the
last ``seconds``, so attempts bunched on both sides of a window boundary count together.

Sign-in counts failures only, per account name and per client address (OWASP ASVS 2.2.1, as
django-axes does): successful sign-ins cost nothing, so a whole office behind one address may
sign in as often as it likes, and a success clears its account's failures.

Password-reset requests count every time, per client address and per e-mail address asked for,
whether an account has that address or not: the limit itself tells nothing, and one mailbox
cannot be flooded with reset mails from many addresses.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from contextlib import contextmanager

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.shortcuts import render

from cms.audit.log import client_ip as audited_client_ip
from cms.caching import FallbackCache, backs_onto_database

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"

DEFAULT_LIMITS = {
    "download": (120, 3600),
    # Failed sign-ins per account name, and per client address (many people may share one).
    "sign_in": (10, 900),
    "sign_in_address": (50, 900),
    "sign_up": (20, 3600),
    # Password-reset requests per client address, and per e-mail address asked for.
    "password_reset": (20, 3600),
    "password_reset_email": (5, 3600),
    "feedback": (10, 3600),
    "confirmation_mail": (5, 3600),
    # API requests with an unknown, revoked or inactive user's token, per client address.
    "api_bad_token": (60, 3600),
}


def store() -> BaseCache:
    """The cache the counts live in (looked up per call: tests and threads get their own)."""
    return caches[CACHE_ALIAS]


def limit_for(name: str) -> tuple[int, int]:
    return getattr(settings, "TRUSTPORTAL_RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])


def _windows(name: str, identity: str) -> tuple[str, str, float]:
    """The keys of the current and the previous fixed window, and how much of the previous
    one still lies inside the sliding window."""
    _count, window = limit_for(name)
    bucket, elapsed = divmod(time.time(), window)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    current = f"ratelimit:{name}:{int(bucket)}:{digest}"
    previous = f"ratelimit:{name}:{int(bucket) - 1}:{digest}"
    return current, previous, 1 - elapsed / window


def _counted(previous: int, current: int, weight: float) -> int:
    # Rounded up: right after a boundary the previous window counts in full, never a little
    # less, so a limit holds exactly rather than letting one more attempt through.
    return math.ceil(previous * weight) + current


def _add_one(name: str, identity: str) -> int:
    """Count one attempt; the attempts in the sliding window, this one included."""
    _count, window = limit_for(name)
    current, previous, weight = _windows(name, identity)
    cache = store()
    # The previous window's count is read during the next window: keep it that long.
    cache.add(current, 0, timeout=2 * window)
    try:
        attempts = cache.incr(current)
    except ValueError:  # expired or evicted between add and incr
        cache.set(current, 1, timeout=2 * window)
        attempts = 1
    return _counted(cache.get(previous, 0), attempts, weight)


@contextmanager
def contained():
    """Around a use of the store: when it is the database and a transaction is open, in a
    savepoint, so that a failing query (a missing table) leaves the caller's transaction usable
    (PostgreSQL aborts the whole transaction otherwise). Elsewhere, nothing."""
    if backs_onto_database(store()) and transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            yield
    else:
        yield


def _attempts(name: str, identity: str) -> int:
    current, previous, weight = _windows(name, identity)
    try:
        with contained():
            found = store().get_many([current, previous])
    except Exception:  # noqa: BLE001 — see exceeded(): a failing store limits nobody
        logger.warning("Rate-limit store unavailable; %s not limited", name, exc_info=True)
        return 0
    return _counted(found.get(previous, 0), found.get(current, 0), weight)


def exceeded(name: str, *identities: str) -> bool:
    """Count one attempt for each identity; True if any of them is over its limit.

    A store that fails (Redis down or frozen past its timeout, a missing table) limits nobody:
    readers and sign-ins keep working, the failure is logged, and counting resumes once the
    store answers. Refusing everyone while it is down would turn its outage into the site's."""
    count, _window = limit_for(name)
    over = False
    for identity in identities:
        try:
            with contained():
                attempts = _add_one(name, identity)
        except Exception:  # noqa: BLE001 — any failure of the store: fail open, logged
            logger.warning("Rate-limit store unavailable; %s not limited", name, exc_info=True)
            continue
        over = attempts > count or over
    return over


def too_many_requests(request, name: str):
    _count, window = limit_for(name)
    response = render(
        request, "portal/rate_limited.html", {"minutes": max(1, window // 60)}, status=429
    )
    response["Retry-After"] = str(window)
    return response


def requester(request) -> str:
    """Whom a request counts against: the signed-in user, else the client address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def client_ip(request) -> str:
    """The client's address by the same proxy rule as the audit log."""
    return audited_client_ip(request) or ""


# --- Sign-in: failures only ------------------------------------------------------------------


def _account(username: str) -> str:
    # Case-folded, so "Reader" and "reader" share one count whatever the backend makes of them.
    return f"user:{username.strip().lower()[:150]}"


def _sign_in_counts(request, username: str) -> tuple[tuple[str, str], ...]:
    return (("sign_in", _account(username)), ("sign_in_address", f"ip:{client_ip(request)}"))


def sign_in_locked(request, username: str) -> str | None:
    """The limit (``sign_in`` or ``sign_in_address``) that failed sign-ins have used up for this
    account name or this address, else None. Counts nothing: asked before the password is."""
    for name, identity in _sign_in_counts(request, username):
        if _attempts(name, identity) >= limit_for(name)[0]:
            return name
    return None


def count_failed_sign_in(request, username: str) -> None:
    for name, identity in _sign_in_counts(request, username):
        exceeded(name, identity)


def forget_failed_sign_ins(username: str) -> None:
    """A successful sign-in clears its account's failures; never its address's, or anyone with
    an account could reset the address between guesses at another one."""
    current, previous, _weight = _windows("sign_in", _account(username))
    try:
        with contained():
            store().delete_many([current, previous])
    except Exception:  # noqa: BLE001 — see exceeded(): the sign-in itself has succeeded
        logger.warning("Rate-limit store unavailable; failures not cleared", exc_info=True)


# --- Password reset: every request ------------------------------------------------------------


def password_reset_limited(request, email: str) -> str | None:
    """Count one password-reset request against the client address and the e-mail address it
    asks for; the limit (``password_reset`` or ``password_reset_email``) it went over, else
    None. Every request counts against both, a refused one too: whoever keeps asking stays
    refused until the window has room again, as with sign-up."""
    counts = [("password_reset", f"ip:{client_ip(request)}")]
    if email.strip():
        # Case-folded: the reset form finds accounts by their address whatever its case.
        counts.append(("password_reset_email", f"email:{email.strip().casefold()[:254]}"))
    over = [name for name, identity in counts if exceeded(name, identity)]
    return over[0] if over else None


# --- check --deploy ----------------------------------------------------------------------------


SHARED_STORE_HINT = (
    "Set REDIS_URL, or keep the default without it: Django's database cache "
    f"(CACHES[{CACHE_ALIAS!r}] in sites/settings/base.py)."
)


def check_store(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Say where the limits are counted, and warn where processes do not share the counts."""
    cache = store()
    if isinstance(cache, DummyCache):
        return [
            checks.Warning(
                f"Rate limits are not counted: the {CACHE_ALIAS!r} cache is a DummyCache.",
                hint=SHARED_STORE_HINT,
                id="trustportal.W101",
            )
        ]
    if isinstance(cache, LocMemCache):
        return [
            checks.Warning(
                f"Rate limits are counted per process (the {CACHE_ALIAS!r} cache is a "
                "LocMemCache): with several worker processes each has a budget of its own.",
                hint=SHARED_STORE_HINT,
                id="trustportal.W102",
            )
        ]
    if isinstance(cache, DatabaseCache):
        where = f"the database cache, table {settings.CACHES[CACHE_ALIAS]['LOCATION']}"
    elif isinstance(cache, FallbackCache):
        where = f"{cache.primary!r}, else {cache.fallback!r} while it is down"
    else:
        where = type(cache).__name__  # never the location: a Redis URL may hold a password
    return [
        checks.Info(
            f"Rate limits are counted in the {CACHE_ALIAS!r} cache ({where}), shared by all "
            "processes.",
            id="trustportal.I101",
        )
    ]
