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


def _entries():
    from search.models import SearchEntry

    return {
        e.document_id: (e.titles, e.bodies)
        for e in SearchEntry.objects.order_by("document_id").only("document_id", "titles", "bodies")
    }


@pytest.mark.django_db
def test_the_demo_content_is_indexed_as_a_rebuild_indexes_it():
    """The seed defers both search indexes to its end: what it leaves is what a rebuild gives,
    in every language (taxonomy names translated after their documents included)."""
    from django.core.management import call_command
    from modelsearch.backends import get_search_backend

    from cms.models import TrustDocument

    seeded = _entries()
    assert len(seeded) == TrustDocument.objects.filter(locale__language_code="en").count()
    assert any("de" in bodies for _titles, bodies in seeded.values())
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))
    assert _entries() == seeded
    # Wagtail's own index (the admin's search) holds the demo's documents and pages too.
    found = get_search_backend().search("SOC", TrustDocument.objects.all())
    assert len(found) > 0


@pytest.mark.django_db
def test_deferred_indexing_updates_each_entry_once_at_the_end(monkeypatch):
    from search import text_index
    from search.indexing import deferred_indexing

    updated = []
    real = text_index.update_entries
    monkeypatch.setattr(text_index, "update_entries", lambda ids: updated.append(list(ids)))
    with deferred_indexing():
        first = factories.document("public", title="Deferred one", versions=2)
        second = factories.document("public", title="Deferred two")
        assert updated == []
    assert [sorted(ids) for ids in updated] == [sorted([first.pk, second.pk])]
    monkeypatch.setattr(text_index, "update_entries", real)
    factories.document("public", title="Immediate three")
    assert updated == [sorted([first.pk, second.pk])]  # outside it, updates are immediate again
