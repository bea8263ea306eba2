"""What anonymous visitors are served from the cache (``sites/visitor_cache.py``): served again
without the view, and never stale — every kind of content change is visible on the very next
request, on the reader site and in the API — and never served to anyone but a visitor.

Each test primes the cache, changes one thing as an editor does, and asks again. In these tests
every change happens inside the test's transaction, where the cache would refuse to keep what
it counts (a rollback hands the generation number back); ``keeping`` lifts that for the test,
so that the cache keeps answers as it does between committed requests, and a stale answer
would be served if the generation did not move.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms.audit.models import AuditEntry
from cms.models import AccessLevel, HomePage, PortalSettings, StarterPackPage, TrustDocument
from tests import factories


def hit(response) -> bool:
    return getattr(response, "visitor_cache_hit", False)


def primed(client: Client, url: str, **headers):
    """Ask twice: the second answer must come from the cache (else the test proves nothing)."""
    first = client.get(url, headers=headers)
    assert first.status_code == 200, url
    second = client.get(url, headers=headers)
    assert hit(second), f"{url} was not served from the cache"
    assert second.content == first.content
    return second


def api_titles(client: Client, **params) -> set[str]:
    response = client.get("/api/v3/trust-documents/", {"limit": 100, **params})
    assert response.status_code == 200
    return {item["title"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_a_hit_costs_one_query_and_answers_conditional_requests(keeping):
    client = Client()
    primed(client, "/en/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/")
    assert hit(again)
    assert len(queries) == 1  # the generation
    etag = again["ETag"]
    not_modified = client.get("/en/", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    api = primed(client, "/api/v3/trust-documents/?limit=20")
    assert (
        client.get(
            "/api/v3/trust-documents/?limit=20", headers={"if-none-match": api["ETag"]}
        ).status_code
        == 304
    )


@pytest.mark.django_db
def test_a_published_change_of_a_document_is_on_the_next_request(keeping):
    doc = factories.document(title="Cache test original")
    client = Client()
    primed(client, doc.get_url())
    primed(client, "/en/trust-documents/")
    assert "Cache test original" in api_titles(client)
    assert "Cache test original" in api_titles(client)  # from the cache

    doc.refresh_from_db()
    doc.title = "Cache test renamed"
    doc.save_revision().publish()

    assert "Cache test renamed" in client.get(doc.get_url()).content.decode()
    assert "Cache test renamed" in api_titles(client)
    assert "Cache test renamed" in client.get("/en/trust-documents/").content.decode()


@pytest.mark.django_db
def test_a_withdrawn_document_is_gone_on_the_next_request(keeping):
    doc = factories.document(title="Cache test withdrawn")
    client = Client()
    url = doc.get_url()
    primed(client, url)
    api_titles(client)
    doc.refresh_from_db()
    doc.unpublish()
    assert client.get(url).status_code == 404
    assert "Cache test withdrawn" not in api_titles(client)


@pytest.mark.django_db
def test_an_access_change_is_on_the_next_request(keeping):
    doc = factories.document(AccessLevel.PUBLIC, title="Cache test goes restricted")
    client = Client()
    primed(client, doc.get_url())
    assert "Cache test goes restricted" in api_titles(client)
    api_titles(client)
    doc.refresh_from_db()
    doc.access_level = AccessLevel.RESTRICTED
    doc.restricted_listed = False
    doc.save_revision().publish()
    assert client.get(doc.get_url()).status_code == 404
    assert "Cache test goes restricted" not in api_titles(client)


@pytest.mark.django_db
def test_a_new_version_is_on_the_next_request(keeping):
    doc = factories.document(title="Cache test versions")
    client = Client()
    primed(client, doc.get_url())
    primed(client, f"/api/v3/trust-documents/{doc.slug}/")
    factories.version(doc, label="v-next-2027")
    assert "v-next-2027" in client.get(doc.get_url()).content.decode()
    assert "v-next-2027" in client.get(f"/api/v3/trust-documents/{doc.slug}/").content.decode()


@pytest.mark.django_db
def test_a_page_edit_a_term_rename_and_a_setting_are_on_the_next_request(keeping):
    client = Client()
    primed(client, "/en/")
    home = HomePage.objects.get(locale__language_code="en")
    home.intro = "<p>Cache test: a new welcome</p>"
    home.save_revision().publish()
    assert "Cache test: a new welcome" in client.get("/en/").content.decode()

    doc = factories.document(title="Cache test terms")
    primed(client, "/en/trust-documents/")
    doc.category.name = "Cache test category renamed"
    doc.category.save()
    assert "Cache test category renamed" in client.get("/en/trust-documents/").content.decode()

    primed(client, "/en/")
    settings = PortalSettings.load()
    settings.trust_center_label = "Cache test center"
    settings.save()
    assert "Cache test center" in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_a_starter_pack_change_is_on_the_next_request(keeping):
    pack = StarterPackPage.objects.filter(locale__language_code="en").live().first()
    assert pack is not None
    client = Client()
    url = pack.get_url()
    primed(client, url)
    doc = factories.document(title="Cache test pack member")
    pack.items.create(document=doc)
    pack.save_revision().publish()
    assert "Cache test pack member" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_page_moved_out_of_the_tree_is_gone_on_the_next_request(keeping):
    page = Page.objects.live().filter(depth__gt=3, locale__language_code="en").first().specific
    client = Client()
    url = page.get_url()
    primed(client, url)
    page.unpublish()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_members_and_sessions_are_never_served_a_visitors_answer(keeping, demo_users):
    client = Client()
    primed(client, "/en/trust-documents/")
    primed(client, "/api/v3/trust-documents/?limit=5")
    member = Client()
    member.force_login(demo_users["reader"])
    page = member.get("/en/trust-documents/")
    assert not hit(page)
    assert "Sign out" in page.content.decode()
    assert not hit(member.get("/api/v3/trust-documents/?limit=5"))
    # A bearer token, even an unknown one, is never answered from the visitors' cache.
    tokened = client.get(
        "/api/v3/trust-documents/?limit=5", headers={"authorization": "Bearer nope"}
    )
    assert not hit(tokened) and tokened.status_code == 401


@pytest.mark.django_db
def test_the_language_is_part_of_the_key(keeping):
    client = Client()
    primed(client, "/api/v3/taxonomy/", **{"accept-language": "en"})
    german = client.get("/api/v3/taxonomy/", headers={"accept-language": "de"})
    english = client.get("/api/v3/taxonomy/", headers={"accept-language": "en"})
    assert not hit(german) and hit(english)


@pytest.mark.django_db
def test_a_cached_document_page_still_counts_as_a_view(keeping):
    doc = factories.document(title="Cache test viewed")
    client = Client()
    before = AuditEntry.objects.filter(action="document_view", document_id=doc.pk).count()
    primed(client, doc.get_url())  # one miss and one hit
    client.get(doc.get_url())
    after = AuditEntry.objects.filter(action="document_view", document_id=doc.pk).count()
    assert after - before == 3


@pytest.mark.django_db
def test_only_views_opted_in_are_kept(keeping):
    client = Client()
    client.get("/en/accounts/login/")
    # The sign-in page embeds a CSRF token and is no visitor page: never served again.
    assert not hit(client.get("/en/accounts/login/"))
    client.get("/healthz")
    assert not hit(client.get("/healthz"))


@pytest.mark.django_db
def test_a_write_to_a_members_own_rows_keeps_the_visitors_answers(keeping, demo_users):
    from plugins.library.models import SavedDocument
    from search.facets import current_generation

    before = current_generation()
    SavedDocument.objects.create(
        user=demo_users["reader"], document=TrustDocument.objects.filter(live=True).first()
    )
    assert current_generation() == before
