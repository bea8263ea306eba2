"""A cache that keeps answering when Redis does not: Redis while it answers, else a stand-in.

Everything the portal keeps in Redis's cache can be done without for a while: facet counts are
counted again (a process's own memory stands in), rate limits are counted in the database
table every process shares. So a Redis that is stopped, refusing or frozen must cost readers
nothing but a little speed, never an error page.

``FallbackCache`` takes two configured caches by alias (``OPTIONS["CACHES"]``, Redis first).
A call the first one fails (a connection error, or no answer within its socket timeout) goes to
the second, and for ``RETRY_SECONDS`` every call goes there directly, so a frozen Redis costs one
request one timeout, not every request every time; then the next call tries Redis again. The
outage is logged once when it starts and once when it ends, not once per request.

The Redis cache is Django's own (``django.core.cache.backends.redis.RedisCache``); give it
``socket_connect_timeout`` and ``socket_timeout`` in its ``OPTIONS`` (redis-py's default is to
wait for ever on a frozen server).
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: What a cache that stopped answering raises: redis-py's errors (refused, timed out, ...) and
#: the socket's own.
FAILURES = (RedisError, OSError)

#: How long the stand-in answers alone after Redis failed, before Redis is asked again.
RETRY_SECONDS = 10.0

# Per process, shared by its threads (``caches`` gives each thread its own cache objects):
# alias of the failed cache -> the time it may be asked again.
_failed_until: dict[str, float] = {}
_lock = threading.Lock()


class FallbackCache(BaseCache):
    """The first cache of ``OPTIONS["CACHES"]`` while it answers, else the second."""

    def __init__(self, location, params):
        super().__init__(params)
        self.primary, self.fallback = params["OPTIONS"]["CACHES"]

    # --- which cache answers ------------------------------------------------------------------

    def active(self) -> BaseCache:
        """The cache calls go to now."""
        return caches[self.fallback if self._resting() else self.primary]

    def backs_onto(self, backend: type[BaseCache]) -> bool:
        return any(isinstance(caches[alias], backend) for alias in (self.primary, self.fallback))

    def _resting(self) -> bool:
        until = _failed_until.get(self.primary)
        return until is not None and time.monotonic() < until

    def _call(self, method: str, *args, **kwargs):
        if not self._resting():
            try:
                answer = getattr(caches[self.primary], method)(*args, **kwargs)
            except FAILURES as error:
                self._failed(error)
            else:
                self._answered()
                return answer
        return getattr(caches[self.fallback], method)(*args, **kwargs)

    def _failed(self, error: BaseException) -> None:
        with _lock:
            first = self.primary not in _failed_until
            _failed_until[self.primary] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Cache %r unavailable (%s); using %r until it answers again",
                self.primary,
                type(error).__name__,
                self.fallback,
            )

    def _answered(self) -> None:
        if self.primary in _failed_until:
            with _lock:
                recovered = _failed_until.pop(self.primary, None) is not None
            if recovered:
                logger.warning("Cache %r answers again", self.primary)

    # --- Django's cache API, each call to whichever cache answers ------------------------------
    # (timeouts pass through as given: Django's "not given" sentinel lets the member cache
    # apply its own default)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._call("decr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")


def backs_onto_database(cache: BaseCache) -> bool:
    """Whether ``cache`` may keep its entries in the database (now or when Redis fails)."""
    if isinstance(cache, FallbackCache):
        return cache.backs_onto(DatabaseCache)
    return isinstance(cache, DatabaseCache)


#: Rate limits without Redis: a table every process shares (``migrate`` creates it, cms.setup).
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "trustportal_ratelimit",
    # Only bounds the table: expired rows go when it is reached.
    "OPTIONS": {"MAX_ENTRIES": 50_000},
}
PROCESS_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def embedded_caches() -> dict:
    """``CACHES`` without Redis: the process's memory for what it may keep to itself (facet
    counts), the database for what every process must share (rate limits)."""
    return {"default": PROCESS_CACHE, "ratelimit": DATABASE_CACHE}


def redis_caches(url: str, timeout_seconds: float) -> dict:
    """``CACHES`` with Redis at ``url``, each cache falling back to its embedded stand-in
    while Redis does not answer within ``timeout_seconds``."""
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": timeout_seconds, "socket_timeout": timeout_seconds},
    }
    return {
        "redis": redis,
        "process": PROCESS_CACHE,
        "database": DATABASE_CACHE,
        "default": {
            "BACKEND": "cms.caching.FallbackCache",
            "OPTIONS": {"CACHES": ["redis", "process"]},
        },
        "ratelimit": {
            "BACKEND": "cms.caching.FallbackCache",
            "OPTIONS": {"CACHES": ["redis", "database"]},
        },
    }


def with_timeouts(url: str, seconds: float) -> str:
    """``url`` of a Redis server with redis-py's socket timeouts in its query, unless it names
    its own: without them a frozen server holds the caller for ever."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_timeout", str(seconds))
    query.setdefault("socket_connect_timeout", str(seconds))
    return urlunsplit(parts._replace(query=urlencode(query)))
