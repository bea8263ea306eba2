"""The score arithmetic and the control status derived from actions and provider tests."""

from __future__ import annotations

import pytest

from plugins.compliance_manager.models import ActionItem, Control
from plugins.compliance_manager.scoring import (
    ActionState,
    ProviderState,
    Score,
    control_status,
    group_score,
    summarize_assessment,
)
from plugins.compliance_manager.workflow import create_assessment

from .conftest import item_of


def test_an_action_earns_its_points_only_when_implemented_and_passed():
    assert ActionState(3, "implemented", "passed").earned == 3
    assert ActionState(3, "alternative", "passed").earned == 3
    assert ActionState(3, "implemented", "not_assessed").earned == 0
    assert ActionState(3, "planned", "passed").earned == 0
    assert ActionState(3, "implemented", "failed_high").earned == 0
    assert ActionState(3, "implemented", "failed_high").available == 3


def test_out_of_scope_counts_for_nothing_either_way():
    for state in (
        ActionState(5, "out_of_scope", "passed"),
        ActionState(5, "implemented", "out_of_scope"),
    ):
        assert (state.earned, state.available, state.status) == (0, 0, "out_of_scope")


def test_provider_controls_count_as_the_provider_tested_them():
    assert (ProviderState(4, "passed").earned, ProviderState(4, "passed").available) == (4, 4)
    assert (ProviderState(4, "failed").earned, ProviderState(4, "failed").available) == (0, 4)
    assert (ProviderState(4, "not_tested").earned, ProviderState(4, "not_tested").status) == (
        0,
        "not_assessed",
    )


def test_score_is_earned_over_available():
    score = Score()
    for part in (
        ActionState(2, "implemented", "passed"),
        ActionState(3, "planned", "not_assessed"),
        ActionState(10, "out_of_scope", "not_assessed"),
        ProviderState(5, "passed"),
    ):
        score.add(part)
    assert (score.earned, score.available, score.percent) == (7, 10, 70)
    assert Score().percent == 0


@pytest.mark.parametrize(
    "parts, expected",
    [
        ([ActionState(1, "implemented", "passed"), ProviderState(1, "passed")], "passed"),
        ([ActionState(1, "implemented", "passed"), ActionState(1, "x", "failed_low")], "failed"),
        (
            [ActionState(1, "planned", "not_assessed"), ActionState(1, "implemented", "passed")],
            "in_progress",
        ),
        ([ActionState(1, "not_implemented", "not_assessed")], "not_assessed"),
        ([ActionState(1, "out_of_scope", "not_assessed")], "out_of_scope"),
        ([ActionState(1, "out_of_scope", "x"), ActionState(1, "implemented", "passed")], "passed"),
        ([ProviderState(1, "failed"), ActionState(1, "implemented", "passed")], "failed"),
        ([], "not_assessed"),
    ],
)
def test_control_status_is_derived_from_its_parts(parts, expected):
    assert control_status(parts) == expected


@pytest.mark.django_db
def test_assessment_score_follows_actions_and_provider_results(cm):
    template = cm.low
    control = template.controls.get(oscal_id="pe-2")
    control.responsibility = "provider"
    control.provider_points = 4
    control.test_result = "passed"
    control.save()
    assessment = create_assessment(cm.organization, template, "Scored", "Scoring", None)
    summary = summarize_assessment(assessment)
    customer_points = sum(
        ActionItem.objects.filter(links__assessment=assessment).values_list("points", flat=True)
    )
    providers = Control.objects.filter(template=template, responsibility__in=["provider", "shared"])
    provider_points = sum(c.provider_points for c in providers)
    provider_earned = sum(c.provider_points for c in providers if c.test_result == "passed")
    assert summary.score.available == customer_points + provider_points
    assert summary.score.earned == provider_earned
    assert len(summary.controls) == template.controls.count()

    item = item_of(assessment, "ac-2")
    item.implementation_status, item.testing_status = "implemented", "passed"
    item.save()
    after = summarize_assessment(assessment)
    assert after.score.earned == provider_earned + item.points
    statuses = {c.oscal_id: c.status for c in after.controls}
    assert statuses["ac-2"] == "passed" and statuses["pe-2"] == "passed"
    assert statuses["ac-3"] == "not_assessed"
    family = next(c.family_id for c in after.controls if c.oscal_id == "ac-2")
    assert after.by_family[family].earned == item.points
    assert sum(after.by_status.values()) == len(after.controls)


@pytest.mark.django_db
def test_assessments_of_a_group_share_actions_and_the_group_counts_each_once(cm):
    second = create_assessment(cm.organization, cm.privacy, "Privacy", "Product A", None)
    shared = item_of(cm.assessment, "ac-1")
    assert item_of(second, "ac-1") == shared  # one item, so they stay in sync
    group = cm.assessment.group
    # Baselines first: provider-managed controls already earn points before anyone acts.
    before = (
        summarize_assessment(second).score.earned,
        summarize_assessment(cm.assessment).score.earned,
        group_score(group).earned,
    )
    shared.implementation_status, shared.testing_status = "implemented", "passed"
    shared.save()
    assert summarize_assessment(second).score.earned == before[0] + shared.points
    assert summarize_assessment(cm.assessment).score.earned == before[1] + shared.points
    distinct_items = ActionItem.objects.filter(group=group)
    provider = Control.objects.filter(
        template__assessments__group=group, responsibility__in=["provider", "shared"]
    )
    expected_available = sum(i.points for i in distinct_items) + sum(
        {c.oscal_id: c.provider_points for c in provider}.values()
    )
    assert group_score(group).available == expected_available
    # Counted once for the group although two assessments hold it.
    assert group_score(group).earned == before[2] + shared.points
    # Another group does not share it.
    elsewhere = create_assessment(cm.organization, cm.low, "Other product", "Product B", None)
    assert item_of(elsewhere, "ac-1") != shared


@pytest.mark.django_db
def test_the_group_score_counts_look_alike_items_each_whatever_the_default_ordering(
    cm, monkeypatch
):
    """Many items share points and statuses (every new one is "not implemented, not assessed");
    each must count. Without ``Meta.ordering`` a query relying on it to tell them apart (a
    DISTINCT over those columns) merged them; the score must not depend on it."""
    monkeypatch.setattr(ActionItem._meta, "ordering", [])
    group = cm.assessment.group
    items = list(ActionItem.objects.filter(group=group, links__isnull=False).distinct())
    looks = [(i.points, i.implementation_status, i.testing_status) for i in items]
    assert len(set(looks)) < len(looks)  # the case at stake: items that look alike
    provider = Control.objects.filter(
        template__assessments__group=group, responsibility__in=["provider", "shared"]
    )
    provider_points = sum({c.oscal_id: c.provider_points for c in provider}.values())
    assert group_score(group).available == sum(i.points for i in items) + provider_points
