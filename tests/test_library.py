"""My Library on the reader site and in the API, always under the access policy."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import StarterPackPage
from plugins.library.models import SavedDocument
from search.cards import source_documents
from tests import factories
from tests.helpers import bearer, client_for
from tests.html_forms import submit


def saved_ids(user) -> set[int]:
    return set(SavedDocument.objects.filter(user=user).values_list("document_id", flat=True))


@pytest.mark.django_db
def test_save_from_the_dots_menu_and_with_checkboxes(users):
    member = users["member"]
    client = client_for(member)
    first, second, third = (factories.document("public") for _ in range(3))
    listing = client.get("/en/trust-documents/?sort=date").content.decode()
    assert "Save to library" in listing and 'form="bulk-actions"' in listing

    response = client.post(
        "/en/library/save/", {"document": [first.pk], "next": "/en/trust-documents/"}
    )
    assert response.status_code == 302 and response["Location"] == "/en/trust-documents/"
    response = client.post("/en/library/save/", {"document": [first.pk, second.pk, third.pk]})
    assert response.status_code == 302 and response["Location"] == "/en/library/"
    assert saved_ids(member) == {first.pk, second.pk, third.pk}  # saving twice is a no-op

    page = client.get("/en/library/").content.decode()
    for doc in (first, second, third):
        assert doc.title in page

    client.post("/en/library/remove/", {"document": [first.pk, second.pk]})
    assert saved_ids(member) == {third.pk}


@pytest.mark.django_db
def test_forbidden_documents_cannot_be_saved_and_bad_input_is_a_400(users):
    member = users["member"]
    client = client_for(member)
    hidden = factories.document("restricted", organizations=[users["other_org_obj"]])
    assert client.post("/en/library/save/", {"document": [hidden.pk]}).status_code == 404
    assert client.post("/en/library/save/", {"document": [10**9]}).status_code == 404
    assert saved_ids(member) == set()
    assert client.post("/en/library/save/", {}).status_code == 400
    assert client.post("/en/library/save/", {"document": ["abc"]}).status_code == 400
    assert client.get("/en/library/save/").status_code == 405
    # Offsite "next" is ignored: the reader lands on the library.
    visible = factories.document("public")
    response = client.post(
        "/en/library/save/", {"document": [visible.pk], "next": "https://evil.test/"}
    )
    assert response["Location"] == "/en/library/"
    anonymous = Client().post("/en/library/save/", {"document": [visible.pk]})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert Client().get("/en/library/").status_code == 302


@pytest.mark.django_db
def test_recent_updates_are_flagged_with_an_accessible_tooltip(users):
    member = users["member"]
    fresh = factories.document("public", published_on=date.today() - timedelta(days=3))
    stale = factories.document("public", published_on=date.today() - timedelta(days=90))
    fresh_version = fresh.versions.get()
    fresh_version.change_description = "Added the 2026 bridge letter."
    fresh_version.save_revision().publish()
    SavedDocument.objects.create(user=member, document=fresh)
    SavedDocument.objects.create(user=member, document=stale)

    page = client_for(member).get("/en/library/").content.decode()
    saved = SavedDocument.objects.get(user=member, document=fresh)
    tooltip_id = f"update-{saved.pk}"
    assert f'aria-describedby="{tooltip_id}"' in page
    assert f'role="tooltip" id="{tooltip_id}"' in page
    assert "Added the 2026 bridge letter." in page
    # A button is focusable by keyboard; the stale document carries no flag.
    assert page.count('class="badge"') == 1


@pytest.mark.django_db
def test_a_document_no_longer_accessible_shows_as_unavailable_without_its_title(users):
    member = users["member"]
    doc = factories.document(
        "restricted", organizations=[users["customer_org"]], title="Walrus dossier"
    )
    SavedDocument.objects.create(user=member, document=doc)
    client = client_for(member)
    assert "Walrus dossier" in client.get("/en/library/").content.decode()

    doc.restricted_organizations.set([])
    doc.save_revision().publish()
    page = client.get("/en/library/").content.decode()
    assert "Walrus dossier" not in page
    assert "Document no longer available" in page
    api = client.get("/api/v3/library/").json()
    assert api["count"] == 1
    assert api["items"][0]["available"] is False and api["items"][0]["title"] is None
    assert "Walrus" not in str(api)
    # Removing it still works.
    client.post("/en/library/remove/", {"document": [doc.pk]})
    assert saved_ids(member) == set()


@pytest.mark.django_db
def test_a_starter_pack_is_saved_whole_from_its_page(users):
    member = users["member"]
    pack = StarterPackPage.objects.live().filter(locale__language_code="en").first()
    hidden = factories.document("restricted", organizations=[users["other_org_obj"]])
    pack.items.create(document=hidden, sort_order=99)  # in the pack, not for this reader
    in_pack = pack.items.values_list("document_id", flat=True)
    visible_in_pack = set(
        source_documents(member).filter(pk__in=in_pack).values_list("pk", flat=True)
    )
    assert visible_in_pack and hidden.pk not in visible_in_pack
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = client.get(pack.url).content.decode()

    # What the browser posts when the reader presses the button: the form as the page has it.
    response = submit(client, pack.url, html, "Save all to library")
    assert response.status_code == 302 and response["Location"] == pack.url
    assert saved_ids(member) == visible_in_pack
    assert (
        f"Saved {len(visible_in_pack)} documents to your library."
        in client.get(pack.url).content.decode()
    )


@pytest.mark.django_db
def test_library_api(users):
    member = users["member"]
    headers = bearer(member)
    client = Client()
    public, other = factories.document("public"), factories.document("signed_in")
    hidden = factories.document("restricted", organizations=[users["other_org_obj"]])

    assert client.get("/api/v3/library/").status_code == 401
    response = client.post(
        "/api/v3/library/",
        {"documents": [public.slug, other.slug, hidden.slug]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["saved"] == sorted([public.slug, other.slug])
    only_hidden = client.post(
        "/api/v3/library/",
        {"documents": [hidden.slug]},
        content_type="application/json",
        **headers,
    )
    assert only_hidden.status_code == 404
    assert (
        client.post("/api/v3/library/", {}, content_type="application/json", **headers).status_code
        == 400
    )

    listing = client.get("/api/v3/library/", **headers).json()
    assert listing["count"] == 2
    assert {item["slug"] for item in listing["items"]} == {public.slug, other.slug}
    assert all(item["available"] and item["current_version"] == "v1" for item in listing["items"])
    assert client.get("/api/v3/library/?color=red", **headers).status_code == 400

    assert client.delete(f"/api/v3/library/{public.slug}/", **headers).status_code == 204
    assert client.delete(f"/api/v3/library/{public.slug}/", **headers).status_code == 404
    assert saved_ids(member) == {other.pk}

    pack = StarterPackPage.objects.live().filter(locale__language_code="en").first()
    response = client.post(
        "/api/v3/library/", {"starter_pack": pack.pk}, content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["saved"]
    missing = client.post(
        "/api/v3/library/", {"starter_pack": 10**9}, content_type="application/json", **headers
    )
    assert missing.status_code == 404


@pytest.mark.django_db
def test_library_page_queries_do_not_grow_with_its_size(users):
    member = users["member"]
    client = client_for(member)

    def queries_for(count: int) -> int:
        SavedDocument.objects.filter(user=member).delete()
        for _ in range(count):
            SavedDocument.objects.create(user=member, document=factories.document("public"))
        client.get("/en/library/")  # warm the per-process caches (site, locales)
        with CaptureQueriesContext(connection) as context:
            assert client.get("/en/library/").status_code == 200
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(8)


def save_many(user, count: int) -> list:
    """``count`` documents saved one after the other (the newest last)."""
    documents = [factories.document("public") for _ in range(count)]
    for document in documents:
        SavedDocument.objects.create(user=user, document=document)
    return documents


@pytest.mark.django_db
def test_my_library_is_paginated_on_the_site_and_in_the_api(users, settings):
    settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"library": {"PAGE_SIZE": 2}}
    member = users["member"]
    client = client_for(member)
    newest_first = list(reversed(save_many(member, 5)))

    first = client.get("/en/library/").content.decode()
    assert [d.title in first for d in newest_first] == [True, True, False, False, False]
    assert "Page 1 of 3" in first and 'href="?page=2" rel="next"' in first
    last = client.get("/en/library/?page=3").content.decode()
    assert newest_first[4].title in last and newest_first[0].title not in last
    # As on every listing, a page number out of range or not a number shows the nearest page.
    assert newest_first[4].title in client.get("/en/library/?page=99").content.decode()
    assert newest_first[0].title in client.get("/en/library/?page=abc").content.decode()

    api = client.get("/api/v3/library/?limit=2&offset=2").json()
    assert api["count"] == 5 and api["limit"] == 2 and api["offset"] == 2
    assert [item["slug"] for item in api["items"]] == [d.slug for d in newest_first[2:4]]
    assert client.get("/api/v3/library/?limit=0").status_code == 422
    assert client.get("/api/v3/library/?page=2").status_code == 400  # the API pages by offset


@pytest.mark.django_db
def test_a_page_of_my_library_costs_the_same_queries_whatever_its_size(users, settings):
    member = users["member"]
    client = client_for(member)
    save_many(member, 10)

    def site_queries(page_size: int) -> int:
        settings.TRUSTPORTAL_PLUGIN_SETTINGS = {"library": {"PAGE_SIZE": page_size}}
        client.get("/en/library/")  # warm the per-process caches (site, locales)
        with CaptureQueriesContext(connection) as context:
            page = client.get("/en/library/").content.decode()
        assert page.count('class="document-card') == page_size
        return len(context.captured_queries)

    def api_queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as context:
            listing = client.get(f"/api/v3/library/?limit={limit}").json()
        assert len(listing["items"]) == limit
        return len(context.captured_queries)

    assert site_queries(2) == site_queries(8)
    api_queries(2)
    assert api_queries(2) == api_queries(8)
