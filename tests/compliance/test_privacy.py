"""User privacy: an administrator exports, reassigns and removes one user's assignments."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plugins.compliance_manager.models import ActionItem, ActionItemChange
from plugins.compliance_manager.workflow import add_evidence, change_action_item

from .conftest import item_of

PRIVACY_URL = "/en/compliance/settings/privacy/"


@pytest.fixture
def assigned(cm):
    """Two items assigned to the reader, by the contributor, and one evidence upload of theirs."""
    contributor, reader = cm.users["contributor"], cm.users["reader"]
    items = [item_of(cm.assessment, "ac-2"), item_of(cm.assessment, "ac-3")]
    for item in items:
        change_action_item(item, contributor, {"assignee": reader})
    add_evidence(items[0], SimpleUploadedFile("notes.txt", b"evidence text"), contributor)
    return items


def rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_export_lists_a_users_assignments_and_evidence_uploads(cm, assigned):
    client = cm.client("administrator")
    report = client.post(PRIVACY_URL, {"action": "export", "user": cm.users["reader"].pk})
    assert report.status_code == 200 and report["Content-Type"] == "text/csv"
    assert sorted(r["control"] for r in rows(report) if r["kind"] == "assignment") == [
        "AC-2",
        "AC-3",
    ]
    uploads = client.post(PRIVACY_URL, {"action": "export", "user": cm.users["contributor"].pk})
    assert [r["file"] for r in rows(uploads) if r["kind"] == "evidence"] == ["notes.txt"]


@pytest.mark.django_db
def test_reassign_moves_every_assignment_to_another_member(cm, assigned):
    client = cm.client("administrator")
    response = client.post(
        PRIVACY_URL,
        {"action": "reassign", "user": cm.users["reader"].pk, "to_user": cm.users["assessor"].pk},
    )
    assert response.status_code == 302
    assert set(ActionItem.objects.filter(assignee=cm.users["assessor"])) == set(assigned)
    assert not ActionItem.objects.filter(assignee=cm.users["reader"]).exists()
    change = assigned[0].history.filter(actor=cm.users["administrator"]).get()
    assert (change.old_value, change.new_value) == ("cm-reader", "cm-assessor")
    outsider = client.post(
        PRIVACY_URL,
        {
            "action": "reassign",
            "user": cm.users["assessor"].pk,
            "to_user": cm.users["other_org"].pk,
        },
    )
    assert outsider.status_code == 400


@pytest.mark.django_db
def test_remove_unassigns_and_the_history_shows_user_removed(cm, assigned):
    reader = cm.users["reader"]
    change_action_item(assigned[0], cm.users["assessor"], {"due_date": None, "testing_notes": "x"})
    ActionItemChange.objects.create(
        action_item=assigned[0], actor=reader, actor_label="cm-reader", field="implementation_notes"
    )
    response = cm.client("administrator").post(PRIVACY_URL, {"action": "remove", "user": reader.pk})
    assert response.status_code == 302
    assert not ActionItem.objects.filter(assignee=reader).exists()
    history = ActionItemChange.objects.filter(action_item__in=assigned)
    text = " ".join(f"{c.actor_label} {c.old_value} {c.new_value}" for c in history)
    assert "cm-reader" not in text and "user removed" in text
    assert not history.filter(actor=reader).exists()
    page = cm.client("administrator").get(f"/en/compliance/actions/{assigned[0].pk}/")
    assert "user removed" in page.content.decode()


@pytest.mark.django_db
def test_only_administrators_reach_user_privacy(cm, assigned):
    for who in ("reader", "contributor", "assessor"):
        response = cm.client(who).post(
            PRIVACY_URL, {"action": "remove", "user": cm.users["reader"].pk}
        )
        assert response.status_code == 403, who
    assert ActionItem.objects.filter(assignee=cm.users["reader"]).count() == 2
    # Another organization's administrator cannot pick this organization's users.
    response = cm.client("other_org").post(
        PRIVACY_URL, {"action": "remove", "user": cm.users["reader"].pk}
    )
    assert response.status_code == 400
    assert ActionItem.objects.filter(assignee=cm.users["reader"]).count() == 2
