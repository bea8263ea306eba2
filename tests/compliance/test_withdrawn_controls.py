"""The whole SP 800-53 rev5 catalog: its withdrawn controls are imported as withdrawn, shown
with where they went, and counted nowhere (assessments, action items, score, export).

The catalog (1,189 controls) is imported once for the module; every count is checked against
an independent walk of the JSON."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cms.models import Membership, Organization
from plugins.compliance_manager.models import (
    ActionItem,
    ComplianceRole,
    Control,
    ImplementationStatus,
    ImprovementAction,
    Role,
)
from plugins.compliance_manager.models import TestingStatus as Testing
from plugins.compliance_manager.models.points import DEFAULT_KIND, ActionPoints
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.scoring import summarize_assessment
from plugins.compliance_manager.workflow import create_assessment
from tests.helpers import client_for, make_user

FULL_CATALOG = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "oscal"
    / "NIST_SP-800-53_rev5_catalog_5.0.1.json"
)
pytestmark = pytest.mark.skipif(not FULL_CATALOG.exists(), reason="shared OSCAL data not present")


def controls_in_json(catalog: dict):
    def walk(controls):
        for control in controls:
            yield control
            yield from walk(control.get("controls", []))

    for group in catalog.get("groups", []):
        yield from walk(group.get("controls", []))
    yield from walk(catalog.get("controls", []))


def is_withdrawn(control: dict) -> bool:
    return {"name": "status", "value": "withdrawn"} in [
        {"name": p.get("name"), "value": p.get("value")} for p in control.get("props", [])
    ]


@pytest.fixture(scope="module")
def raw_catalog() -> bytes:
    return FULL_CATALOG.read_bytes()


@pytest.fixture(scope="module")
def in_json(raw_catalog) -> dict:
    """What the file holds, counted without our parser."""
    controls = list(controls_in_json(json.loads(raw_catalog)["catalog"]))
    withdrawn = [c for c in controls if is_withdrawn(c)]
    return {
        "controls": len(controls),
        "withdrawn": len(withdrawn),
        "withdrawn_ids": {c["id"] for c in withdrawn},
        "links": {c["id"]: c.get("links", []) for c in withdrawn},
    }


@pytest.fixture(scope="module")
def imported(module_db, django_db_blocker, raw_catalog):
    """The catalog imported once, an organization with an assessment of it, and its member."""
    with django_db_blocker.unblock():
        report = import_bytes(raw_catalog, FULL_CATALOG.name)
        organization = Organization.objects.create(name="Full catalog org", slug="full-catalog")
        user = make_user("full-catalog-assessor")
        Membership.objects.create(user=user, organization=organization)
        ComplianceRole.objects.create(user=user, organization=organization, role=Role.ASSESSOR)
        assessment = create_assessment(
            organization, report.template, "Everything", "Full catalog", user
        )
    return report, assessment, user


@pytest.fixture
def full(imported, db):
    return imported


def test_the_file_has_the_182_withdrawn_controls_the_issue_counted(in_json):
    assert (in_json["controls"], in_json["withdrawn"]) == (1189, 182)


def test_withdrawn_controls_are_imported_as_withdrawn_and_reported(full, in_json):
    report, _assessment, _user = full
    template = report.template
    assert report.controls_total == template.controls.count() == in_json["controls"]
    assert report.controls_withdrawn == in_json["withdrawn"]
    withdrawn = template.controls.filter(withdrawn=True)
    assert set(withdrawn.values_list("oscal_id", flat=True)) == in_json["withdrawn_ids"]
    assert f"1189 controls (322 top-level) in 20 families, {in_json['withdrawn']} of them " in (
        report.summary()
    )
    # No work for them; one default action for every control in force.
    assert not ImprovementAction.objects.filter(control__in=withdrawn).exists()
    in_force = template.controls.filter(withdrawn=False)
    assert (
        ImprovementAction.objects.filter(control__in=in_force).count()
        == in_force.count()
        == in_json["controls"] - in_json["withdrawn"]
        == report.actions_created
    )


def test_where_a_withdrawn_control_went_is_kept(full, in_json):
    report, _assessment, _user = full
    control = report.template.controls.get(oscal_id="ac-2.10")
    assert in_json["links"]["ac-2.10"] == [{"href": "#ac-2_smt.k", "rel": "incorporated-into"}]
    assert control.withdrawn_to == [
        {"rel": "incorporated-into", "href": "#ac-2_smt.k", "control_id": "ac-2"}
    ]
    # Every link of the file is kept, each naming a control of the catalog.
    for oscal_id, links in in_json["links"].items():
        kept = report.template.controls.get(oscal_id=oscal_id).withdrawn_to
        assert [(k["rel"], k["href"]) for k in kept] == [(k["rel"], k["href"]) for k in links]
        assert all(k["control_id"] or k.get("family") for k in kept), oscal_id
    # SA-12 went into a whole family.
    assert report.template.controls.get(oscal_id="sa-12").withdrawn_to == [
        {
            "rel": "incorporated-into",
            "href": "#sr",
            "control_id": "",
            "family": "Supply Chain Risk Management",
        }
    ]


def test_assessments_have_no_action_items_for_withdrawn_controls(full, in_json):
    _report, assessment, _user = full
    linked = set(assessment.links.values_list("control__oscal_id", flat=True))
    assert not linked & in_json["withdrawn_ids"]
    assert len(linked) == in_json["controls"] - in_json["withdrawn"]
    items = ActionItem.objects.filter(group=assessment.group)
    assert items.count() == in_json["controls"] - in_json["withdrawn"]
    keys = items.values_list("key", flat=True)
    assert not {key.split("/")[0] for key in keys} & in_json["withdrawn_ids"]


def test_the_best_reachable_score_is_100_percent(full, in_json):
    _report, assessment, _user = full
    ActionItem.objects.filter(group=assessment.group).update(
        implementation_status=ImplementationStatus.IMPLEMENTED,
        testing_status=Testing.PASSED,
    )
    summary = summarize_assessment(assessment)
    expected = in_json["controls"] - in_json["withdrawn"]
    # Every imported action is of the default kind, worth the same: one per control in force.
    points = ActionPoints.table()[DEFAULT_KIND] * expected
    assert (summary.score.earned, summary.score.available) == (points, points)
    assert summary.score.percent == 100
    assert summary.by_status["passed"] == expected == len(summary.controls)
    assert {c.oscal_id for c in summary.set_aside} == in_json["withdrawn_ids"]


def test_the_dashboard_shows_withdrawn_controls_greyed_with_where_they_went(full, in_json):
    _report, assessment, user = full
    response = client_for(user).get(f"/en/compliance/assessments/{assessment.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="set-aside-heading"') :]
    assert section.count('<tr class="unavailable"') == in_json["withdrawn"]
    ac_2 = Control.objects.get(template=assessment.template, oscal_id="ac-2")
    row = section[section.index('id="set-aside-ac-2.10"') :].split("</tr>")[0]
    assert "AC-2(10)" in row and "Shared and Group Account Credential Change" in row
    assert (
        f'incorporated into <a href="/en/compliance/assessments/{assessment.pk}/controls/'
        f'{ac_2.pk}/">AC-2</a>' in row
    )
    # The controls table and the status counts hold only controls in force.
    assert f"<td>{in_json['controls'] - in_json['withdrawn']}</td>" in html


def test_a_withdrawn_controls_page_says_where_it_went(full):
    _report, assessment, user = full
    control = Control.objects.get(template=assessment.template, oscal_id="ac-2.10")
    response = client_for(user).get(
        f"/en/compliance/assessments/{assessment.pk}/controls/{control.pk}/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="unavailable cm-fate"' in html
    assert "Withdrawn: incorporated into" in html
    assert "No action items." in html


def test_the_oscal_export_leaves_withdrawn_controls_out(full, in_json):
    _report, assessment, user = full
    ActionItem.objects.filter(group=assessment.group).update(
        implementation_status=ImplementationStatus.IMPLEMENTED,
        testing_status=Testing.PASSED,
    )
    response = client_for(user).get(f"/en/compliance/assessments/{assessment.pk}/oscal.json")
    assert response.status_code == 200
    result = json.loads(response.content)["assessment-results"]["results"][0]
    reviewed = {
        c["control-id"]
        for c in result["reviewed-controls"]["control-selections"][0]["include-controls"]
    }
    targets = {f["target"]["target-id"].removesuffix("_smt") for f in result["findings"]}
    expected = in_json["controls"] - in_json["withdrawn"]
    assert len(reviewed) == len(targets) == len(result["observations"]) == expected
    assert not (reviewed | targets) & in_json["withdrawn_ids"]
    assert "100%" in result["title"]


def test_reimporting_the_catalog_changes_nothing_and_says_so(full, in_json, tmp_path):
    report, _assessment, _user = full
    out = StringIO()
    call_command("import_oscal", str(FULL_CATALOG), "--no-progress", stdout=out)
    summary = out.getvalue()
    assert summary.startswith("Unchanged:")
    assert f"in 20 families, {in_json['withdrawn']} of them withdrawn" in summary
    assert "0 new, 0 changed, 0 retired, 1189 unchanged; 0 improvement actions added." in summary


def test_parameters_read_as_nist_prints_them_in_the_full_catalog(full):
    report, _assessment, _user = full
    controls = report.template.controls
    assert not controls.filter(statement__contains="{{").exists()
    ac_7 = controls.get(oscal_id="ac-7").statement.splitlines()[1].strip()
    assert ac_7 == (
        "b. Automatically [Selection (one or more): lock the account or node for an [Assignment: "
        "organization-defined time period]; lock the account or node until released by an "
        "administrator; delay next logon prompt per [Assignment: organization-defined delay "
        "algorithm]; notify system administrator; take other [Assignment: organization-defined "
        "action]] when the maximum number of unsuccessful attempts is exceeded."
    )
