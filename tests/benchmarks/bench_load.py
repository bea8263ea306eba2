"""Load benchmark (not collected by pytest): gunicorn under a mix of readers, with Redis up, and
with Redis stopped in the middle of the run.

    .venv/bin/python tests/benchmarks/bench_load.py --seconds 60 --connections 32

Seeds the demo portal into a PostgreSQL database of its own (``--database-url``; recreated each
run), starts a redis-server on a free port and gunicorn (production settings, ``--workers``
processes) on it, then keeps ``--connections`` keep-alive connections busy for ``--seconds``
with a mix of the home page, the document listing, searches, the API (lists, searches, a
document) and watermarked downloads of a gated PDF by a signed-in member. With ``--redis-fault``
(the default) Redis is stopped a third of the way through and started again, empty, two thirds
of the way. Reports, per phase: requests/s, p50 and p99 latency, responses that were not the
expected status (errors), and the workers' memory before and after. Every figure is also given
as a ratio to ``/healthz`` measured the same way in the same run (the machine is shared and
noisy: only ratios compare across runs).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HOST = "portal.example"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/trustportal_bench_load"
    )
    parser.add_argument("--no-redis-fault", dest="redis_fault", action="store_false")
    args = parser.parse_args()

    from tests.smtp_server import free_port
    from tests.workers import RedisServer, gunicorn_command

    redis = RedisServer().start()
    env = production_env(args.database_url, redis.url, ROOT / "var" / "bench-load")
    os.environ.update(env)
    prepared = prepare(args.database_url)
    port = free_port()
    server = subprocess.Popen(
        gunicorn_command(port, args.workers, args.threads),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(ROOT / "var" / "bench-load" / "gunicorn.log").open("w"),
    )
    try:
        wait_for(port)
        mix = reader_mix(prepared)
        for request in mix:  # warm every kind once (and check it works at all)
            status = fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=60), request)
            if status != request["expect"]:
                raise SystemExit(f"{request['path']} answered {status}")
        baseline = run(port, [probe()], args.connections, min(10.0, args.seconds / 4))
        memory_before = workers_rss(server.pid)
        phases = run_with_fault(port, mix, args, redis)
        memory_after = workers_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.cleanup()
    report = {
        "connections": args.connections,
        "gunicorn": f"{args.workers} workers x {args.threads} threads",
        "baseline /healthz": summary(baseline),
        "phases": {name: summary(result, baseline) for name, result in phases.items()},
        "worker memory MiB": {"before": memory_before, "after": memory_after},
    }
    print(json.dumps(report, indent=2))
    out = ROOT / "artifacts" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(report, indent=2))


def production_env(database_url: str, redis_url: str, var: Path) -> dict:
    """The environment of a portal served as in production, for a benchmark's load from one
    address: fresh secrets, quiet logs, no per-address limit that would refuse the load."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sites.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TRUSTPORTAL_AUDIT_KEYS": f"2026={secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS": f"{HOST},localhost,127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TRUSTPORTAL_VAR_DIR": str(var),
        "LOG_LEVEL": "ERROR",
        "TRUSTPORTAL_DOWNLOADS_PER_HOUR": "100000000",
        "TRUSTPORTAL_DOWNLOAD_LINK_MINUTES": "600",  # links made before the run, used through it
        "TRUSTPORTAL_API_RATE_ANONYMOUS": "",
        "TRUSTPORTAL_API_RATE_AUTHENTICATED": "",
    }


def prepare(database_url: str) -> dict:
    """A fresh database with the demo portal, and what the mix needs from it."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string

    from cms.delivery.links import signed_download_url
    from cms.models import AccessLevel, DocumentVersion, organization_of
    from plugins.nda.models import NdaAcceptance, NdaVersion

    call_command("migrate", verbosity=0)
    call_command("seed_demo", password="bench-password", force=True, verbosity=0)
    reader = get_user_model().objects.get(username="reader")
    nda = NdaVersion.current()
    if not NdaAcceptance.objects.filter(user=reader, nda_version=nda).exists():
        organization = organization_of(reader)
        NdaAcceptance.objects.create(
            user=reader,
            username=reader.username,
            email=reader.email,
            organization=organization,
            organization_name=organization.name if organization else "",
            nda_version=nda,
            language=nda.locale.language_code,
            text_sha256=nda.text_sha256(),
        )
    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    # The current version of an NDA document with an English PDF: watermarked for its reader.
    gated = next(
        version
        for version in (
            DocumentVersion.objects.filter(
                live=True, document__live=True, document__access_level=AccessLevel.NDA
            ).order_by("document_id", "-published_on", "-pk")
        )
        if version.document.versions.filter(live=True).order_by("-published_on", "-pk").first()
        == version
        and version.files.filter(language="en", file__endswith=".pdf").exists()
    )
    document = DocumentVersion.objects.filter(live=True).order_by("pk").first().document
    return {
        # As a browser sends them once it has seen a page: the session and the CSRF secret.
        "cookie": (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={get_random_string(32, CSRF_ALLOWED_CHARS)}"
        ),
        "download": signed_download_url(gated.pk, "en", reader),
        "document": document.slug,
    }


def probe() -> dict:
    return {"path": "/healthz", "expect": 200}


def reader_mix(prepared: dict) -> list[dict]:
    member = {"Cookie": prepared["cookie"]}
    return [
        {"path": "/en/", "expect": 200},
        {"path": "/en/trust-documents/", "expect": 200},
        {"path": "/en/search/?q=soc", "expect": 200},
        {"path": "/en/search/?q=penetration+test&standard=soc-2", "expect": 200},
        {"path": "/api/v3/trust-documents/?limit=20", "expect": 200},
        {"path": "/api/v3/trust-documents/?q=audit&limit=20", "expect": 200},
        {"path": f"/api/v3/trust-documents/{prepared['document']}/", "expect": 200},
        {"path": "/en/search/?q=iso", "expect": 200, "headers": member},
        {"path": prepared["download"], "expect": 200, "headers": member},
    ]


def fetch(connection: http.client.HTTPConnection, request: dict) -> int:
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", **request.get("headers", {})}
    connection.request("GET", request["path"], headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def run(port: int, mix: list[dict], connections: int, seconds: float, stop_at=None) -> dict:
    """Keep ``connections`` connections busy with ``mix`` (round robin) for ``seconds``."""
    deadline = stop_at or time.monotonic() + seconds
    latencies: list[float] = []
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = offset
        mine, seen = [], Counter()
        while time.monotonic() < deadline:
            request = mix[n % len(mix)]
            n += 1
            started = time.perf_counter()
            try:
                status = fetch(connection, request)
            except (OSError, http.client.HTTPException) as error:
                seen[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
            seen["ok" if status == request["expect"] else f"status {status}"] += 1
        with lock:
            latencies.extend(mine)
            outcomes.update(seen)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"seconds": time.monotonic() - started, "latencies": latencies, "outcomes": outcomes}


def run_with_fault(port: int, mix: list[dict], args, redis) -> dict:
    if not args.redis_fault:
        return {"Redis up": run(port, mix, args.connections, args.seconds)}
    third = args.seconds / 3
    phases = {"Redis up": run(port, mix, args.connections, third)}
    redis.stop()
    phases["Redis stopped"] = run(port, mix, args.connections, third)
    redis.start()  # empty: nothing of what it held comes back
    phases["Redis back, empty"] = run(port, mix, args.connections, third)
    return phases


def summary(result: dict, baseline: dict | None = None) -> dict:
    latencies = sorted(result["latencies"])
    outcomes = result["outcomes"]
    rate = len(latencies) / result["seconds"]
    figures = {
        "requests_per_second": round(rate, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1)
        if latencies
        else None,
        "requests": sum(outcomes.values()),
        "errors": sum(n for outcome, n in outcomes.items() if outcome != "ok"),
        "outcomes": dict(outcomes),
    }
    if baseline and baseline["latencies"]:
        base = summary(baseline)
        figures["throughput_vs_healthz"] = round(rate / base["requests_per_second"], 3)
        figures["p50_vs_healthz"] = round(figures["p50_ms"] / base["p50_ms"], 1)
    return figures


def wait_for(port: int) -> None:
    for _attempt in range(300):
        try:
            if fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=60), probe()) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def workers_rss(master: int) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MiB."""
    from tests.workers import descendants

    sizes = []
    for pid in descendants(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kilobytes = int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )
        sizes.append(round(kilobytes / 1024, 1))
    return sizes


if __name__ == "__main__":
    main()
