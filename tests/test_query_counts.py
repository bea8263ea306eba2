"""Queries per request must not grow with the number of documents shown."""

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import Industry, IndustryPage, Region
from search.models import ListingGeneration
from tests import factories
from tests.helpers import client_for, make_pack


def count_queries(client, url, counted_afresh=False):
    """``counted_afresh``: as if content had just changed, so the listing's memoized facet
    counts no longer answer and the request counts them itself."""
    if counted_afresh:
        ListingGeneration.objects.filter(pk=1).update(value=F("value") + 1)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    if counted_afresh:
        assert any("facet_set_0" in query["sql"] for query in context.captured_queries), url
    return len(context.captured_queries), response


@pytest.fixture(scope="module")
def many_documents(module_users, django_db_blocker):
    with django_db_blocker.unblock():
        return build_many_documents(module_users)


def build_many_documents(users):
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
    many_documents, shared_users, who, monkeypatch
):
    import search.listing

    client = client_for(shared_users[who])
    url = f"/en/trust-documents/?category={many_documents.slug}"
    client.get(url)  # warm per-process caches (site root paths, locales)
    for afresh in (False, True):
        monkeypatch.setattr(search.listing, "PAGE_SIZE", 3)
        small, small_response = count_queries(client, url, afresh)
        monkeypatch.setattr(search.listing, "PAGE_SIZE", 25)
        large, large_response = count_queries(client, url, afresh)
        assert len(small_response.context["documents"]) == 3
        assert len(large_response.context["documents"]) == 25
        assert small == large, f"counted afresh: {afresh}"


@pytest.mark.django_db
def test_search_and_german_listing_queries_do_not_grow(many_documents, monkeypatch):
    import search.listing

    client = Client()
    for url in (
        f"/de/trust-documents/?category={many_documents.slug}",
        f"/en/search/?q=Summary&category={many_documents.slug}",
    ):
        client.get(url)
        for afresh in (False, True):
            monkeypatch.setattr(search.listing, "PAGE_SIZE", 2)
            small, _ = count_queries(client, url, afresh)
            monkeypatch.setattr(search.listing, "PAGE_SIZE", 20)
            large, _ = count_queries(client, url, afresh)
            assert small == large, (url, afresh)


def queries_of_each(client, urls):
    """Queries of each URL, after one warm-up request (per-process caches: site root paths,
    locales)."""
    client.get(urls[0])
    return [count_queries(client, url)[0] for url in urls]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member_nda"])
def test_document_detail_queries_do_not_grow_with_versions_and_terms(shared_users, who):
    services = [factories.term(factories.Service) for _ in range(4)]
    standards = [factories.term(factories.Standard) for _ in range(4)]
    regions = list(Region.objects.filter(locale=services[0].locale)[:4])
    industries = list(Industry.objects.filter(locale=services[0].locale)[:3])
    # One of everything against many of everything.
    few = factories.document("nda", versions=1, services=services[:1], standards=standards[:1])
    many = factories.document("nda", versions=6, services=services, standards=standards)
    for document, count in ((few, 1), (many, 4)):
        document.regions.set(regions[:count])
        document.industries.set(industries[:count])
        document.save_revision().publish()
    client = client_for(shared_users[who])
    for locale in ("en", "de"):
        urls = [f"/api/v3/trust-documents/{doc.slug}/?locale={locale}" for doc in (few, many)]
        small, large = queries_of_each(client, urls)
        assert len(client.get(urls[1]).json()["versions"]) == 6
        assert small == large, locale


@pytest.fixture(scope="module")
def packs_everywhere(module_users, django_db_blocker):
    """Packs in two industries, of one and of many documents of every access level, and many
    documents in one region."""
    with django_db_blocker.unblock():
        return build_packs(module_users)


def build_packs(users):
    customer = users["customer_org"]
    documents = [
        factories.document(level, listed=index % 2 == 0, organizations=[customer], versions=2)
        for index, level in enumerate(["public", "signed_in", "nda", "restricted"] * 3)
    ]
    poland = Region.objects.get(slug="poland", locale=documents[0].locale)
    for document in documents:
        document.regions.add(poland)
        document.save_revision().publish()
    source = documents[0].locale
    finance = IndustryPage.objects.get(slug="financial-services", locale=source)
    government = IndustryPage.objects.get(slug="government", locale=source)
    small = make_pack(finance, documents[:1])
    large = make_pack(government, documents)
    for count in (2, 5, 9):
        make_pack(government, documents[:count])
    return small, large


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member", "member_nda"])
def test_content_endpoint_queries_do_not_grow_with_the_number_of_items(
    packs_everywhere, shared_users, who
):
    small, large = packs_everywhere
    client = client_for(shared_users[who])
    for locale in ("en", "de"):
        pairs = [
            # Lists: one item against every item.
            ("/api/v3/starter-packs/?limit=1", "/api/v3/starter-packs/?limit=100"),
            ("/api/v3/industries/?limit=1", "/api/v3/industries/?limit=100"),
            ("/api/v3/regions/?limit=1", "/api/v3/regions/?limit=100"),
            # Details: a pack of one document against one of twelve, an industry of three packs
            # against one of four, a region of two documents against one of fourteen.
            (f"/api/v3/starter-packs/{small.slug}/", f"/api/v3/starter-packs/{large.slug}/"),
            ("/api/v3/industries/financial-services/", "/api/v3/industries/government/"),
            ("/api/v3/regions/australia/", "/api/v3/regions/poland/"),
        ]
        for one, many in pairs:
            urls = [f"{url}{'&' if '?' in url else '?'}locale={locale}" for url in (one, many)]
            few_items, many_items = queries_of_each(client, urls)
            assert few_items == many_items, (urls, few_items, many_items)
    # The comparisons above are between answers of different sizes.
    assert len(client.get(f"/api/v3/starter-packs/{large.slug}/").json()["documents"]) > 1
    assert client.get("/api/v3/regions/?limit=100").json()["count"] > 1
    government = client.get("/api/v3/industries/government/").json()
    assert len(government["starter_packs"]) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member", "member_nda"])
def test_reader_pages_queries_do_not_grow_with_their_rows(
    packs_everywhere, shared_users, who, settings
):
    # What the page itself asks, with each row's download or lock: not a cached answer.
    settings.TRUSTPORTAL_VISITOR_CACHE_SECONDS = 0
    small, large = packs_everywhere
    client = client_for(shared_users[who])
    pairs = [
        # A pack of one document against one of twelve; a region of two against fourteen.
        (small.url, large.url),
        ("/en/industries-regions/australia/", "/en/industries-regions/poland/"),
    ]
    for one, many in pairs:
        few_rows, many_rows = queries_of_each(client, [one, many])
        assert few_rows == many_rows, (one, many, few_rows, many_rows)
    # The comparisons above are between pages of different sizes, whose rows offer downloads.
    rows = client.get(large.url).context["documents"]
    assert len(rows) > 1 and any(card.download for card in rows)
    assert len(client.get(small.url).context["documents"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["relevance", "date", "title"])
def test_api_search_queries_do_not_grow_with_the_page(many_documents, shared_users, sort):
    client = client_for(shared_users["member_nda"])
    base = (
        f"/api/v3/trust-documents/?q=summary&category={many_documents.slug}"
        f"&language=en&updated_from=2020-01-01&sort={sort}"
    )
    small, large = queries_of_each(client, [f"{base}&limit=2", f"{base}&limit=30"])
    assert small == large
    assert len(client.get(f"{base}&limit=30").json()["items"]) == 30
