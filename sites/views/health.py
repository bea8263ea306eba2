"""Probes for load balancers and orchestrators.

``/healthz``: the process is up and serving (no dependency asked, so a database outage does not
get every instance restarted). ``/readyz``: whether this instance can serve readers, which
needs the database and nothing else: 503 while the database does not answer, so a load balancer
takes the instance out of rotation until it does. Redis (when ``REDIS_URL`` is set) and the
search engine only make the portal faster or its search better; without them readers are still
served (the caches fall back, jobs wait in the outbox, search falls back to the database), so
their outage is ``"degraded"`` with 200, as is an incomplete search index (with the command
that completes it). Taking every instance out of rotation because Redis is down would turn a
cache outage into a total one. Answers say which services are configured and whether each is
reachable; the reasons go to the log, not to the anonymous caller.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from search import backends, text_index

logger = logging.getLogger(__name__)
PROBE_TIMEOUT_SECONDS = 2


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"backend": connection.vendor}


def _check_redis() -> dict:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _check_search() -> dict:
    backend = backends.get_backend()
    backend.check_reachable()
    return {"backend": backend.name, "index": text_index.index_state()}


#: The services without which this instance cannot serve readers.
REQUIRED = frozenset({"database"})


def readiness() -> tuple[str, dict[str, dict]]:
    """``("ready" | "degraded" | "unavailable", {service: {"configured", "reachable", ...}})``."""
    checks = {
        "database": (True, _check_database),
        "redis": (bool(getattr(settings, "REDIS_URL", "")), _check_redis),
        "search": (True, _check_search),
    }
    services, status = {}, "ready"
    for name, (configured, check) in checks.items():
        if not configured:
            services[name] = {"configured": False}
            continue
        try:
            services[name] = {"configured": True, "reachable": True, **check()}
        except Exception as error:  # noqa: BLE001 — whatever a probe raises, it is unreachable
            logger.warning("Readiness: %s unreachable: %s", name, error)
            services[name] = {"configured": True, "reachable": False}
            if name in REQUIRED:
                status = "unavailable"
            elif status == "ready":
                status = "degraded"
    # An incomplete search index still serves readers (search misses some documents): the
    # answer says what to run.
    if status == "ready" and not services["search"].get("index", {}).get("complete", True):
        status = "degraded"
    return status, services


@never_cache
@require_safe
def readyz(request):
    status, services = readiness()
    return JsonResponse(
        {"status": status, "services": services}, status=503 if status == "unavailable" else 200
    )
