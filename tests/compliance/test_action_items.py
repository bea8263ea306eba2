"""Working on action items: roles, organization scoping, history, evidence, notifications."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from plugins.compliance_manager.models import ActionItem, ActionItemChange, Evidence

from .conftest import item_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(item, suffix=""):
    return f"/en/compliance/actions/{item.pk}/{suffix}"


@pytest.mark.django_db
def test_an_action_item_of_another_organization_is_a_404_everywhere(cm):
    theirs = item_of(cm.other_assessment)
    client = cm.client("administrator")
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), {"implementation_status": "planned"}).status_code == 404
    assert client.get(f"/en/compliance/assessments/{cm.other_assessment.pk}/").status_code == 404
    assert client.get(f"/api/v3/compliance/action-items/{theirs.pk}/").status_code == 404
    response = client.patch(
        f"/api/v3/compliance/action-items/{theirs.pk}/",
        json.dumps({"implementation_status": "planned"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.implementation_status == "not_implemented"


@pytest.mark.django_db
def test_a_contributor_cannot_set_a_testing_status(cm):
    item = item_of(cm.assessment)
    client = cm.client("contributor")
    response = client.post(url(item), {"testing_status": "passed"})
    assert response.status_code == 403 and b"testing_status" in response.content
    api = client.patch(
        f"/api/v3/compliance/action-items/{item.pk}/",
        json.dumps({"testing_status": "passed"}),
        content_type="application/json",
    )
    assert api.status_code == 403
    item.refresh_from_db()
    assert item.testing_status == "not_assessed"
    assert not item.history.exists()


@pytest.mark.django_db
def test_a_reader_changes_nothing(cm):
    item = item_of(cm.assessment)
    client = cm.client("reader")
    assert client.get(url(item)).status_code == 200
    assert client.post(url(item), {"implementation_status": "planned"}).status_code == 403
    assert (
        client.post(url(item, "evidence/"), {"file": SimpleUploadedFile("a.png", PNG)}).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.implementation_status == "not_implemented"


@pytest.mark.django_db
def test_contributor_and_assessor_changes_are_kept_in_the_history(cm):
    item = item_of(cm.assessment)
    contributor = cm.client("contributor")
    response = contributor.post(
        url(item),
        {
            "assignee": cm.users["reader"].pk,
            "due_date": "2026-12-31",
            "implementation_status": "implemented",
            "implementation_notes": "Done in the IdP.",
        },
    )
    assert response.status_code == 302
    assessor = cm.client("assessor")
    response = assessor.post(
        url(item),
        {
            "assignee": cm.users["reader"].pk,
            "due_date": "2026-12-31",
            "implementation_status": "implemented",
            "implementation_notes": "Done in the IdP.",
            "testing_status": "passed",
            "testing_notes": "Sampled 10 accounts.",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.implementation_status, item.testing_status) == ("implemented", "passed")
    history = {(c.actor_label, c.field, c.old_value, c.new_value) for c in item.history.all()}
    assert ("cm-contributor", "assignee", "", "cm-reader") in history
    assert ("cm-contributor", "implementation_status", "not_implemented", "implemented") in history
    assert ("cm-assessor", "testing_status", "not_assessed", "passed") in history
    page = cm.client("reader").get(url(item)).content.decode()
    assert "cm-assessor" in page and "Sampled 10 accounts" in page
    assert 'name="testing_status"' not in page  # readers see the history, not the form


@pytest.mark.django_db
def test_bad_input_is_a_400_and_changes_nothing(cm):
    item = item_of(cm.assessment)
    client = cm.client("assessor")
    response = client.post(url(item), {"implementation_status": "done-ish"})
    assert response.status_code == 400
    outsider = cm.users["other_org"]
    response = client.post(url(item), {"assignee": outsider.pk})
    assert response.status_code == 400
    api = client.patch(
        f"/api/v3/compliance/action-items/{item.pk}/",
        json.dumps({"assignee": outsider.username}),
        content_type="application/json",
    )
    assert api.status_code == 400 and "not a member" in api.json()["detail"]
    for field in ("implementation_notes", "testing_notes", "automatic_updates"):
        api = client.patch(
            f"/api/v3/compliance/action-items/{item.pk}/",
            json.dumps({field: None}),
            content_type="application/json",
        )
        assert api.status_code == 400 and "cannot be null" in api.json()["detail"], field
    # Ids that str.isdigit accepts but are no ids: an error page, never a 500.
    for weird in ("²", str(2**64)):
        bulk = client.post(
            "/en/compliance/actions/assign/", {"items": [weird], "assignee": outsider.pk}
        )
        assert bulk.status_code == 400
        dashboard = client.get(
            f"/en/compliance/assessments/{cm.assessment.pk}/", {"assignee": weird}
        )
        assert dashboard.status_code == 200
    item.refresh_from_db()
    assert item.assignee is None and item.implementation_status == "not_implemented"


@pytest.mark.django_db
def test_assignees_are_notified_single_and_in_bulk(cm, django_capture_on_commit_callbacks):
    first, second = item_of(cm.assessment, "ac-2"), item_of(cm.assessment, "ac-3")
    client = cm.client("contributor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/compliance/actions/assign/",
            {"items": [first.pk, second.pk], "assignee": cm.users["assessor"].pk, "next": "/x/"},
        )
    assert response.status_code == 302
    assert set(ActionItem.objects.filter(assignee=cm.users["assessor"])) == {first, second}
    # One e-mail per assignee per batch, listing the items.
    assert [m.to for m in mail.outbox] == [["assessor@cm.test"]]
    assert first.title in mail.outbox[0].body and second.title in mail.outbox[0].body
    # Bulk assignment cannot reach another organization's items.
    theirs = item_of(cm.other_assessment)
    response = client.post(
        "/en/compliance/actions/assign/",
        {"items": [first.pk, theirs.pk], "assignee": cm.users["reader"].pk},
    )
    assert response.status_code == 404
    assert client.post("/en/compliance/actions/assign/", {"items": []}).status_code == 400


@pytest.mark.django_db
def test_evidence_is_validated_like_documents_and_served_only_to_the_organization(cm, settings):
    item = item_of(cm.assessment)
    client = cm.client("contributor")
    response = client.post(url(item, "evidence/"), {"file": SimpleUploadedFile("shot.png", PNG)})
    assert response.status_code == 302
    evidence = Evidence.objects.get(action_item=item)
    assert (evidence.uploaded_by, evidence.size) == (cm.users["contributor"], len(PNG))
    assert ActionItemChange.objects.filter(action_item=item, field="evidence").exists()
    with pytest.raises(ValueError):
        evidence.file.storage.url(evidence.file.name)  # protected storage: no public URL

    fake = SimpleUploadedFile("report.pdf", b"just text pretending")
    response = client.post(url(item, "evidence/"), {"file": fake})
    assert response.status_code == 400 and "not a PDF file" in response.content.decode()
    settings.TRUSTPORTAL_UPLOAD_MAX_BYTES = 10
    response = client.post(url(item, "evidence/"), {"file": SimpleUploadedFile("b.png", PNG)})
    assert response.status_code == 413
    assert Evidence.objects.filter(action_item=item).count() == 1

    download = cm.client("reader").get(f"/en/compliance/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Security-Policy"] == "default-src 'none'"
    # Served like documents: never from a shared cache, never typed by the uploader's name.
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Type"] == "application/octet-stream"
    assert cm.client("other_org").get(f"/en/compliance/evidence/{evidence.pk}/").status_code == 404
    assert cm.client("anonymous").get(f"/en/compliance/evidence/{evidence.pk}/").status_code == 302
