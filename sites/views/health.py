"""Probes for load balancers and orchestrators.

``/healthz``: the process is up and serving (no dependency asked, so a database outage does not
get every instance restarted). ``/readyz``: the services this instance is configured to use
answer — the database always, Redis when ``REDIS_URL`` is set, the search backend — so the
instance can be taken out of rotation until they do; ``"degraded"`` (still 200) when the search
index is incomplete, with the command that completes it. Answers say which services are
configured and whether each is reachable; the reasons go to the log, not to the anonymous
caller.
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


def readiness() -> tuple[bool, dict[str, dict]]:
    """``(all reachable, {service: {"configured", "reachable", ...}})``."""
    checks = {
        "database": (True, _check_database),
        "redis": (bool(getattr(settings, "REDIS_URL", "")), _check_redis),
        "search": (True, _check_search),
    }
    services, ready = {}, True
    for name, (configured, check) in checks.items():
        if not configured:
            services[name] = {"configured": False}
            continue
        try:
            services[name] = {"configured": True, "reachable": True, **check()}
        except Exception as error:  # noqa: BLE001 — whatever a probe raises, it is not ready
            logger.warning("Readiness: %s unreachable: %s", name, error)
            services[name] = {"configured": True, "reachable": False}
            ready = False
    return ready, services


@never_cache
@require_safe
def readyz(request):
    ready, services = readiness()
    status = "ready" if ready else "unavailable"
    # An incomplete search index still serves readers (search misses some documents): the
    # instance stays in rotation, and the answer says what to run.
    if ready and not services["search"].get("index", {}).get("complete", True):
        status = "degraded"
    return JsonResponse({"status": status, "services": services}, status=200 if ready else 503)
