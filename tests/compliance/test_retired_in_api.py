"""The action-items API says when an item is asked for only under controls a re-imported
catalog retired (or withdrew): such an item is kept with its history but counts toward no
score, as the dashboard shows it; each control it is linked under carries its retirement
date."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from cms.api.common import MAX_LIMIT
from plugins.compliance_manager.oscal.importing import import_bytes
from plugins.compliance_manager.workflow import create_assessment

from .conftest import item_of
from .test_catalog_reimport import REMOVED, catalog


@pytest.fixture
def retired(cm):
    """AC-7 retired from a copy of the LOW baseline: in group "Copy only" its item hangs on the
    retired control alone; in group "Both" it is also asked for by the original LOW template,
    which still holds AC-7."""
    copy = import_bytes(catalog(), "low-copy.json").template
    only = create_assessment(cm.organization, copy, "Copy only", "Copy only", None)
    both_copy = create_assessment(cm.organization, copy, "Copy", "Both", None)
    both_low = create_assessment(cm.organization, cm.low, "Original", "Both", None)
    import_bytes(catalog(remove=REMOVED), "low-copy.json")
    return copy.controls.get(oscal_id=REMOVED), only, both_copy, both_low


def items_by_key(client, assessment) -> dict[str, dict]:
    """Every action item of the assessment, page by page."""
    items: dict[str, dict] = {}
    url = f"/api/v3/compliance/assessments/{assessment.pk}/action-items/"
    while True:
        response = client.get(url, {"limit": MAX_LIMIT, "offset": len(items)})
        assert response.status_code == 200
        page = response.json()
        items.update((item["key"], item) for item in page["items"])
        if len(items) >= page["count"]:
            return items


KEY = f"{REMOVED}/implement"


def to_the_millisecond(moment: datetime) -> datetime:
    """How JSON carries a time (Django's encoder keeps milliseconds)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@pytest.mark.django_db
def test_an_item_linked_only_to_a_retired_control_is_marked_with_the_date(retired, cm):
    control, only, _both_copy, _both_low = retired
    items = items_by_key(cm.client("reader"), only)
    item = items[KEY]
    assert item["retired"] is True
    [linked] = item["linked_controls"]
    assert (linked["assessment"], linked["control"], linked["oscal_id"]) == (
        only.pk,
        "AC-7",
        REMOVED,
    )
    assert linked["withdrawn"] is False
    assert datetime.fromisoformat(linked["retired_at"]) == to_the_millisecond(control.retired_at)
    # Every other item of the assessment is in force, and says so.
    others = [i for key, i in items.items() if key != KEY]
    assert len(others) == 148
    assert not any(i["retired"] for i in others)
    assert all(link["retired_at"] is None for i in others for link in i["linked_controls"])

    detail = cm.client("reader").get(f"/api/v3/compliance/action-items/{item['id']}/").json()
    assert detail["retired"] is True and detail["linked_controls"] == item["linked_controls"]


@pytest.mark.django_db
def test_an_item_still_asked_for_under_a_control_in_force_is_not_retired(retired, cm):
    control, _only, both_copy, both_low = retired
    item = items_by_key(cm.client("reader"), both_copy)[KEY]
    assert item["retired"] is False
    by_assessment = {link["assessment"]: link for link in item["linked_controls"]}
    assert set(by_assessment) == {both_copy.pk, both_low.pk}
    retired_at = datetime.fromisoformat(by_assessment[both_copy.pk]["retired_at"])
    assert retired_at == to_the_millisecond(control.retired_at)
    assert by_assessment[both_low.pk]["retired_at"] is None


@pytest.mark.django_db
def test_a_withdrawn_control_marks_its_items_too(retired, cm):
    """A later catalog may withdraw a control instead of dropping it: the same mark."""
    _control, only, _both_copy, _both_low = retired
    item = item_of(only, "ac-2")
    only.template.controls.filter(oscal_id="ac-2").update(withdrawn=True)
    listed = items_by_key(cm.client("reader"), only)["ac-2/implement"]
    assert listed["retired"] is True
    assert listed["linked_controls"][0]["withdrawn"] is True
    assert listed["linked_controls"][0]["retired_at"] is None
    # A change through the API answers with the same mark.
    response = cm.client("contributor").patch(
        f"/api/v3/compliance/action-items/{item.pk}/",
        json.dumps({"implementation_notes": "Kept for the record."}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["retired"] is True


@pytest.mark.django_db
def test_the_mark_is_in_the_openapi_schema(cm):
    schema = cm.client("reader").get("/api/v3/openapi.json").json()
    item = schema["components"]["schemas"]["ActionItemSchema"]["properties"]
    assert {"retired", "linked_controls"} <= set(item)
    linked = schema["components"]["schemas"]["LinkedControl"]["properties"]
    assert {"assessment", "control", "oscal_id", "withdrawn", "retired_at"} <= set(linked)
