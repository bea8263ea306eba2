"""A save or a publish that fails half way leaves nothing half-done: no new version left behind as
a draft with its files when publishing it failed, no series half published.

Wagtail's admin saved a new object and its revision in one transaction and published it in
another, and publishing itself (the revision, the row, update notes and events, the log) ran
without one; the admin views of documents and versions (``cms.admin_saves``) and the models'
``publish`` (``cms.models.documents``) now run each in one. The failure here is a receiver of
Wagtail's ``published`` signal that raises, after the row was saved live: where a lock wait
timed out or the database went away in production.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Revision
from wagtail.signals import published

from cms.models import DocumentVersion, TrustDocument, VersionFile
from tests import factories
from tests.helpers import client_for, document_form_data, version_form_data


class PublishFailed(Exception):
    pass


@pytest.fixture
def document(db):
    """A published series without versions (published before ``publishing_fails``)."""
    return factories.document("public", versions=0)


@pytest.fixture
def publishing_fails(document):
    """From now on, every publish of a document or a version fails once the row is saved."""

    def fail(sender, instance, **kwargs):
        raise PublishFailed(f"{instance} could not be published")

    for model in (TrustDocument, DocumentVersion):
        published.connect(fail, sender=model, dispatch_uid=f"test-fail-{model.__name__}")
    yield
    for model in (TrustDocument, DocumentVersion):
        published.disconnect(sender=model, dispatch_uid=f"test-fail-{model.__name__}")


def admin_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def admin_browser(demo_users):
    browser = client_for(demo_users["admin"])
    # As a server answers: the error is a 500 page, not re-raised into the test.
    browser.raise_request_exception = False
    return browser


@pytest.mark.django_db
def test_a_new_version_whose_publish_fails_is_not_left_behind(
    demo_users, document, publishing_fails
):
    revisions_before = Revision.objects.count()
    form = version_form_data(
        document,
        factories.pdf_file("never.pdf"),
        label="never",
        change_description="Never published",
        **{"action-publish": "action-publish"},
    )

    response = admin_browser(demo_users).post(admin_url(DocumentVersion, "add"), form)

    assert response.status_code == 500
    assert not DocumentVersion.objects.filter(document=document).exists()
    assert not VersionFile.objects.filter(version__document=document).exists()
    assert Revision.objects.count() == revisions_before


@pytest.mark.django_db
def test_an_edit_whose_publish_fails_leaves_the_series_as_it_was(
    demo_users, document, publishing_fails
):
    title, revision = document.title, document.latest_revision_id
    form = document_form_data(
        document.slug,
        document.category,
        "public",
        title="Never published",
        **{"action-publish": "action-publish"},
    )

    response = admin_browser(demo_users).post(admin_url(TrustDocument, "edit", document.pk), form)

    assert response.status_code == 500
    document.refresh_from_db()
    assert (document.title, document.latest_revision_id) == (title, revision)
    assert not document.has_unpublished_changes


@pytest.mark.django_db
def test_a_publish_that_fails_half_way_leaves_what_was_live(document, publishing_fails):
    version = factories.version(document, publish=False)
    revision = version.save_revision()

    with pytest.raises(PublishFailed):
        revision.publish()

    version.refresh_from_db()
    # Without one transaction the row was saved live before the failure, and stayed so.
    assert (version.live, version.live_revision_id, version.last_published_at) == (
        False,
        None,
        None,
    )
