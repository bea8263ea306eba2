"""Refusals go into the audit log, every kind of them, without letting a flood flood the log.

A refused attempt is counted per (action, reason, who -- the signed-in user, else the client
address --, what -- the version or document asked for --, detail) and per fixed window of
``TRUSTPORTAL_AUDIT_REFUSAL_WINDOW_SECONDS`` (an hour by default). An entry is written when that
count reaches 1, 2, 4, 8, 16…, and carries it (``detail.attempts``, with ``detail.window`` the
window's start as a Unix time): the first refusal is always in the log at once, with its reason,
user and address; a burst of a million identical ones in the window leaves 21 entries, the last
of which says at least 524,288 attempts were refused. Exact counts between two powers of two are
not kept: that is the price of never writing a million chained rows for one script.

The counters live in the cache (shared by all processes with Redis). A cache that is per
process, lost or down only makes more entries, never fewer: a refusal the counter cannot place
is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time

from django.conf import settings
from django.core.cache import cache

from .log import client_ip, record
from .models import AuditEntry, Outcome

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_SECONDS = 3600


def window_seconds() -> int:
    return int(
        getattr(settings, "TRUSTPORTAL_AUDIT_REFUSAL_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)
    )


def _refuser(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or ''}"


def _attempts(key: str, window: int) -> int | None:
    """Count one attempt under ``key``; ``None`` when the cache cannot tell."""
    try:
        cache.add(key, 0, timeout=window)
        return cache.incr(key)
    except ValueError:  # the key expired or was evicted between add and incr
        return None
    except Exception:
        logger.exception("Refusal counter unavailable; recording the refusal on its own")
        return None


def record_refusal(
    action: str,
    *,
    reason: str,
    request,
    document=None,
    version=None,
    detail: dict | None = None,
) -> AuditEntry | None:
    """Count a refused attempt and write its entry when the count is a power of two (see the
    module's docstring); returns the entry written, if any. Raises what ``record`` raises."""
    window = window_seconds()
    started = int(time.time() // window) * window
    subject = version.pk if version is not None else getattr(document, "pk", "")
    # The detail is part of what makes two refusals "the same" (a link refused for another
    # user than it was handed to, the step that refused it).
    described = json.dumps(detail or {}, sort_keys=True, default=str)
    identity = "\x1f".join((action, reason, _refuser(request), str(subject), described))
    key = f"audit-refusal:{started}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"
    attempts = _attempts(key, window)
    if attempts is not None and attempts & (attempts - 1):  # not a power of two
        return None
    return record(
        action,
        outcome=Outcome.DENIED,
        request=request,
        document=document,
        version=version,
        detail={
            "reason": reason,
            **(detail or {}),
            **({"attempts": attempts, "window": started} if attempts is not None else {}),
        },
    )
