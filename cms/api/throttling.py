"""Throttling of the headless API with Django Ninja's own throttles: anonymous callers per
client address, callers with an API token per token (a signed-in browser session per user).

Rates are ``TRUSTPORTAL_API_THROTTLE_RATES`` (``"120/min"``; ``None`` for no limit), counted in
the cache every process shares (``cms.access.ratelimit``). Beyond a rate Ninja raises
``Throttled`` through the API's exception handlers, so the 429 has the API's error format and
a ``Retry-After``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.throttling import SimpleRateThrottle
from wagtail.models import APIToken

from cms.access import ratelimit

logger = logging.getLogger(__name__)


class PortalRateThrottle(SimpleRateThrottle):
    """Ninja's sliding-log throttle, with the portal's store, rates and client address."""

    @property
    def cache(self):
        return ratelimit.store()

    def get_rate(self) -> str | None:
        return settings.TRUSTPORTAL_API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request) -> bool:
        # Ninja parses the rate once, when the API is built; read it on every request instead so
        # that a change of settings (in tests above all) applies at once.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            with ratelimit.contained():
                return super().allow_request(request)
        except Exception:  # noqa: BLE001 — a failing store limits nobody (ratelimit.exceeded)
            logger.warning("Rate-limit store unavailable; API not throttled", exc_info=True)
            return True

    def get_ident(self, request) -> str:
        # Ninja's own trusts X-Forwarded-For unless told how many proxies there are, so a client
        # could name a new address each time; the audit log's proxy rule decides here.
        return ratelimit.client_ip(request)


class AnonymousThrottle(PortalRateThrottle):
    scope = "anonymous"

    def get_cache_key(self, request) -> str | None:
        if _caller(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthenticatedThrottle(PortalRateThrottle):
    scope = "authenticated"

    def get_cache_key(self, request) -> str | None:
        caller = _caller(request)
        if caller is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": caller}


def _caller(request) -> str | None:
    """Whom an authenticated request counts against: its API token, else its signed-in user;
    None for an anonymous one."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, APIToken):
        return f"token:{auth.pk}"
    if auth is None or isinstance(auth, AnonymousUser) or not request.user.is_authenticated:
        return None
    return f"user:{request.user.pk}"


def api_throttles() -> list[PortalRateThrottle]:
    """For ``NinjaAPI.throttle``: every operation without throttles of its own gets these."""
    return [AnonymousThrottle(), AuthenticatedThrottle()]
