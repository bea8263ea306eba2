"""Exports: OSCAL assessment results valid for an OSCAL model library, CSV and PDF reports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from trestle.oscal.assessment_results import AssessmentResults

from plugins.compliance_manager.oscal.exporting import assessment_results

from .conftest import item_of


@pytest.fixture
def worked(cm):
    passed, failed = item_of(cm.assessment, "ac-2"), item_of(cm.assessment, "ac-3")
    passed.implementation_status, passed.testing_status = "implemented", "passed"
    failed.implementation_status, failed.testing_status = "implemented", "failed_high"
    passed.save()
    failed.save()
    return cm


@pytest.mark.django_db
def test_oscal_assessment_results_parse_with_compliance_trestle(worked):
    response = worked.client("reader").get(
        f"/en/compliance/assessments/{worked.assessment.pk}/oscal.json"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    model = AssessmentResults.model_validate(document["assessment-results"])
    result = model.results[0]
    controls = result.reviewed_controls.control_selections[0].include_controls
    assert len(controls) == worked.low.controls.count()
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}
    assert states["ac-2_smt"] == "satisfied" and states["ac-3_smt"] == "not-satisfied"
    assert len(result.observations) == 2
    api = worked.client("reader").get(
        f"/api/v3/compliance/assessments/{worked.assessment.pk}/oscal/"
    )
    AssessmentResults.model_validate(api.json()["assessment-results"])


@pytest.mark.django_db
def test_an_untouched_assessment_exports_valid_oscal_too(cm):
    document = assessment_results(cm.other_assessment, "https://portal.example/plan")
    AssessmentResults.model_validate(document["assessment-results"])


@pytest.mark.django_db
def test_csv_and_pdf_reports(worked):
    client = worked.client("reader")
    base = f"/en/compliance/assessments/{worked.assessment.pk}"
    report = client.get(f"{base}/report.csv")
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(report.content.decode())))
    by_control = {r["control"]: r for r in rows}
    assert by_control["AC-2"]["control status"] == "passed"
    assert by_control["AC-3"]["testing status"] == "failed_high"
    assert {r["control"] for r in rows} == set(worked.low.controls.values_list("label", flat=True))
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert worked.client("other_org").get(f"{base}/report.pdf").status_code == 404
