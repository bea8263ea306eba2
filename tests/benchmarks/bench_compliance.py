"""Compliance Manager benchmark (not collected by default; run it by name):

    .venv/bin/python -m pytest tests/benchmarks/bench_compliance.py -s

Prints: the import time of the NIST LOW baseline (JSON and YAML) and of the whole SP 800-53
rev5 catalog (1,189 controls, 182 withdrawn); the latency of the dashboard, the action items,
the reports and the API for an assessment with 1,000 synthetic controls and 10,000 action items,
and for one of the whole catalog with 10,000 action items, each also as a ratio to the same page
of the LOW assessment in the same run; and SQL queries per request, which must be the same as
for the small assessment (asserted; the timings are only reported). Run it on each database:

    .venv/bin/python -m pytest tests/benchmarks/bench_compliance.py -s -p no:randomly
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tp_bench .venv/bin/python -m pytest \
        tests/benchmarks/bench_compliance.py -s -p no:randomly --create-db
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.compliance_manager.models import Control, ControlFamily, ImprovementAction, Template
from plugins.compliance_manager.oscal import BUILTIN_CATALOGS
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.workflow import create_assessment
from tests.compliance.conftest import cm  # noqa: F401  (the fixture)

ROUNDS = 5
FULL_CATALOG = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "oscal"
    / "NIST_SP-800-53_rev5_catalog_5.0.1.json"
)
LOW_YAML = FULL_CATALOG.with_name("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.yaml")


def synthetic_template(controls: int, actions_per_control: int) -> Template:
    template = Template.objects.create(oscal_uuid=uuid.uuid4(), title=f"Synthetic {controls}")
    families = ControlFamily.objects.bulk_create(
        ControlFamily(template=template, oscal_id=f"f{n}", title=f"Family {n}", sort_order=n)
        for n in range(20)
    )
    created = Control.objects.bulk_create(
        Control(
            template=template,
            family=families[n % 20],
            oscal_id=f"c-{n}",
            label=f"C-{n}",
            title=f"Control {n}",
            sort_order=n,
            statement="Do the thing.",
            responsibility=("customer", "shared", "provider")[n % 3],
            test_result="passed" if n % 2 else "not_tested",
        )
        for n in range(controls)
    )
    per_control = actions_per_control * 3 // 2  # provider-managed controls (a third) have none
    ImprovementAction.objects.bulk_create(
        ImprovementAction(control=control, key=f"a{k}", title=f"Action {k} of {control.label}")
        for control in created
        if control.responsibility != "provider"
        for k in range(per_control)
    )
    return template


def timed(client, url, rounds=ROUNDS):
    client.get(url)  # warm-up
    durations = []
    with CaptureQueriesContext(connection) as context:
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(url)
            durations.append(time.perf_counter() - start)
            assert response.status_code == 200, url
    return statistics.median(durations) * 1000, len(context.captured_queries) // rounds


@pytest.mark.django_db
def test_import_time_of_a_baseline():
    path = next(p for p in BUILTIN_CATALOGS if "LOW" in p.name)
    raw = json.loads(path.read_bytes())
    raw["catalog"]["uuid"] = str(uuid.uuid4())  # a new template, so every row is written
    data = json.dumps(raw).encode()
    start = time.perf_counter()
    report = import_bytes(data, path.name)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = import_bytes(data, path.name)
    second = time.perf_counter() - start
    assert report.controls_created == again.controls_unchanged == 149
    print(
        f"\n[bench] import LOW baseline ({connection.vendor}): first {first:.2f} s, "
        f"re-import (unchanged) {second:.2f} s"
    )


@pytest.mark.django_db
def test_dashboard_and_api_latency_for_1000_controls_and_10000_action_items(cm):  # noqa: F811
    big_template = synthetic_template(1000, 10)
    small_template = synthetic_template(10, 10)
    start = time.perf_counter()
    big = create_assessment(cm.organization, big_template, "Big", "Bench", None)
    created_in = time.perf_counter() - start
    small = create_assessment(cm.organization, small_template, "Small", "Bench small", None)
    items = big.links.count()
    assert big_template.controls.count() == 1000 and items >= 10_000
    client = cm.client("reader")
    urls = {
        "dashboard": "/en/compliance/assessments/{}/",
        "dashboard (filtered)": "/en/compliance/assessments/{}/?status=not_assessed&page=3",
        "API assessment detail": "/api/v3/compliance/assessments/{}/",
        "API action items (100)": "/api/v3/compliance/assessments/{}/action-items/?limit=100",
        "API OSCAL results": "/api/v3/compliance/assessments/{}/oscal/",
    }
    print(
        f"\n[bench] {connection.vendor}: assessment with 1000 controls and {items} action items "
        f"created in {created_in:.2f} s"
    )
    for name, url in urls.items():
        big_ms, big_queries = timed(client, url.format(big.pk))
        _small_ms, small_queries = timed(client, url.format(small.pk))
        assert big_queries == small_queries, name
        print(f"[bench] {name:<24} median {big_ms:8.1f} ms, {big_queries} SQL queries")


def import_as_new(data: bytes, source_name: str):
    """``import_bytes`` of a catalog under a new UUID (every row written), and its time."""
    start = time.perf_counter()
    report = import_bytes(data, source_name)
    return report, time.perf_counter() - start


def with_new_uuid(path: Path) -> bytes:
    raw = json.loads(path.read_bytes())
    raw["catalog"]["uuid"] = str(uuid.uuid4())
    return json.dumps(raw).encode()


@pytest.mark.django_db
@pytest.mark.skipif(not FULL_CATALOG.exists(), reason="shared OSCAL data not present")
def test_import_time_of_the_whole_catalog_and_of_yaml():
    low = next(p for p in BUILTIN_CATALOGS if "LOW" in p.name)
    _report, low_json = import_as_new(with_new_uuid(low), low.name)
    yaml_text = LOW_YAML.read_text().replace(
        json.loads(low.read_bytes())["catalog"]["uuid"], str(uuid.uuid4())
    )
    yaml_report, low_yaml = import_as_new(yaml_text.encode(), LOW_YAML.name)
    assert yaml_report.controls_created == 149
    data = with_new_uuid(FULL_CATALOG)
    full, first = import_as_new(data, FULL_CATALOG.name)
    assert full.controls_created == 1189 and full.controls_withdrawn == 182
    again, second = import_as_new(data, FULL_CATALOG.name)
    assert again.controls_unchanged == 1189
    print(
        f"\n[bench] import ({connection.vendor}): LOW JSON {low_json:.2f} s, LOW YAML "
        f"{low_yaml:.2f} s ({low_yaml / low_json:.1f}x JSON); whole SP 800-53 rev5 (1,189 "
        f"controls) {first:.2f} s ({first / low_json:.1f}x LOW), re-import unchanged "
        f"{second:.2f} s"
    )


@pytest.mark.django_db
@pytest.mark.skipif(not FULL_CATALOG.exists(), reason="shared OSCAL data not present")
def test_dashboard_of_the_whole_catalog_with_10000_action_items(cm):  # noqa: F811
    full = import_bytes(with_new_uuid(FULL_CATALOG), FULL_CATALOG.name).template
    in_force = list(full.controls.in_force().exclude(responsibility="provider"))
    # The catalog gives each control one action; nine more each make 10,000 items or so.
    ImprovementAction.objects.bulk_create(
        ImprovementAction(control=control, key=f"extra-{k}", title=f"Action {k} of {control.label}")
        for control in in_force
        for k in range(9)
    )
    low = next(t for t in Template.objects.all() if "LOW" in t.title and t.pk != full.pk)
    start = time.perf_counter()
    big = create_assessment(cm.organization, full, "Whole catalog", "Bench whole", None)
    created_in = time.perf_counter() - start
    small = create_assessment(cm.organization, low, "LOW", "Bench LOW", None)
    items = big.links.count()
    assert items >= 10_000
    client = cm.client("reader")
    urls = {
        "dashboard": "/en/compliance/assessments/{}/",
        "dashboard (filtered)": "/en/compliance/assessments/{}/?status=not_assessed&page=3",
        "action items (bulk page)": "/en/compliance/assessments/{}/action-items/",
        "PDF report": "/en/compliance/assessments/{}/report.pdf",
        "CSV report": "/en/compliance/assessments/{}/report.csv",
        "API assessment detail": "/api/v3/compliance/assessments/{}/",
        "API OSCAL results": "/api/v3/compliance/assessments/{}/oscal/",
    }
    print(
        f"\n[bench] {connection.vendor}: whole SP 800-53 rev5 ({full.controls.count()} controls) "
        f"with {items} action items, assessment created in {created_in:.2f} s"
    )
    for name, url in urls.items():
        big_ms, big_queries = timed(client, url.format(big.pk), rounds=3)
        small_ms, small_queries = timed(client, url.format(small.pk), rounds=3)
        # Not more for 10,000 items than for 149 (LOW may ask one more: a mapping reaches it).
        assert big_queries <= small_queries, name
        print(
            f"[bench] {name:<26} median {big_ms:8.1f} ms ({big_ms / small_ms:5.1f}x LOW), "
            f"{big_queries} SQL queries"
        )
