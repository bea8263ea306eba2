"""The PDF report of an assessment of the whole SP 800-53 rev5 catalog (1,189 controls, 182 of
them withdrawn), not collected by default; run it by name:

    .venv/bin/python -m pytest tests/benchmarks/bench_compliance_report.py -s -p no:randomly

Prints the median time of the PDF report and, as a machine-independent figure, its ratio to the
CSV report of the same assessment measured in the same run (the same data, no layout). The goal
is under 3 s (the table-only report took 8.5 s). The timings are reported, never asserted, and
so are the SQL queries (tests/compliance/test_report_pdf.py asserts that they do not grow with
the number of controls).
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from plugins.compliance_manager import reports
from plugins.compliance_manager.models import ActionItem, Assessment
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.workflow import create_assessment
from tests.compliance.conftest import cm  # noqa: F401  (the fixture)
from tests.compliance.test_withdrawn_controls import FULL_CATALOG

ROUNDS = 3
pytestmark = pytest.mark.skipif(not FULL_CATALOG.exists(), reason="shared OSCAL data not present")


def work_on(assessment, people) -> None:
    """Every fifth item in each state, assigned round-robin, a third of them overdue."""
    today = timezone.localdate()
    states = [
        ("implemented", "passed"),
        ("planned", "not_assessed"),
        ("not_implemented", "not_assessed"),
        ("implemented", "failed_medium"),
        ("out_of_scope", "not_assessed"),
    ]
    items = list(ActionItem.objects.filter(group=assessment.group).order_by("pk"))
    for n, item in enumerate(items):
        item.implementation_status, item.testing_status = states[n % len(states)]
        item.assignee = people[n % len(people)]
        item.due_date = today + timedelta(days=(n % 3 - 1) * 30)
    ActionItem.objects.bulk_update(
        items, ["implementation_status", "testing_status", "assignee", "due_date"]
    )


def median_seconds(render) -> tuple[float, object]:
    render()  # warm-up: imports, font metrics
    durations, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = render()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def queries_of(render) -> int:
    with CaptureQueriesContext(connection) as context:
        render()
    return len(context.captured_queries)


@pytest.mark.django_db
def test_pdf_report_of_the_full_catalog(cm):  # noqa: F811
    template = import_bytes(FULL_CATALOG.read_bytes(), FULL_CATALOG.name).template
    people = [cm.users[role] for role in ("contributor", "assessor", "administrator")] + [None]
    full = create_assessment(cm.organization, template, "Full catalog", "Bench", None)
    work_on(full, people)
    work_on(cm.assessment, people)
    # As the report view reads them.
    full, low = (
        Assessment.objects.select_related("template", "group", "organization", "service").get(
            pk=assessment.pk
        )
        for assessment in (full, cm.assessment)
    )
    pdf_seconds, pdf = median_seconds(lambda: reports.pdf_report(full))
    csv_seconds, _csv = median_seconds(lambda: reports.csv_report(full))
    low_seconds, _low = median_seconds(lambda: reports.pdf_report(low))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    full_queries = queries_of(lambda: reports.pdf_report(full))
    low_queries = queries_of(lambda: reports.pdf_report(low))
    print(
        f"\n[bench] {connection.vendor}: PDF report of the full catalog "
        f"({template.controls.in_force().count()} controls in force): median {pdf_seconds:.2f} s, "
        f"{pages} pages, {len(pdf) // 1024} KiB, {full_queries} SQL queries ({low_queries} for LOW)"
        f"\n[bench] ratio to the CSV report of the same assessment ({csv_seconds:.3f} s): "
        f"{pdf_seconds / csv_seconds:.1f}x; LOW baseline (149 controls): {low_seconds:.2f} s"
    )
