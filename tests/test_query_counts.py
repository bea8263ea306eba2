"""Queries per request must not grow with the number of documents shown."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.fixture
def many_documents(users):
    category = factories.category(section="data-protection")
    services = [factories.term(factories.Service) for _ in range(3)]
    standards = [factories.term(factories.Standard) for _ in range(3)]
    for index in range(30):
        factories.document(
            ["public", "signed_in", "nda", "restricted"][index % 4],
            category_obj=category,
            listed=True,
            organizations=[users["customer_org"]],
            services=services,
            standards=standards,
            versions=2,
        )
    return category


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member_nda"])
def test_document_listing_queries_do_not_grow_with_page_size(
    many_documents, users, who, monkeypatch
):
    import cms.listing

    client = Client()
    if users[who] is not None:
        client.force_login(users[who])
    url = f"/en/trust-documents/?category={many_documents.slug}"
    client.get(url)  # warm per-process caches (site root paths, locales)
    monkeypatch.setattr(cms.listing, "PAGE_SIZE", 3)
    small, small_response = count_queries(client, url)
    monkeypatch.setattr(cms.listing, "PAGE_SIZE", 25)
    large, large_response = count_queries(client, url)
    assert len(small_response.context["documents"]) == 3
    assert len(large_response.context["documents"]) == 25
    assert small == large


@pytest.mark.django_db
def test_search_and_german_listing_queries_do_not_grow(many_documents, monkeypatch):
    import cms.listing

    client = Client()
    for url in (
        f"/de/trust-documents/?category={many_documents.slug}",
        f"/en/search/?q=Summary&category={many_documents.slug}",
    ):
        client.get(url)
        monkeypatch.setattr(cms.listing, "PAGE_SIZE", 2)
        small, _ = count_queries(client, url)
        monkeypatch.setattr(cms.listing, "PAGE_SIZE", 20)
        large, _ = count_queries(client, url)
        assert small == large, url
