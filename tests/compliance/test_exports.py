"""Exports: OSCAL assessment results, valid against NIST's JSON schema and an OSCAL model
library, that reference the catalog and the assessment plan in back-matter, link evidence through
the portal's access checks and leave controls nobody assessed without a finding; CSV and PDF
reports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import regex
from django.core.files.uploadedfile import SimpleUploadedFile
from jsonschema import Draft7Validator, FormatChecker, validators
from trestle.oscal.assessment_results import AssessmentResults

from plugins.compliance_manager.models import Control
from plugins.compliance_manager.oscal.exporting import assessment_results
from plugins.compliance_manager.workflow import add_evidence

from .conftest import item_of

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "oscal"
    / "schema"
    / "oscal_assessment-results_schema_1.1.1.json"
)

# --- NIST's schema, checked with a regex engine that knows \p{L} -------------------------

# RFC 3986: only these characters, "%" only before two hex digits, at most one "#".
_URI_CHARACTERS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
FORMATS = FormatChecker()


@FORMATS.checks("uri-reference")
def _uri_reference(value) -> bool:
    return not isinstance(value, str) or (
        bool(_URI_CHARACTERS.match(value)) and value.count("#") <= 1
    )


@FORMATS.checks("uri")
def _uri(value) -> bool:
    return not isinstance(value, str) or (_uri_reference(value) and bool(_SCHEME.match(value)))


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    # The schema's own pattern does the real work; this only insists on a time zone.
    return not isinstance(value, str) or bool(re.search(r"(Z|[+-]\d\d:\d\d)$", value))


def _pattern(validator, pattern, instance, schema):
    # Python's re has no \p{..}: NIST's patterns need the regex module.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})
# The schema itself checked against draft 7, its patterns compiled by the same engine.
METASCHEMA_FORMATS = FormatChecker()


@METASCHEMA_FORMATS.checks("regex", raises=regex.error)
def _regex(value) -> bool:
    return not isinstance(value, str) or bool(regex.compile(value))


@pytest.fixture(scope="module")
def schema_validator():
    if not SCHEMA_PATH.exists():
        pytest.skip("shared OSCAL schema not present")
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=METASCHEMA_FORMATS).validate(schema)
    return OscalValidator(schema, format_checker=FORMATS)


def schema_errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def worked(cm):
    passed, failed = item_of(cm.assessment, "ac-2"), item_of(cm.assessment, "ac-3")
    passed.implementation_status, passed.testing_status = "implemented", "passed"
    failed.implementation_status, failed.testing_status = "implemented", "failed_high"
    passed.save()
    failed.save()
    return cm


def export(world, assessment=None, who="reader") -> dict:
    assessment = assessment or world.assessment
    response = world.client(who).get(f"/en/compliance/assessments/{assessment.pk}/oscal.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def resource(document: dict, href: str) -> dict:
    """The back-matter resource an internal reference ``#<uuid>`` names."""
    assert href.startswith("#")
    resources = document["assessment-results"]["back-matter"]["resources"]
    [found] = [r for r in resources if r["uuid"] == href[1:]]
    return found


def relative(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    return parts.path


# --- validity ---------------------------------------------------------------------------


def test_oscal_assessment_results_parse_with_compliance_trestle(worked):
    document = export(worked)
    model = AssessmentResults.model_validate(document["assessment-results"])
    result = model.results[0]
    controls = result.reviewed_controls.control_selections[0].include_controls
    assert len(controls) == worked.low.controls.count()
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}
    assert states["ac-2_smt"] == "satisfied" and states["ac-3_smt"] == "not-satisfied"
    assert "ac-1_smt" not in states  # nobody assessed it
    assert len(result.observations) == 2
    api = worked.client("reader").get(
        f"/api/v3/compliance/assessments/{worked.assessment.pk}/oscal/"
    )
    AssessmentResults.model_validate(api.json()["assessment-results"])


def test_exports_are_valid_against_nists_schema(worked, schema_validator):
    item = item_of(worked.assessment, "ac-2")
    add_evidence(
        item, SimpleUploadedFile("access review.txt", b"reviewed"), worked.users["contributor"]
    )
    worked_document = export(worked)
    assert schema_errors(schema_validator, worked_document) == []
    untouched = assessment_results(worked.other_assessment, "https://portal.example{}".format)
    assert schema_errors(schema_validator, untouched) == []
    api = worked.client("reader").get(
        f"/api/v3/compliance/assessments/{worked.assessment.pk}/oscal/"
    )
    assert schema_errors(schema_validator, api.json()) == []


def test_the_schema_check_catches_what_it_should(worked, schema_validator):
    """The validator is no rubber stamp: NIST's \\p{L} patterns, enums and formats bite."""
    document = export(worked)
    finding = document["assessment-results"]["results"][0]["findings"][0]
    finding["target"]["target-id"] = "ac 2_smt"  # TokenDatatype: ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$
    finding["target"]["status"]["state"] = "not-assessed"  # not an objective status
    document["assessment-results"]["import-ap"]["href"] = "#a plan"  # no space in a URI
    errors = schema_errors(schema_validator, document)
    assert any("'ac 2_smt' does not match" in e for e in errors)
    assert any("'not-assessed' is not one of" in e for e in errors)
    assert any("import-ap/href" in e and "uri-reference" in e for e in errors)


# --- back-matter: the catalog and the assessment plan --------------------------------------


def test_back_matter_names_the_catalog_with_its_version_and_source(worked):
    document = export(worked)
    template = worked.low
    result = document["assessment-results"]["results"][0]
    [link] = result["reviewed-controls"]["links"]
    catalog = resource(document, link["href"])
    assert link["rel"] == "reference"
    assert catalog["title"] == template.title
    props = {p["name"]: p["value"] for p in catalog["props"]}
    assert props["version"] == template.version and template.version
    assert str(template.oscal_uuid) in catalog["description"]
    [source] = catalog["rlinks"]
    assert source["href"] == template.source_name and template.source_name.endswith(".json")
    assert source["media-type"] == "application/json"
    assert source["hashes"] == [{"algorithm": "SHA-256", "value": template.source_sha256}]
    assert len(template.source_sha256) == 64


def test_import_ap_points_at_the_plan_a_member_can_open(worked):
    document = export(worked)
    href = document["assessment-results"]["import-ap"]["href"]
    plan = resource(document, href)
    assert plan["title"] == f"Assessment plan: {worked.assessment.title}"
    assert {"name": "type", "value": "plan"} in plan["props"]
    [dashboard] = plan["rlinks"]
    path = relative(dashboard["href"])
    assert path == f"/en/compliance/assessments/{worked.assessment.pk}/"
    assert worked.client("reader").get(path).status_code == 200
    assert worked.client("other_org").get(path).status_code == 404
    # The plan keeps its UUID from one export (and language) to the next.
    german = worked.client("reader").get(
        f"/de/compliance/assessments/{worked.assessment.pk}/oscal.json"
    )
    assert json.loads(german.content)["assessment-results"]["import-ap"]["href"] == href


# --- evidence -----------------------------------------------------------------------------


def test_evidence_is_relevant_evidence_downloaded_through_the_access_checks(worked):
    tested = item_of(worked.assessment, "ac-2")
    untested = item_of(worked.assessment, "ac-7")
    contributor = worked.users["contributor"]
    proof = add_evidence(tested, SimpleUploadedFile("review.txt", b"quarterly review"), contributor)
    policy = add_evidence(
        untested, SimpleUploadedFile("policy.txt", b"lockout policy"), contributor
    )
    result = export(worked)["assessment-results"]["results"][0]
    observations = {o["title"]: o for o in result["observations"]}
    seen = observations[tested.title]
    assert seen["methods"] == ["TEST"]
    [evidence] = seen["relevant-evidence"]
    assert "review.txt" in evidence["description"] and proof.sha256 in evidence["remarks"]
    path = relative(evidence["href"])
    assert path == f"/en/compliance/evidence/{proof.pk}/"
    download = worked.client("reader").get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"quarterly review"
    assert worked.client("other_org").get(path).status_code == 404
    assert worked.client("anonymous").get(path).status_code == 302
    assert worked.client("personal").get(path).status_code == 403
    # Evidence of an item not tested yet is there too, as documentation to examine.
    examined = observations[untested.title]
    assert examined["methods"] == ["EXAMINE"]
    assert [relative(e["href"]) for e in examined["relevant-evidence"]] == [
        f"/en/compliance/evidence/{policy.pk}/"
    ]
    # The finding of AC-2 rests on its observation.
    ac_2 = next(f for f in result["findings"] if f["target"]["target-id"] == "ac-2_smt")
    assert ac_2["related-observations"] == [{"observation-uuid": seen["uuid"]}]


# --- controls nobody assessed ----------------------------------------------------------------


def statements_the_provider_tested(template) -> set[str]:
    """Statement ids of the controls whose provider side has a test result (the demo's LOW
    template has provider-managed and shared families, tested and passed)."""
    return {
        f"{oscal_id}_smt"
        for oscal_id in template.controls.filter(
            responsibility__in=["provider", "shared"], test_result__in=["passed", "failed"]
        ).values_list("oscal_id", flat=True)
    }


def test_controls_nobody_assessed_have_no_finding(worked):
    in_progress = item_of(worked.assessment, "ac-7")
    in_progress.implementation_status = "implemented"  # done, but no assessor tested it yet
    in_progress.save()
    result = export(worked)["assessment-results"]["results"][0]
    controls = worked.low.controls.count()
    reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert len(reviewed) == controls
    targets = {f["target"]["target-id"] for f in result["findings"]}
    provider_tested = statements_the_provider_tested(worked.low)
    assert provider_tested and "ac-7_smt" not in provider_tested
    assert targets == provider_tested | {"ac-2_smt", "ac-3_smt"}
    assert f"{controls - len(targets)} have not been assessed yet" in result["remarks"]
    # An assessment nobody worked on: findings only where the provider tested its side.
    untouched = export(worked, worked.other_assessment, "other_org")
    untouched_result = untouched["assessment-results"]["results"][0]
    assert {f["target"]["target-id"] for f in untouched_result["findings"]} == provider_tested
    assert "observations" not in untouched_result
    selections = untouched_result["reviewed-controls"]["control-selections"]
    assert len(selections[0]["include-controls"]) == controls


def test_a_partly_assessed_control_is_not_satisfied_and_says_why(worked):
    control = Control.objects.get(template=worked.low, oscal_id="ac-7")
    control.responsibility, control.test_result = "shared", "passed"  # the provider's half passed
    control.save()
    result = export(worked)["assessment-results"]["results"][0]
    ac_7 = next(f for f in result["findings"] if f["target"]["target-id"] == "ac-7_smt")
    status = ac_7["target"]["status"]
    assert (status["state"], status["reason"]) == ("not-satisfied", "other")
    assert status["remarks"].startswith("Partly assessed: 1 of 2 parts have a test result")


# --- reports ----------------------------------------------------------------------------------


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
