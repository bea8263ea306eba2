"""Every admin path that can put a series or version live, as editor (refused) and Moderator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import DocumentVersion, TrustDocument
from tests import factories
from tests.gated.helpers import (
    GATED,
    PUBLISH,
    SCHEDULE_FORMAT,
    assert_refused,
    live_series,
    pdf_upload,
    scheduled_revisions,
    series_form,
    url,
    version_edit_form,
)
from tests.helpers import (
    client_for,
    document_form_data,
    form_errors,
    version_form_data,
)

# --- create form: Publish and "Save and schedule" --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("level", GATED)
def test_editor_cannot_create_and_publish_a_gated_series(people, level):
    slug = factories.unique("gated-create")
    data = document_form_data(slug, factories.category(), level, **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "add"), data)

    assert_refused(response)
    assert not TrustDocument.objects.filter(slug=slug).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_a_moderator_creates_and_publishes_a_gated_series(people, role):
    slug = factories.unique("gated-create")
    data = document_form_data(slug, factories.category(), "nda", **PUBLISH)

    response = client_for(people[role]).post(url(TrustDocument, "add"), data, follow=True)

    assert response.status_code == 200, form_errors(response)
    assert "created and published" in response.content.decode()
    document = TrustDocument.objects.get(slug=slug)
    assert document.live and document.access_level == "nda"


@pytest.mark.django_db
def test_an_editor_still_publishes_a_public_series_at_once(people):
    slug = factories.unique("public-create")
    data = document_form_data(slug, factories.category(), "public", **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "add"), data, follow=True)

    assert "created and published" in response.content.decode(), form_errors(response)
    assert TrustDocument.objects.get(slug=slug).live


@pytest.mark.django_db
def test_editor_cannot_create_and_publish_a_version_of_a_gated_series(people):
    document = factories.document("restricted", versions=0)
    label = factories.unique("v")
    data = version_form_data(document, pdf_upload(), label=label, **PUBLISH)

    response = client_for(people["editor"]).post(url(DocumentVersion, "add"), data)

    assert_refused(response)
    assert not DocumentVersion.objects.filter(version_label=label).exists()


@pytest.mark.django_db
def test_a_moderator_creates_and_publishes_a_version_of_a_gated_series(people):
    document = factories.document("nda", versions=0)
    data = version_form_data(document, pdf_upload(), label="v7", **PUBLISH)

    response = client_for(people["moderator"]).post(url(DocumentVersion, "add"), data)

    assert response.status_code == 302, form_errors(response)
    assert document.versions.get(version_label="v7").live


@pytest.mark.django_db
def test_an_editor_still_publishes_a_version_of_a_public_series_at_once(people):
    document = factories.document("signed_in", versions=0)
    data = version_form_data(document, pdf_upload(), label="v7", **PUBLISH)

    response = client_for(people["editor"]).post(url(DocumentVersion, "add"), data)

    assert response.status_code == 302, form_errors(response)
    assert document.versions.get(version_label="v7").live


def in_a_week() -> str:
    return timezone.localtime(timezone.now() + timedelta(days=7)).strftime(SCHEDULE_FORMAT)


@pytest.mark.django_db
def test_editor_cannot_schedule_a_new_gated_series(people):
    slug = factories.unique("gated-schedule")
    data = document_form_data(slug, factories.category(), "nda", go_live_at=in_a_week(), **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "add"), data)

    assert_refused(response)
    assert not TrustDocument.objects.filter(slug=slug).exists()


@pytest.mark.django_db
def test_editor_cannot_schedule_a_change_of_a_gated_series(people):
    document = live_series("nda")
    live_revision = document.live_revision_id
    data = series_form(document, title="Scheduled title", go_live_at=in_a_week(), **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "edit", document.pk), data)

    assert_refused(response)
    document.refresh_from_db()
    assert document.live_revision_id == live_revision
    assert scheduled_revisions(document) == []
    assert not document.revisions.filter(content__title="Scheduled title").exists()


@pytest.mark.django_db
def test_a_moderator_schedules_a_gated_series(people):
    slug = factories.unique("gated-schedule")
    data = document_form_data(slug, factories.category(), "nda", go_live_at=in_a_week(), **PUBLISH)

    response = client_for(people["moderator"]).post(url(TrustDocument, "add"), data, follow=True)

    assert "created and scheduled for publishing" in response.content.decode(), form_errors(
        response
    )
    document = TrustDocument.objects.get(slug=slug)
    assert not document.live  # not yet: in a week
    assert len(scheduled_revisions(document)) == 1


# --- edit form: Publish of a gated series or version -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("level", GATED)
def test_editor_cannot_publish_a_change_of_a_gated_series(people, level):
    document = live_series(level)
    live_revision, latest = document.live_revision_id, document.latest_revision_id
    data = series_form(document, title="Edited without review", **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "edit", document.pk), data)

    assert_refused(response)
    document.refresh_from_db()
    assert (document.live_revision_id, document.latest_revision_id) == (live_revision, latest)
    assert document.title != "Edited without review"
    # Readers who may see it still see the old title.
    assert "Edited without review" not in Client().get(f"/en/documents/{document.slug}/").text


@pytest.mark.django_db
def test_a_moderator_publishes_a_change_of_a_gated_series(people):
    document = live_series("nda")
    data = series_form(document, title="Edited by a moderator", **PUBLISH)

    response = client_for(people["moderator"]).post(url(TrustDocument, "edit", document.pk), data)

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.title == "Edited by a moderator" and not document.has_unpublished_changes


@pytest.mark.django_db
def test_editor_cannot_publish_a_change_of_a_gated_version(people):
    version = live_series("nda").versions.get()
    live_revision = version.live_revision_id
    data = version_edit_form(version, change_description="Rewritten without review", **PUBLISH)

    response = client_for(people["editor"]).post(url(DocumentVersion, "edit", version.pk), data)

    assert_refused(response)
    version.refresh_from_db()
    assert version.live_revision_id == live_revision
    assert version.change_description != "Rewritten without review"


@pytest.mark.django_db
def test_a_moderator_publishes_a_change_of_a_gated_version(people):
    version = live_series("nda").versions.get()
    data = version_edit_form(version, change_description="Rewritten by a moderator", **PUBLISH)

    response = client_for(people["moderator"]).post(url(DocumentVersion, "edit", version.pk), data)

    assert response.status_code == 302, form_errors(response)
    version.refresh_from_db()
    assert version.change_description == "Rewritten by a moderator"


@pytest.mark.django_db
def test_editor_cannot_move_a_live_version_out_of_a_gated_series(people):
    """A version moved from an NDA series into a public one would hand out its file to all."""
    version = live_series("nda").versions.get()
    public = factories.document("public", versions=0)
    data = version_edit_form(version, document=str(public.pk), **PUBLISH)

    response = client_for(people["editor"]).post(url(DocumentVersion, "edit", version.pk), data)

    assert_refused(response)
    version.refresh_from_db()
    assert not public.versions.exists()


@pytest.mark.django_db
def test_the_footer_offers_publish_only_to_whoever_may_publish(people):
    gated, public = live_series("nda"), live_series("public")

    def footer_buttons(role, document):
        html = client_for(people[role]).get(url(TrustDocument, "edit", document.pk)).text
        return 'name="action-publish"' in html, 'name="action-submit"' in html

    assert footer_buttons("editor", gated) == (False, True)
    assert footer_buttons("editor", public) == (True, True)
    assert footer_buttons("moderator", gated) == (True, True)
    # A new series' level is only known once its form is sent: the create form offers Publish,
    # and the server answers for the level chosen (above).
    add_form = client_for(people["editor"]).get(url(TrustDocument, "add")).text
    assert 'name="action-publish"' in add_form


# --- the access level of a live series -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("level", GATED)
def test_editor_cannot_make_a_live_public_series_gated_without_review(people, level):
    document = live_series("public")
    live_revision = document.live_revision_id
    editor = client_for(people["editor"])
    edit_url = url(TrustDocument, "edit", document.pk)

    response = editor.post(edit_url, series_form(document, access_level=level, **PUBLISH))

    assert_refused(response)
    document.refresh_from_db()
    assert document.access_level == "public" and document.live_revision_id == live_revision

    # Submitted for moderation instead, it waits for a review (it is not let through as the
    # public series it was), and stays public until approved.
    response = editor.post(
        edit_url, series_form(document, access_level=level, **{"action-submit": "1"})
    )
    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.workflow_in_progress
    assert document.access_level == "public" and document.live_revision_id == live_revision


@pytest.mark.django_db
def test_editor_cannot_make_a_live_gated_series_public_without_review(people):
    """Lowering the level hands the series' reviewed NDA files to everyone: a review too."""
    document = live_series("nda")
    data = series_form(document, access_level="public", **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "edit", document.pk), data)

    assert_refused(response)
    document.refresh_from_db()
    assert document.access_level == "nda"


@pytest.mark.django_db
def test_a_moderator_makes_a_live_public_series_gated(people):
    document = live_series("public")
    data = series_form(document, access_level="nda", **PUBLISH)

    response = client_for(people["moderator"]).post(url(TrustDocument, "edit", document.pk), data)

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.access_level == "nda" and document.live


@pytest.mark.django_db
def test_a_new_series_left_gated_in_its_draft_may_go_live_as_public(people):
    """The level defaults to NDA: a draft saved so, then made public, has nothing gated behind
    it yet, and the editor publishes it."""
    editor = client_for(people["editor"])
    slug = factories.unique("draft-then-public")
    category = factories.category()
    saved = editor.post(url(TrustDocument, "add"), document_form_data(slug, category, "nda"))
    assert saved.status_code == 302, form_errors(saved)
    document = TrustDocument.objects.get(slug=slug)
    assert not document.live

    response = editor.post(
        url(TrustDocument, "edit", document.pk),
        series_form(document, access_level="public", **PUBLISH),
    )

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.live and document.access_level == "public"


# --- revert to an earlier revision, and publish it -------------------------------------------


def series_with_two_revisions(first_level: str, second_level: str) -> tuple:
    """A live series published at ``first_level``, then again at ``second_level`` (by a
    Moderator); its first revision."""
    document = live_series(first_level, title=factories.unique("First title"))
    first = document.live_revision
    document.title, document.access_level = "Second title", second_level
    document.save_revision().publish()
    document.refresh_from_db()
    return document, first


def revert_and_publish(client, document, revision):
    content = revision.as_object()
    data = series_form(document, title=content.title, access_level=content.access_level, **PUBLISH)
    return client.post(url(TrustDocument, "revisions_revert", document.pk, revision.pk), data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "levels", [("nda", "nda"), ("restricted", "public")], ids=["gated", "gated-before"]
)
def test_editor_cannot_revert_to_a_gated_revision_and_publish_it(people, levels):
    document, first = series_with_two_revisions(*levels)
    live_revision = document.live_revision_id

    response = revert_and_publish(client_for(people["editor"]), document, first)

    assert_refused(response)
    document.refresh_from_db()
    assert document.live_revision_id == live_revision and document.title == "Second title"


@pytest.mark.django_db
def test_a_moderator_reverts_to_a_gated_revision_and_publishes_it(people):
    document, first = series_with_two_revisions("nda", "nda")

    response = revert_and_publish(client_for(people["moderator"]), document, first)

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.title == first.as_object().title


@pytest.mark.django_db
def test_an_editor_reverts_a_public_series_and_publishes_it(people):
    document, first = series_with_two_revisions("public", "public")

    response = revert_and_publish(client_for(people["editor"]), document, first)

    assert response.status_code == 302, form_errors(response)
    document.refresh_from_db()
    assert document.title == first.as_object().title


# --- copy, and publish the copy --------------------------------------------------------------


@pytest.mark.django_db
def test_editor_cannot_copy_a_gated_series_and_publish_the_copy(people):
    document = live_series("nda")
    slug = factories.unique("copy")
    data = document_form_data(slug, document.category, "nda", title="Copy", **PUBLISH)

    response = client_for(people["editor"]).post(url(TrustDocument, "copy", document.pk), data)

    assert_refused(response)
    assert not TrustDocument.objects.filter(slug=slug).exists()


@pytest.mark.django_db
def test_a_moderator_copies_a_gated_series_and_publishes_the_copy(people):
    document = live_series("nda")
    slug = factories.unique("copy")
    data = document_form_data(slug, document.category, "nda", title="Copy", **PUBLISH)

    response = client_for(people["moderator"]).post(url(TrustDocument, "copy", document.pk), data)

    assert response.status_code == 302, form_errors(response)
    assert TrustDocument.objects.get(slug=slug).live


# --- bulk actions: Wagtail has no bulk publish of snippets -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_there_is_no_bulk_publish_of_documents_or_versions(people, role):
    document = factories.document("nda", publish=False)
    version = factories.version(document, publish=False)
    client = client_for(people[role])
    for model, obj in ((TrustDocument, document), (DocumentVersion, version)):
        listing = client.get(url(model, "list")).text
        bulk = f"/admin/bulk/cms/{model._meta.model_name}/"
        assert f"{bulk}delete/" in listing  # the one bulk action Wagtail has for snippets
        assert f"{bulk}publish/" not in listing
        publish = f"{bulk}publish/?id={obj.pk}"
        assert client.get(publish).status_code == 404
        assert client.post(publish, {"id": [obj.pk]}).status_code == 404
    document.refresh_from_db()
    version.refresh_from_db()
    assert not document.live and not version.live
