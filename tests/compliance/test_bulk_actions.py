"""Changing many action items of an assessment at once, across its controls: one e-mail per
assignee per batch, the roles and history of single edits, all or nothing, hostile input refused
with a message."""

from __future__ import annotations

import dataclasses

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.compliance_manager import workflow
from plugins.compliance_manager.models import ActionItem, ActionItemChange
from tests.helpers import refetch

from .conftest import build_world, item_of


@pytest.fixture(scope="module")
def module_cm(module_db, django_db_blocker):
    with django_db_blocker.unblock():
        return build_world()


@pytest.fixture
def cm(module_cm, db):
    return dataclasses.replace(module_cm, users=refetch(module_cm.users))


def queries(client, url) -> int:
    client.get(url)  # warm the per-process caches so only the page is counted
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def list_url(assessment, query=""):
    return f"/en/compliance/assessments/{assessment.pk}/action-items/" + (
        f"?{query}" if query else ""
    )


def items_across_controls(assessment, count):
    """``count`` action items of ``assessment``, each under a different control."""
    links = (
        assessment.links.select_related("action_item", "control")
        .filter(control__withdrawn=False)
        .order_by("control__sort_order")
    )
    items, controls = [], set()
    for link in links:
        if link.control_id not in controls:
            controls.add(link.control_id)
            items.append(link.action_item)
    assert len(items) >= count
    return items[:count]


def snapshot(items):
    return list(
        ActionItem.objects.filter(pk__in=[i.pk for i in items])
        .order_by("pk")
        .values_list("assignee", "due_date", "implementation_status", "testing_status")
    )


@pytest.mark.django_db
def test_forty_items_assigned_to_two_people_send_exactly_two_emails(
    cm, django_capture_on_commit_callbacks
):
    items = items_across_controls(cm.assessment, 40)
    first, second = items[:20], items[20:]
    client = cm.client("contributor")
    with django_capture_on_commit_callbacks(execute=True):
        for batch, who in ((first, "assessor"), (second, "reader")):
            response = client.post(
                list_url(cm.assessment),
                {"items": [i.pk for i in batch], "apply": "assignee", "assignee": cm.users[who].pk},
            )
            assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["assessor@cm.test", "reader@cm.test"]
    for batch, who in ((first, "assessor"), (second, "reader")):
        message = next(m for m in mail.outbox if m.to == [f"{who}@cm.test"])
        assert "20 action items" in message.subject
        for item in batch:
            assert item.title in message.body
            assert f"/en/compliance/actions/{item.pk}/" in message.body
        for item in items:
            if item not in batch:
                assert f"/en/compliance/actions/{item.pk}/" not in message.body
        assert set(ActionItem.objects.filter(assignee=cm.users[who])) == set(batch)
    # Each item's history says who assigned it, as a single edit would.
    changes = ActionItemChange.objects.filter(action_item__in=items, field="assignee")
    assert changes.count() == 40
    assert {c.actor_label for c in changes} == {"cm-contributor"}
    assert {(c.old_value, c.new_value) for c in changes} == {("", "cm-assessor"), ("", "cm-reader")}


@pytest.mark.django_db
def test_a_double_submit_changes_nothing_more(cm, django_capture_on_commit_callbacks):
    items = items_across_controls(cm.assessment, 5)
    body = {"items": [i.pk for i in items], "apply": "assignee", "assignee": cm.users["reader"].pk}
    client = cm.client("contributor")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(list_url(cm.assessment), body).status_code == 302
        again = client.post(list_url(cm.assessment), body, follow=True)
    assert again.status_code == 200
    assert "0 of 5 selected action items changed" in again.content.decode()
    assert len(mail.outbox) == 1
    assert ActionItemChange.objects.filter(action_item__in=items).count() == 5


@pytest.mark.django_db
def test_due_dates_and_statuses_are_set_in_one_step_with_history(cm):
    items = items_across_controls(cm.assessment, 6)
    ids = [i.pk for i in items]
    contributor, assessor = cm.client("contributor"), cm.client("assessor")
    response = contributor.post(
        list_url(cm.assessment, "status=not_assessed"),
        {"items": ids, "apply": "due_date", "due_date": "2027-03-31"},
    )
    assert response.status_code == 302
    assert response["Location"] == list_url(cm.assessment, "status=not_assessed")
    response = contributor.post(
        list_url(cm.assessment),
        {"items": ids, "apply": "implementation_status", "implementation_status": "implemented"},
    )
    assert response.status_code == 302
    response = assessor.post(
        list_url(cm.assessment),
        {"items": ids[:3], "apply": "testing_status", "testing_status": "passed"},
    )
    assert response.status_code == 302
    rows = snapshot(items)
    assert {str(due) for _a, due, _i, _t in rows} == {"2027-03-31"}
    assert [t for *_rest, t in rows].count("passed") == 3
    assert {i for _a, _d, i, _t in rows} == {"implemented"}
    for item in items:
        fields = set(item.history.values_list("field", flat=True))
        assert {"due_date", "implementation_status"} <= fields
    # An empty due date clears it, as in a single edit.
    response = contributor.post(list_url(cm.assessment), {"items": ids, "apply": "due_date"})
    assert response.status_code == 302
    assert {due for _a, due, _i, _t in snapshot(items)} == {None}


@pytest.mark.django_db
def test_roles_are_respected_as_in_single_edits(cm):
    items = items_across_controls(cm.assessment, 3)
    ids = [i.pk for i in items]
    before = snapshot(items)
    response = cm.client("contributor").post(
        list_url(cm.assessment),
        {"items": ids, "apply": "testing_status", "testing_status": "passed"},
    )
    assert response.status_code == 403 and "testing_status" in response.content.decode()
    response = cm.client("reader").post(
        list_url(cm.assessment),
        {"items": ids, "apply": "assignee", "assignee": cm.users["reader"].pk},
    )
    assert response.status_code == 403 and "assignee" in response.content.decode()
    assert snapshot(items) == before
    assert not ActionItemChange.objects.filter(action_item__in=items).exists()
    # Readers see the list, without the change form.
    page = cm.client("reader").get(list_url(cm.assessment)).content.decode()
    assert items[0].title in page and 'name="apply"' not in page


@pytest.mark.django_db
def test_hostile_selections_are_refused_whole_with_a_message(cm, settings):
    mine = items_across_controls(cm.assessment, 3)
    theirs = item_of(cm.other_assessment)
    before, their_before = snapshot(mine), snapshot([theirs])
    client = cm.client("contributor")
    assign = {"apply": "assignee", "assignee": cm.users["reader"].pk}
    url = list_url(cm.assessment)

    response = client.post(url, {**assign, "items": [*(i.pk for i in mine), theirs.pk]})
    assert response.status_code == 404
    page = response.content.decode()
    assert "1 of the chosen action items does not exist in this assessment" in page
    assert cm.other_assessment.title not in page

    missing = ActionItem.objects.order_by("-pk").first().pk + 1000
    response = client.post(url, {**assign, "items": [mine[0].pk, missing]})
    assert response.status_code == 404 and "does not exist" in response.content.decode()

    for weird in ("abc", "²", str(2**64), "-1"):
        response = client.post(url, {**assign, "items": [mine[0].pk, weird]})
        assert response.status_code == 400, weird
        assert "Not an action item" in response.content.decode()

    response = client.post(url, assign)
    assert response.status_code == 400
    assert "Choose one or more action items" in response.content.decode()

    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"compliance": {"BULK_MAX_ITEMS": 5}}
    response = client.post(url, {**assign, "items": list(range(1, 7))})
    assert response.status_code == 400
    assert (
        "At most 5 action items can be changed at once; 6 were chosen" in response.content.decode()
    )
    # More than a request may carry at all: Django refuses it before the view.
    response = client.post(url, {**assign, "items": list(range(1, 2000))})
    assert response.status_code == 400

    response = client.post(url, {"items": [mine[0].pk], "apply": "delete"})
    assert response.status_code == 400 and "Choose what to change" in response.content.decode()
    outsider = cm.users["other_org"]
    response = client.post(
        url, {"items": [mine[0].pk], "apply": "assignee", "assignee": outsider.pk}
    )
    assert response.status_code == 400
    response = client.post(
        url, {"items": [mine[0].pk], "apply": "implementation_status", "implementation_status": "x"}
    )
    assert response.status_code == 400

    assert snapshot(mine) == before and snapshot([theirs]) == their_before
    assert not ActionItemChange.objects.filter(action_item__in=[*mine, theirs]).exists()
    # Another organization's assessment is not there at all.
    other_list = list_url(cm.other_assessment)
    assert client.get(other_list).status_code == 404
    assert client.post(other_list, {**assign, "items": [theirs.pk]}).status_code == 404
    assert snapshot([theirs]) == their_before


@pytest.mark.django_db
def test_a_batch_that_fails_midway_changes_nothing(
    cm, monkeypatch, django_capture_on_commit_callbacks
):
    items = items_across_controls(cm.assessment, 4)
    before = snapshot(items)
    real = workflow.change_action_item
    calls = []

    def fails_on_the_third(item, *args, **kwargs):
        calls.append(item.pk)
        if len(calls) == 3:
            raise ValidationError("The database said no.")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(workflow, "change_action_item", fails_on_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        response = cm.client("contributor").post(
            list_url(cm.assessment),
            {
                "items": [i.pk for i in items],
                "apply": "assignee",
                "assignee": cm.users["reader"].pk,
            },
        )
    assert response.status_code == 400 and "The database said no." in response.content.decode()
    assert len(calls) == 3
    assert snapshot(items) == before
    assert not ActionItemChange.objects.filter(action_item__in=items).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_list_filters_by_family_status_and_assignee_without_javascript(cm):
    items = items_across_controls(cm.assessment, 3)
    ActionItem.objects.filter(pk=items[0].pk).update(assignee=cm.users["assessor"])
    ActionItem.objects.filter(pk=items[1].pk).update(implementation_status="planned")
    client = cm.client("contributor")
    page = client.get(list_url(cm.assessment)).content.decode()
    assert '<form method="post"' in page and 'type="checkbox" name="items"' in page
    assert 'name="apply" value="assignee"' in page
    assert 'name="apply" value="testing_status"' not in page  # a contributor's page
    total = cm.assessment.links.filter(
        control__withdrawn=False, control__retired_at__isnull=True
    ).exclude(control__responsibility="provider")
    assert f"{total.count()} action items" in page

    def listed(query):
        html = client.get(list_url(cm.assessment, query)).content.decode()
        return {
            i
            for i in ActionItem.objects.filter(links__assessment=cm.assessment)
            if f'value="{i.pk}"' in html
        }

    assert listed(f"assignee={cm.users['assessor'].pk}") == {items[0]}
    assert items[0] not in listed("assignee=none") and items[1] in listed("assignee=none")
    assert listed("status=in_progress") == {items[1]}
    family = cm.assessment.links.get(action_item=items[2]).control.family
    in_family = listed(f"family={family.pk}")
    assert items[2] in in_family
    assert {
        link.control.family_id for link in cm.assessment.links.filter(action_item__in=in_family)
    } == {family.pk}
    # One query for the rows however many are shown.
    family_only = f"family={family.pk}"
    assert queries(client, list_url(cm.assessment, family_only)) == queries(
        client, list_url(cm.assessment)
    )
    # Values that name nothing filter nothing.
    assert client.get(list_url(cm.assessment, "family=²&status=x&assignee=zz")).status_code == 200


@pytest.mark.django_db
def test_nobody_takes_assignments_away_and_an_empty_choice_assigns_nothing(cm):
    items = items_across_controls(cm.assessment, 3)
    ids = [i.pk for i in items]
    ActionItem.objects.filter(pk__in=ids).update(assignee=cm.users["assessor"])
    client = cm.client("contributor")
    # The Enter key presses the form's first button (Assign) with the assignee left at "—".
    response = client.post(list_url(cm.assessment), {"items": ids, "apply": "assignee"})
    assert response.status_code == 400 and "Choose a member" in response.content.decode()
    assert {a for a, *_rest in snapshot(items)} == {cm.users["assessor"].pk}
    response = client.post(
        list_url(cm.assessment), {"items": ids, "apply": "assignee", "assignee": "none"}
    )
    assert response.status_code == 302
    assert {a for a, *_rest in snapshot(items)} == {None}
    changes = ActionItemChange.objects.filter(action_item__in=items, field="assignee")
    assert {(c.old_value, c.new_value) for c in changes} == {("cm-assessor", "")}


def test_the_status_filter_in_sql_agrees_with_the_score_on_every_combination(cm):
    """The list filters by status in the database (``status_condition``); the dashboard and the
    score derive it in Python (``ActionState.status``). Every combination of the two statuses,
    worth points or not, lands under the same status both ways."""
    import itertools

    from plugins.compliance_manager.models import ImplementationStatus, TestingStatus
    from plugins.compliance_manager.scoring import CONTROL_STATUSES, ActionState, status_condition

    template = ActionItem.objects.filter(organization=cm.organization).first()
    made = []
    for number, (implementation, testing, points) in enumerate(
        itertools.product(ImplementationStatus.values, TestingStatus.values, (0, 27))
    ):
        made.append(
            ActionItem.objects.create(
                organization=cm.organization,
                group=template.group,
                key=f"combination-{number}",
                control_label="X-1",
                title=f"Combination {number}",
                points=points,
                implementation_status=implementation,
                testing_status=testing,
            )
        )
    ours = ActionItem.objects.filter(pk__in=[item.pk for item in made])
    for status in CONTROL_STATUSES:
        in_sql = set(ours.filter(status_condition(status)).values_list("pk", flat=True))
        in_python = {
            item.pk
            for item in made
            if ActionState(item.points, item.implementation_status, item.testing_status).status
            == status
        }
        assert in_sql == in_python, status
    assert len(made) == len(ImplementationStatus.values) * len(TestingStatus.values) * 2


def test_a_page_of_the_list_costs_the_same_queries_for_any_filter(cm):
    """Filters (status included) are applied by the database: a page of matches costs the
    same queries whichever filter chose them."""
    client = cm.client("contributor")
    family = items_across_controls(cm.assessment, 1)[0].links.first().control.family_id
    counts = {
        query: queries(client, list_url(cm.assessment, query))
        for query in ("", "status=not_assessed", f"family={family}", "assignee=none")
    }
    assert len(set(counts.values())) == 1, counts
