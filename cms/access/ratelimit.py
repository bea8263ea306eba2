"""Fixed-window rate limits kept in the cache (Redis when configured, so all processes share
them). Limits are ``TRUSTPORTAL_RATE_LIMITS[name] = (count, seconds)``."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from cms.audit.log import client_ip as audited_client_ip

DEFAULT_LIMITS = {
    "download": (120, 3600),
    "sign_in": (10, 900),
    "feedback": (10, 3600),
    "confirmation_mail": (5, 3600),
}


def limit_for(name: str) -> tuple[int, int]:
    return getattr(settings, "TRUSTPORTAL_RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])


def exceeded(name: str, *identities: str) -> bool:
    """Count one attempt for each identity; True if any of them is over its limit."""
    count, window = limit_for(name)
    bucket = int(time.time() // window)
    over = False
    for identity in identities:
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        key = f"ratelimit:{name}:{bucket}:{digest}"
        cache.add(key, 0, timeout=window)
        try:
            attempts = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window)
            attempts = 1
        over = over or attempts > count
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
