"""The search index follows the content through the core events."""

import pytest

from search.backends import elasticsearch
from tests import factories


@pytest.fixture
def recorded(settings, monkeypatch):
    settings.TRUSTPORTAL_SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    calls = []
    monkeypatch.setattr(
        elasticsearch, "index_document", lambda doc: calls.append(("index", doc.pk))
    )
    monkeypatch.setattr(
        elasticsearch, "remove_document", lambda doc: calls.append(("remove", doc.pk))
    )
    return calls


@pytest.mark.django_db
def test_publishing_and_withdrawing_update_the_index(recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doc = factories.document("public", versions=0)
    assert ("index", doc.pk) in recorded
    recorded.clear()
    with django_capture_on_commit_callbacks(execute=True):
        factories.version(doc, "v2")
    assert recorded == [("index", doc.pk)]
    doc.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        doc.unpublish()
    assert recorded[-1] == ("remove", doc.pk)


@pytest.mark.django_db
def test_the_database_backend_needs_no_indexing(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TRUSTPORTAL_SEARCH_BACKEND = "search.backends.database.DatabaseBackend"
    monkeypatch.setattr(
        elasticsearch, "index_document", lambda doc: pytest.fail("no index to update")
    )
    with django_capture_on_commit_callbacks(execute=True):
        factories.document("public")
