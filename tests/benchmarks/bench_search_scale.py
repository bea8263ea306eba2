"""Search with many matches (issue 20, goal 5): not part of the test suite, run by hand.

    .venv/bin/python tests/benchmarks/bench_search_scale.py --pg-database tp_bench_sr
    .venv/bin/python tests/benchmarks/bench_search_scale.py --pg-database tp_bench_sr --reuse

Seeds ``--documents`` (default 100,000) documents on PostgreSQL in the database
``--pg-database`` (created and dropped here; ``--keep`` keeps it, ``--reuse`` measures an
already seeded one again, as a change to the code is measured before and after), then asks the
documents API (``/api/v3/trust-documents/``, through Django's test ``Client``: the view, the
listing, its facet counts and the cards) for one word that matches about a fifth of the
documents (``broad``) and one that matches a few dozen (``narrow``), as an anonymous reader and
as a member entitled to some restricted documents. The ``_cold`` runs bump the listing
generation before every request, so the facet counts that are memoized for everyone are
counted afresh each time (as after every publish).

Prints p50/p95 of each and the ratio broad/narrow in the same run: the ranking cost must not
grow with the number of matches. Target: the broad query's p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_search_api import (  # noqa: E402
    PG_SERVER,
    percentile,
    prepare_database,
)

OUTPUT = ROOT / "artifacts" / "benchmarks"
API = "/api/v3/trust-documents/"
TARGET_P95_MS = 50.0
#: The share of documents the broad word should match, and how many the narrow one should.
BROAD_SHARE = 0.20
NARROW_MATCHES = 40
#: Vocabulary ranks looked at when choosing the two words (the seed's Zipf-like vocabulary).
CANDIDATE_RANKS = [*range(0, 80), *range(2000, 3000, 50)]


def setup(documents: int, pg_database: str, reuse: bool):
    """``cleanup`` (None to keep) after making ``pg_database`` a seeded, indexed, analysed
    portal of ``documents`` documents (as it is, with ``reuse``)."""
    if reuse:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_database}"
        cleanup = None
    else:
        url, cleanup = prepare_database("postgresql", pg_database)
        os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "sites.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if reuse:
        call_command("migrate", verbosity=0)  # a migration of the change being measured
        return None
    from tests.benchmarks.seed import seed

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    seed(documents, log=lambda *a, **k: print(*a, **k, file=sys.stderr))
    print(f"seeded in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    t0 = time.perf_counter()
    call_command("rebuild_search_index", stdout=StringIO())
    print(f"indexed in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return cleanup


def choose_words() -> dict[str, tuple[str, int]]:
    """``{"broad": (word, documents), "narrow": (word, documents)}``: the seed's words whose
    number of source documents is nearest a fifth of all, and nearest ``NARROW_MATCHES``."""
    from django.db import connection

    from tests.benchmarks.seed import make_vocabulary

    vocabulary = make_vocabulary(random.Random(42))  # what seed(seed_value=42) drew first
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM trustsearch_searchentry")
        total = cursor.fetchone()[0]
        for rank in CANDIDATE_RANKS:
            word = vocabulary[rank]
            cursor.execute(
                "SELECT COUNT(*) FROM trustsearch_searchentry "
                "WHERE vector @@ plainto_tsquery('english', %s)",
                [word],
            )
            counts[word] = cursor.fetchone()[0]
    broad = min(counts, key=lambda w: abs(counts[w] - BROAD_SHARE * total))
    narrow = min(counts, key=lambda w: abs(counts[w] - NARROW_MATCHES))
    return {"broad": (broad, counts[broad]), "narrow": (narrow, counts[narrow]), "total": total}


def member_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from cms.models import Membership, Organization

    organization = Organization.objects.get(slug="bench-customer")
    user, created = get_user_model().objects.get_or_create(username="bench-scale-member")
    if created:
        Membership.objects.create(user=user, organization=organization)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def bump_generation() -> None:
    from django.db.models import F

    from search.models import ListingGeneration

    ListingGeneration.objects.filter(pk=1).update(value=F("value") + 1)


def time_one(client, params: dict, requests: int, warmup: int, cold: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert client.get(API, params).status_code == 200
    times = []
    for _ in range(requests):
        if cold:
            bump_generation()
        t0 = time.perf_counter()
        response = client.get(API, params)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
    if cold:
        bump_generation()
    with CaptureQueriesContext(connection) as captured:
        body = client.get(API, params).json()
    queries = sorted(
        ((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True
    )
    return {
        "matches": body["count"],
        "first": [item["slug"] for item in body["items"][:3]],
        "facet_values": sum(len(values) for values in body["facets"].values()),
        "p50": round(statistics.median(times), 2),
        "p95": round(percentile(times, 0.95), 2),
        "queries": len(queries),
        "sql_ms": round(sum(ms for ms, _sql in queries), 2),
        "slowest_ms": round(queries[0][0], 2),
        "slowest_sql": queries[0][1][:2000],
    }


def measure(requests: int, warmup: int) -> dict:
    from django.test import Client

    from search.backends import get_backend

    words = choose_words()
    print(f"words: {words}", file=sys.stderr)
    clients = {"anonymous": Client(HTTP_HOST="localhost"), "member": member_client()}
    results = {"backend": get_backend().name, "words": words, "runs": {}}
    for reader, client in clients.items():
        for cold in (False, True):
            for kind in ("narrow", "broad"):
                name = f"{kind}_{reader}{'_cold' if cold else ''}"
                print(f"timing {name}", file=sys.stderr)
                params = {"q": words[kind][0], "limit": 20}
                results["runs"][name] = time_one(client, params, requests, warmup, cold)
    for name, figures in results["runs"].items():
        if name.startswith("broad"):
            narrow = results["runs"][name.replace("broad", "narrow", 1)]
            figures["p50_vs_narrow"] = round(figures["p50"] / narrow["p50"], 2)
            figures["p95_vs_narrow"] = round(figures["p95"] / narrow["p95"], 2)
    return results


def report(results: dict) -> None:
    words = results["words"]
    print(
        f"{words['total']} documents; broad word {words['broad'][0]!r} in "
        f"{words['broad'][1]} ({words['broad'][1] / words['total']:.0%}), narrow word "
        f"{words['narrow'][0]!r} in {words['narrow'][1]}"
    )
    header = (
        f"{'request':<24} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>6} {'p95 x':>6} "
        f"{'queries':>7} {'sql ms':>7} {'slowest':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, f in results["runs"].items():
        print(
            f"{name:<24} {f['matches']:>8} {f['p50']:>8.1f} {f['p95']:>8.1f} "
            f"{f.get('p50_vs_narrow', ''):>6} {f.get('p95_vs_narrow', ''):>6} "
            f"{f['queries']:>7} {f['sql_ms']:>7.1f} {f['slowest_ms']:>8.1f}"
        )
    worst = max(f["p95"] for name, f in results["runs"].items() if name.startswith("broad"))
    met = "met" if worst < TARGET_P95_MS else "NOT met"
    print(f"broad query p95, worst reader: {worst:.1f} ms (target < {TARGET_P95_MS:.0f} ms: {met})")
    print("(p50 x / p95 x: the broad query as a multiple of the narrow one, same reader)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--pg-database", default="tp_bench_search_scale")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the seeded database.")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the already seeded --pg-database again."
    )
    parser.add_argument("--label", default="", help="Added to the name of the figures file.")
    args = parser.parse_args()
    cleanup = setup(args.documents, args.pg_database, args.reuse)
    try:
        results = measure(args.requests, args.warmup)
    finally:
        if cleanup is not None and not args.keep:
            cleanup()
        elif not args.reuse or args.keep:
            print(f"database kept: {args.pg_database}", file=sys.stderr)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"search_scale{'_' + args.label if args.label else ''}.json"
    path.write_text(json.dumps(results, indent=2))
    report(results)
    print(f"figures written to {path}")


if __name__ == "__main__":
    main()
