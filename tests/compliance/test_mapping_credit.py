"""Credit through mappings between frameworks: work implemented and passed in one assessment
counts toward the mapped controls of the same organization's other assessments, shown with
where it came from, counted once, and gone when the work is undone."""

from __future__ import annotations

import uuid

import pytest

from plugins.compliance_manager.oscal.mapping_importing import (
    import_mapping_bytes,
)
from plugins.compliance_manager.scoring import group_score, summarize_assessment
from plugins.compliance_manager.workflow import create_assessment

from .conftest import item_of
from .mapping_support import (
    LOW_FILE,
    control_summary,
    csv_mapping,
    done,
    oscal_mapping,
    privacy_file,
)

# --- credit --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_implemented_and_passed_work_in_one_assessment_credits_the_mapped_control_in_another(
    cm, privacy_b, demo_mapping
):
    low_item = item_of(cm.assessment, "at-2")
    privacy_item = item_of(privacy_b, "at-2")
    assert low_item != privacy_item  # different groups: nothing shared
    before = summarize_assessment(privacy_b)
    assert control_summary(privacy_b, "at-2").credits == []

    done(low_item, testing="not_assessed")  # implemented only: no credit yet
    assert control_summary(privacy_b, "at-2").credits == []
    assert summarize_assessment(privacy_b).score.earned == before.score.earned

    done(low_item)
    after = summarize_assessment(privacy_b)
    credited = next(c for c in after.controls if c.oscal_id == "at-2")
    assert credited.status == "passed"
    (source,) = credited.credits
    low_control = cm.low.controls.get(oscal_id="at-2")
    assert (source.assessment_id, source.assessment_title) == (
        cm.assessment.pk,
        cm.assessment.title,
    )
    assert (source.control_id, source.control_label) == (low_control.pk, low_control.label)
    assert (source.action_item_id, source.relationship) == (low_item.pk, "equal-to")
    assert after.score.earned == before.score.earned + privacy_item.points
    assert after.score.available == before.score.available
    # The item itself is untouched: credit is derived, not written.
    privacy_item.refresh_from_db()
    assert privacy_item.implementation_status == "not_implemented"
    # Both ways (equal-to), and never to the assessment the work was done in.
    assert control_summary(cm.assessment, "at-2").credits == []

    # Undone: the credit disappears.
    done(low_item, testing="failed_low")
    assert control_summary(privacy_b, "at-2").credits == []
    assert summarize_assessment(privacy_b).score.earned == before.score.earned


@pytest.mark.django_db
def test_credit_flows_back_the_other_way_for_equal_controls(cm, privacy_b, demo_mapping):
    done(item_of(privacy_b, "ir-2"))
    (source,) = control_summary(cm.assessment, "ir-2").credits
    assert (source.assessment_id, source.control_label) == (privacy_b.pk, "IR-2")


@pytest.mark.django_db
def test_another_organizations_work_never_credits(cm, privacy_b, demo_mapping):
    done(item_of(cm.other_assessment, "at-2"))  # the other organization's LOW assessment
    assert control_summary(privacy_b, "at-2").credits == []
    theirs = create_assessment(cm.other_organization, cm.privacy, "Theirs", "Their privacy", None)
    done(item_of(cm.assessment, "at-3"))
    assert control_summary(theirs, "at-3").credits == []
    assert control_summary(privacy_b, "at-3").credits  # while ours is credited


@pytest.mark.django_db
def test_several_sources_are_listed_but_counted_once(cm, privacy_b, demo_mapping):
    second_low = create_assessment(cm.organization, cm.low, "LOW again", "Product C", None)
    before = summarize_assessment(privacy_b).score.earned
    group_before = group_score(privacy_b.group).earned
    done(item_of(cm.assessment, "at-4"))
    done(item_of(second_low, "at-4"))
    credits = control_summary(privacy_b, "at-4").credits
    assert {c.assessment_id for c in credits} == {cm.assessment.pk, second_low.pk}
    points = item_of(privacy_b, "at-4").points
    assert summarize_assessment(privacy_b).score.earned == before + points
    assert group_score(privacy_b.group).earned == group_before + points


@pytest.mark.django_db
def test_an_item_shared_by_a_group_is_no_credit_to_itself(cm, demo_mapping):
    same_group = create_assessment(cm.organization, cm.privacy, "Privacy", "Product A", None)
    shared = item_of(cm.assessment, "ac-1")
    assert item_of(same_group, "ac-1") == shared
    done(shared)
    assert control_summary(same_group, "ac-1").credits == []
    assert control_summary(cm.assessment, "ac-1").credits == []


@pytest.mark.django_db
def test_credit_does_not_override_an_own_failed_test(cm, privacy_b, demo_mapping):
    done(item_of(cm.assessment, "au-2"))
    before = summarize_assessment(privacy_b).score.earned
    done(item_of(privacy_b, "au-2"), implementation="implemented", testing="failed_high")
    failed = control_summary(privacy_b, "au-2")
    assert failed.credits and failed.status == "failed"
    assert (
        summarize_assessment(privacy_b).score.earned == before - item_of(privacy_b, "au-2").points
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "relationship, low_credits_privacy, privacy_credits_low",
    [
        ("equivalent-to", True, True),
        ("superset-of", True, False),  # LOW's at-3 asks for all of pt-5 and more
        ("subset-of", False, True),
        ("intersects-with", False, False),
    ],
)
def test_which_relationships_carry_credit_and_which_way(
    cm, privacy_b, relationship, low_credits_privacy, privacy_credits_low
):
    # A made-up map between controls of different ids, so only this map is at work.
    import_mapping_bytes(
        csv_mapping(f"{LOW_FILE},at-3,{privacy_file()},pt-5,{relationship}"), "test.csv"
    )
    done(item_of(cm.assessment, "at-3"))
    assert bool(control_summary(privacy_b, "pt-5").credits) is low_credits_privacy
    done(item_of(cm.assessment, "at-3"), testing="not_assessed")
    done(item_of(privacy_b, "pt-5"))
    low_at3 = control_summary(cm.assessment, "at-3")
    assert bool(low_at3.credits) is privacy_credits_low
    if privacy_credits_low:
        expected = {"subset-of": "superset-of"}.get(relationship, relationship)
        assert low_at3.credits[0].relationship == expected  # read from the credited side


@pytest.mark.django_db
def test_a_map_of_several_controls_credits_only_when_all_are_done(cm, privacy_b):
    import_mapping_bytes(
        oscal_mapping([("equivalent-to", ["pl-1", "pl-2"], ["pt-1"])], LOW_FILE, privacy_file()),
        "m.json",
    )
    done(item_of(cm.assessment, "pl-1"))
    assert control_summary(privacy_b, "pt-1").credits == []
    done(item_of(cm.assessment, "pl-2"))
    credits = control_summary(privacy_b, "pt-1").credits
    assert {c.control_label for c in credits} == {"PL-1", "PL-2"}


@pytest.mark.django_db
def test_a_removed_map_gives_no_more_credit(cm, privacy_b):
    collection_uuid = uuid.uuid4()
    import_mapping_bytes(
        oscal_mapping(
            [("equal-to", ["si-1"], ["pt-6"])], LOW_FILE, privacy_file(), collection_uuid
        ),
        "m.json",
    )
    done(item_of(cm.assessment, "si-1"))
    assert control_summary(privacy_b, "pt-6").credits
    import_mapping_bytes(
        oscal_mapping(
            [("equal-to", ["si-1"], ["pt-7"])], LOW_FILE, privacy_file(), collection_uuid
        ),
        "m.json",
    )
    assert control_summary(privacy_b, "pt-6").credits == []
    assert control_summary(privacy_b, "pt-7").credits


@pytest.mark.django_db
def test_the_group_score_counts_credit_like_the_assessment(cm, privacy_b, demo_mapping):
    group_before = group_score(privacy_b.group)
    assessment_before = summarize_assessment(privacy_b).score
    done(item_of(cm.assessment, "ca-2"))
    points = item_of(privacy_b, "ca-2").points
    group_after, assessment_after = (
        group_score(privacy_b.group),
        summarize_assessment(privacy_b).score,
    )
    assert group_after.earned == group_before.earned + points
    assert assessment_after.earned == assessment_before.earned + points
    assert group_after.available == group_before.available


@pytest.mark.django_db
def test_the_control_page_shows_where_the_credit_comes_from(cm, privacy_b, demo_mapping):
    low_item = done(item_of(cm.assessment, "ir-4"))
    control = cm.privacy.controls.get(oscal_id="ir-4")
    url = f"/en/compliance/assessments/{privacy_b.pk}/controls/{control.pk}/"
    page = cm.client("reader").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Credit from your other assessments" in html
    low_control = cm.low.controls.get(oscal_id="ir-4")
    assert f"/en/compliance/assessments/{cm.assessment.pk}/" in html
    assert f"/en/compliance/assessments/{cm.assessment.pk}/controls/{low_control.pk}/" in html
    assert f"/en/compliance/actions/{low_item.pk}/" in html
    assert cm.assessment.title in html
    # Another organization sees neither the page nor the credit.
    assert cm.client("other_org").get(url).status_code == 404
    done(low_item, testing="not_assessed")
    assert "Credit from your other assessments" not in cm.client("reader").get(url).content.decode()
