"""Benchmark (not collected by pytest): the viewer analytics over a year of audit data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustportal_bench \\
        .venv/bin/python tests/benchmarks/analytics_year.py --entries 300000

Creates (or reuses, with ``--reuse``) the database given by DATABASE_URL (SQLite file under
var/ by default), migrates it, appends ``--entries`` chained audit entries spread over the last
365 days (downloads, views, NDA acceptances; 40 organizations, 120 documents), then times each
aggregate and the whole analytics page for the year, the last 30 days and a quarter, and prints
the number of queries of each. Timings depend on the machine; the query counts do not.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sites.settings.dev")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="keep the entries already there")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cms.analytics import reports
    from cms.analytics.reports import Period
    from cms.audit.models import AuditEntry
    from tests.audit_data import append

    call_command("migrate", verbosity=0)
    existing = AuditEntry.objects.count()
    if not args.reuse or existing < args.entries:
        rng = random.Random(7)
        now = timezone.now()
        started = time.monotonic()
        batch = []
        for n in range(args.entries - (existing if args.reuse else 0)):
            action = rng.choices(["download", "document_view", "nda_accepted"], [5, 12, 1])[0]
            org = rng.randrange(40)
            doc = rng.randrange(120)
            batch.append(
                {
                    "created_at": now - timedelta(seconds=rng.randrange(365 * 86400)),
                    "action": action,
                    "outcome": "allowed" if action == "download" else "ok",
                    "username": f"user{org}-{rng.randrange(25)}",
                    "organization_id": 1000 + org,
                    "organization_name": f"Organization {org}",
                    "document_id": 5000 + doc if action != "nda_accepted" else None,
                    "document_title": f"Document {doc}" if action != "nda_accepted" else "",
                    "version_id": 9000 + doc * 3 + rng.randrange(3)
                    if action == "download"
                    else None,
                    "version_label": "v" if action == "download" else "",
                    "nda_version": "2026-01" if action == "nda_accepted" else "",
                }
            )
            if len(batch) == 20_000:
                append(batch)
                batch = []
                print(f"  {n + 1} entries", file=sys.stderr)
        if batch:
            append(batch)
        print(f"seeded {args.entries} entries in {time.monotonic() - started:.1f}s")

    print(f"database: {connection.vendor}, audit entries: {AuditEntry.objects.count()}")
    today = timezone.now().date()
    periods = {
        "year": Period(today - timedelta(days=364), today),
        "quarter": Period(today - timedelta(days=90), today),
        "30 days": Period.last_days(30),
    }
    for name, period in periods.items():
        for label, run in [
            ("totals", lambda p=period: reports.totals(p)),
            ("timeline", lambda p=period: reports.timeline(p)),
            ("by_document", lambda p=period: list(reports.by_document(p, 10))),
            ("by_version", lambda p=period: list(reports.by_version(p, 10))),
            ("by_organization", lambda p=period: list(reports.by_organization(p, 10))),
            ("nda_organizations", lambda p=period: list(reports.nda_organizations(p, 10))),
        ]:
            with CaptureQueriesContext(connection) as queries:
                started = time.monotonic()
                run()
                elapsed = time.monotonic() - started
            print(f"{name:8} {label:18} {elapsed * 1000:8.1f} ms  {len(queries)} query")

    admin = get_user_model().objects.filter(is_superuser=True).first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("bench-admin", "b@example.com", "x")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    client.get("/admin/analytics/")  # warm up: the first request imports the admin
    for name, period in periods.items():
        params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            status = client.get("/admin/analytics/", params).status_code
            elapsed = time.monotonic() - started
        print(f"page {name:8} status {status} {elapsed * 1000:8.1f} ms  {len(queries)} queries")


if __name__ == "__main__":
    main()
