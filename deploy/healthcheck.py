"""Health checks of the image's processes (the Dockerfile's HEALTHCHECK, compose.yaml's
``healthcheck``): exit status 0 when healthy, 1 with the reason on stderr when not.

    python healthcheck.py web      gunicorn answers /healthz on PORT (8000)
    python healthcheck.py worker   an RQ worker of this container is registered in Redis
    python healthcheck.py cron     the cron scheduler of this container is registered in Redis

``web`` asks ``/healthz``, which asks no dependency: a database outage must not mark every
container unhealthy (``/readyz`` is the load balancer's question). It is asked as a load
balancer's probe is, over plain HTTP (the production settings exempt the probes from the HTTPS
redirect) and with a ``Host`` the portal accepts: the first of ``ALLOWED_HOSTS``.

``worker`` and ``cron`` look for their process among those RQ lists in Redis: a worker's entry
expires unless its heartbeat renews it, and the cron scheduler's registry drops a scheduler
whose heartbeat stopped. A Redis that cannot be reached is unhealthy too (the process waits for
it, doing nothing meanwhile). Neither imports Django: a check runs every few seconds.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 5


def probe_host(allowed_hosts: str) -> str:
    """A ``Host`` header ``ALLOWED_HOSTS`` accepts: its first entry (``.example.com`` allows
    ``example.com``), or ``localhost`` for ``*`` or none."""
    for entry in (item.strip() for item in allowed_hosts.split(",")):
        if entry and entry != "*":
            return entry.lstrip(".")
    return "localhost"


def check_web() -> str | None:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": probe_host(os.environ.get("ALLOWED_HOSTS", ""))},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if response.status == 200:
                return None
            return f"/healthz answered {response.status}"
    except urllib.error.HTTPError as error:
        return f"/healthz answered {error.code}"
    except OSError as error:
        return f"/healthz did not answer: {error}"


def check_registered(kind: str) -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError
    from rq.cron import CronScheduler
    from rq.worker import Worker

    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set: there are no workers without Redis"
    connection = Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        processes = Worker.all(connection) if kind == "worker" else CronScheduler.all(connection)
    except RedisError as error:
        return f"Redis did not answer: {error}"
    finally:
        connection.close()
    hostname = socket.gethostname()
    if any(process.hostname == hostname for process in processes):
        return None
    return f"no {kind} of this container ({hostname}) is registered in Redis"


def main(argv: list[str]) -> int:
    kind = argv[1] if len(argv) > 1 else "web"
    if kind not in {"web", "worker", "cron"}:
        print(f"usage: {argv[0]} web|worker|cron", file=sys.stderr)
        return 2
    problem = check_web() if kind == "web" else check_registered(kind)
    if problem:
        print(f"unhealthy ({kind}): {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
