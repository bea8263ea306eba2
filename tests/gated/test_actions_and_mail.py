"""Wagtail's snippet actions (what API v3 runs), and who is mailed about a submission."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from wagtail.actions import action_registry
from wagtail.actions.create import CreatePermissionError
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.models import WorkflowState

from cms.models import DocumentVersion, TrustDocument
from tests import factories
from tests.gated.helpers import REFUSAL, live_series, mails_to, pdf_upload, series_form, url
from tests.helpers import (
    bearer,
    client_for,
    document_form_data,
    form_errors,
    version_form_data,
)

# --- the API: Wagtail's snippet actions ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_the_api_serves_no_document_or_version_as_a_snippet(people, role):
    """Wagtail's snippet routes (``/api/v3/snippets/{type}/{pk}/actions/publish/``, and create
    or update with ``meta.action=publish``) are mounted, but take only snippet types with API
    fields: documents and versions have none (readers get them from ``/trust-documents/``), so
    the type is refused before any permission is asked, and nothing is published."""
    document = factories.document("nda", publish=False)
    version = factories.version(document, publish=False)
    headers = bearer(people[role])
    client = Client()
    for label, obj in (("cms.TrustDocument", document), ("cms.DocumentVersion", version)):
        base = f"/api/v3/snippets/{label}/{obj.pk}/"
        publish = {"meta": {"action": "publish"}}
        attempts = [
            client.post(f"{base}actions/publish/", content_type="application/json", **headers),
            client.patch(base, publish, content_type="application/json", **headers),
            client.post(
                f"/api/v3/snippets/{label}/", publish, content_type="application/json", **headers
            ),
        ]
        for response in attempts:
            assert response.status_code == 422, (response.status_code, response.content)
            assert response["Content-Type"] == "application/problem+json"
            assert [error["loc"] for error in response.json()["errors"]] == [["path", "type"]]
    document.refresh_from_db()
    version.refresh_from_db()
    assert not document.live and not version.live
    assert not document.revisions.exists() and not version.revisions.exists()


@pytest.mark.django_db
def test_wagtails_publish_action_asks_about_the_instance(people):
    """What the API's publish route runs (``action_registry``'s "publish"): refused for an
    editor on a gated draft, done for a Moderator."""
    document = factories.document("nda", publish=False)
    revision = document.save_revision(user=people["editor"])
    publish = action_registry.get_action_class(TrustDocument, "publish")

    with pytest.raises(PublishPermissionError, match=REFUSAL):
        publish(revision, user=people["editor"]).execute()
    document.refresh_from_db()
    assert not document.live

    publish(revision, user=people["moderator"]).execute()
    document.refresh_from_db()
    assert document.live


@pytest.mark.django_db
def test_wagtails_create_action_asks_about_what_it_would_publish(people):
    """What the API's create route runs with ``meta.action=publish``: an editor's new NDA
    series is refused before anything is saved; a Moderator's is created and live."""
    form_class = TrustDocument.snippet_viewset.get_edit_handler().get_form_class()
    create = action_registry.get_action_class(TrustDocument, "create")

    def create_and_publish(role):
        slug = factories.unique("created-by-action")
        data = document_form_data(slug, factories.category(), "nda")
        form = form_class(data, instance=TrustDocument(), for_user=people[role])
        create(form.instance, user=people[role], form=form, publish=True).execute()
        return slug

    with pytest.raises(CreatePermissionError, match=REFUSAL):
        create_and_publish("editor")
    assert not TrustDocument.objects.filter(title__startswith="Series created-by-action").exists()

    slug = create_and_publish("moderator")
    assert TrustDocument.objects.get(slug=slug).live


# --- who is told: only what waits for a review reaches the reviewers -------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["action-submit", "action-publish"])
def test_a_public_version_mails_no_reviewer(people, action):
    document = factories.document("public", versions=0)
    mail.outbox.clear()

    response = client_for(people["editor"]).post(
        url(DocumentVersion, "add"),
        version_form_data(document, pdf_upload(), label="v2", **{action: "1"}),
    )

    assert response.status_code == 302, form_errors(response)
    version = document.versions.get()
    assert version.live
    if action == "action-submit":  # it passed through the workflow, approved on its own
        state = WorkflowState.objects.get(
            base_content_type=version.get_base_content_type(), object_id=str(version.pk)
        )
        assert state.status == WorkflowState.STATUS_APPROVED
    assert mails_to(people["moderator"]) == []
    assert mails_to(people["admin"]) == [], [m.subject for m in mails_to(people["admin"])]


@pytest.mark.django_db
def test_a_gated_version_submitted_mails_the_reviewers(people):
    document = factories.document("nda", versions=0)
    mail.outbox.clear()

    response = client_for(people["editor"]).post(
        url(DocumentVersion, "add"),
        version_form_data(document, pdf_upload(), label="v2", **{"action-submit": "1"}),
    )

    assert response.status_code == 302, form_errors(response)
    assert not document.versions.get().live
    to_moderator = [m.subject for m in mails_to(people["moderator"])]
    assert len(to_moderator) == 1 and "Legal review of gated documents" in to_moderator[0]
    # The superuser hears of the task and, as Wagtail tells superusers, of the workflow.
    to_admin = sorted(m.subject for m in mails_to(people["admin"]))
    assert len(to_admin) == 2, to_admin
    assert any("Gated document review" in subject for subject in to_admin)
    assert mails_to(people["editor"]) == []


@pytest.mark.django_db
def test_raising_a_public_series_to_nda_mails_the_reviewers(people):
    document = live_series("public")
    mail.outbox.clear()

    response = client_for(people["editor"]).post(
        url(TrustDocument, "edit", document.pk),
        series_form(document, access_level="nda", **{"action-submit": "1"}),
    )

    assert response.status_code == 302, form_errors(response)
    assert len(mails_to(people["moderator"])) == 1
