"""Re-importing a changed catalog: added, changed (content, not position) and retired controls
reported; a removed control is retired, never deleted: it leaves new assessments and stays,
marked, in existing ones with its action items and their history."""

from __future__ import annotations

import json

import pytest

from plugins.compliance_manager.models import ActionItemChange, Control
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.scoring import summarize_assessment
from plugins.compliance_manager.workflow import change_action_item, create_assessment

from .conftest import item_of
from .test_oscal_import import LOW, data_file

COPY_UUID = "3b1c2d4e-5555-4666-8777-988889999aaa"
REMOVED, RETITLED = "ac-7", "au-2"


def catalog(remove: str = "", retitle: str = "") -> bytes:
    """The LOW baseline as a template of its own, ``remove`` left out, ``retitle`` renamed."""
    raw = json.loads(data_file(LOW).read_text())
    raw["catalog"]["uuid"] = COPY_UUID
    for group in raw["catalog"]["groups"]:
        group["controls"] = [c for c in group["controls"] if c["id"] != remove]
        for control in group["controls"]:
            if control["id"] == retitle:
                control["title"] += " (retitled)"
    return json.dumps(raw).encode()


@pytest.fixture
def before(cm):
    report = import_bytes(catalog(), "low-copy.json")
    assessment = create_assessment(
        cm.organization, report.template, "Before the change", "Reimport", None
    )
    item = item_of(assessment, REMOVED)
    change_action_item(item, cm.users["contributor"], {"implementation_status": "implemented"})
    return report.template, assessment, item


@pytest.mark.django_db
def test_a_removed_and_a_retitled_control_are_reported_as_1_retired_and_1_changed(before):
    template, _assessment, _item = before
    report = import_bytes(catalog(remove=REMOVED, retitle=RETITLED), "low-copy.json")
    assert report.template == template
    assert (
        report.controls_created,
        report.controls_updated,
        report.controls_retired,
        report.controls_unchanged,
    ) == (0, 1, 1, 147)
    assert "0 new, 1 changed, 1 retired, 147 unchanged" in report.summary()
    assert report.summary().startswith("Updated template")
    assert template.controls.get(oscal_id=RETITLED).title.endswith("(retitled)")
    # Every control after the removed one moved up one place: that is no change of content.
    removed = template.controls.get(oscal_id=REMOVED)
    assert removed.retired_at is not None and not removed.in_force
    assert template.controls.count() == 149  # nothing deleted


@pytest.mark.django_db
def test_a_retired_control_stays_marked_in_existing_assessments_with_its_history(before, cm):
    template, assessment, item = before
    score_before = summarize_assessment(assessment).score.available
    import_bytes(catalog(remove=REMOVED), "low-copy.json")
    control = template.controls.get(oscal_id=REMOVED)
    # Kept: the link, the item, its history.
    assert assessment.links.filter(control=control, action_item=item).exists()
    assert ActionItemChange.objects.filter(
        action_item=item, field="implementation_status", new_value="implemented"
    ).exists()
    summary = summarize_assessment(assessment)
    assert [c.oscal_id for c in summary.set_aside] == [REMOVED]
    assert REMOVED not in {c.oscal_id for c in summary.controls}
    assert summary.score.available == score_before - item.points

    client = cm.client("reader")
    html = client.get(f"/en/compliance/assessments/{assessment.pk}/").content.decode()
    row = html[html.index(f'id="set-aside-{REMOVED}"') :].split("</tr>")[0]
    assert "AC-7" in row and "Retired on" in row and "the catalog no longer holds it" in row
    page = client.get(f"/en/compliance/assessments/{assessment.pk}/controls/{control.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Retired on" in text
    assert f'href="/en/compliance/actions/{item.pk}/"' in text  # its action item, still there


@pytest.mark.django_db
def test_new_assessments_leave_a_retired_control_out_and_a_restored_one_comes_back(before, cm):
    template, _assessment, _item = before
    import_bytes(catalog(remove=REMOVED), "low-copy.json")
    after = create_assessment(cm.organization, template, "After the change", "Other group", None)
    assert not after.links.filter(control__oscal_id=REMOVED).exists()
    assert after.links.count() == 148
    html = cm.client("reader").get(f"/en/compliance/assessments/{after.pk}/").content.decode()
    assert f'id="set-aside-{REMOVED}"' not in html  # retired before it was made

    report = import_bytes(catalog(), "low-copy.json")
    assert (report.controls_created, report.controls_updated, report.controls_retired) == (1, 0, 0)
    assert Control.objects.get(template=template, oscal_id=REMOVED).in_force
