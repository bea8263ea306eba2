"""The headless API's trust-document endpoints: same access rules, filters and query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import APIToken

from search.cards import source_documents
from tests import factories


def bearer(user) -> dict:
    _token, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.mark.django_db
def test_anonymous_list_matches_what_the_policy_shows(users):
    hidden = factories.document(
        "restricted", title="Zebrafish api secret", organizations=[users["other_org_obj"]]
    )
    response = Client().get("/api/v3/trust-documents/", {"limit": 100})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == source_documents(None).count()
    assert "Zebrafish" not in response.content.decode()
    assert Client().get(f"/api/v3/trust-documents/{hidden.slug}/").status_code == 404
    # The entitled organization's token sees it.
    member = users["other_org"]
    detail = Client().get(f"/api/v3/trust-documents/{hidden.slug}/", **bearer(member))
    assert detail.status_code == 200 and detail.json()["title"] == "Zebrafish api secret"


@pytest.mark.django_db
def test_filters_locale_and_bad_parameters():
    client = Client()
    narrowed = client.get(
        "/api/v3/trust-documents/?standard=soc-1&standard=hipaa&industry=healthcare"
    ).json()
    assert {d["title"] for d in narrowed["items"]} == {
        "HIPAA attestation",
        "HIPAA implementation guide",
        "Health records blueprint",
    }
    german = client.get("/api/v3/trust-documents/security-white-paper/?locale=de").json()
    assert german["title"] == "Whitepaper: Sicherheitsüberblick" and len(german["versions"]) == 3
    for params, message in (
        ({"colour": "blue"}, "Unknown query parameter(s): colour"),
        ({"locale": "xx"}, "Unknown locale"),
    ):
        response = client.get("/api/v3/trust-documents/", params)
        assert response.status_code == 400 and message in response.content.decode(), params
    # Values of the wrong shape are validation errors naming the parameter (RFC 7807, 422).
    for params, name in (
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"section": "nope"}, "section"),
        ({"sort": "random"}, "sort"),
    ):
        response = client.get("/api/v3/trust-documents/", params)
        assert response.status_code == 422 and name in response.content.decode(), params


@pytest.mark.django_db
def test_listed_restricted_documents_show_only_their_title(users):
    listed = factories.document("restricted", listed=True, organizations=[users["other_org_obj"]])
    data = Client().get(f"/api/v3/trust-documents/{listed.slug}/").json()
    assert data["title"] == listed.title and data["summary"] == "" and data["locked"] == "sign_in"
    assert all(v["files"] == [] for v in data["versions"])


@pytest.mark.django_db
def test_download_links_follow_the_policy(users):
    nda_version = factories.document("nda").versions.get()
    url = f"/api/v3/trust-documents/versions/{nda_version.pk}/download-link/"
    refused = Client().post(url, **bearer(users["member"]))
    assert refused.status_code == 403 and "nda" in refused.content.decode()
    granted = Client().post(url, **bearer(users["member_nda"]))
    assert granted.status_code == 200
    link = granted.json()["url"].replace("http://testserver", "")
    member_client = Client()
    member_client.force_login(users["member_nda"])
    assert member_client.get(link).status_code == 200
    assert (
        Client().post("/api/v3/trust-documents/versions/999999/download-link/").status_code == 404
    )


@pytest.mark.django_db
def test_me_tells_organization_and_nda_status(users):
    assert Client().get("/api/v3/me/").json()["authenticated"] is False
    data = Client().get("/api/v3/me/", **bearer(users["member_nda"])).json()
    assert data == {
        "authenticated": True,
        "username": "t-member-nda",
        "organization": "Test Customer",
        "nda_accepted": True,
        "nda_version": "2026-01",
    }


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_page_size(users):
    client = Client()
    counts = []
    for limit in (2, 40):
        client.get(f"/api/v3/trust-documents/?limit={limit}")
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/api/v3/trust-documents/?limit={limit}", **{})
        assert len(response.json()["items"]) == limit
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_taxonomy_is_localized():
    data = Client().get("/api/v3/taxonomy/?locale=de").json()
    categories = next(f for f in data if f["filter"] == "category")
    assert {"slug": "audit-report", "name": "Prüfberichte"} in categories["terms"]


@pytest.mark.django_db
def test_detail_terms_are_in_the_requested_language():
    from wagtail.models import Locale

    from cms.models import Region

    region = factories.term(Region, "Northland")
    german = region.copy_for_translation(Locale.objects.get(language_code="de"))
    german.name = "Nordland"
    german.save()
    document = factories.document("public")
    document.refresh_from_db()
    document.regions.set([region])
    document.save_revision().publish()
    detail = Client().get(f"/api/v3/trust-documents/{document.slug}/?locale=de").json()
    assert detail["regions"] == [{"slug": region.slug, "name": "Nordland"}]


@pytest.mark.django_db
def test_an_anonymous_browser_post_gets_the_policy_answer_not_a_csrf_failure():
    from cms.models import DocumentVersion

    version = DocumentVersion.objects.filter(live=True, document__access_level="nda").first()
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post(f"/api/v3/trust-documents/versions/{version.pk}/download-link/")
    assert answer.status_code in (401, 403) and "CSRF" not in answer.content.decode()


@pytest.mark.django_db
def test_each_document_lists_its_own_terms_in_the_editors_order():
    from cms.models import Service, Standard

    first, second = factories.term(Standard, "Zeta standard"), factories.term(Standard, "Alpha")
    first.sort_order, second.sort_order = 1, 2
    Standard.objects.bulk_update([first, second], ["sort_order"])
    service = factories.term(Service, "Lone service")
    both = factories.document(title="Aardvark both", standards=[second, first])
    one = factories.document(title="Aardvark one", standards=[second], services=[service])
    factories.document(title="Aardvark none")
    items = Client().get("/api/v3/trust-documents/", {"q": "Aardvark", "sort": "title"}).json()
    by_title = {item["title"]: item for item in items["items"]}
    assert [s["name"] for s in by_title["Aardvark both"]["standards"]] == ["Zeta standard", "Alpha"]
    assert [s["name"] for s in by_title["Aardvark one"]["standards"]] == ["Alpha"]
    assert [s["name"] for s in by_title["Aardvark one"]["services"]] == ["Lone service"]
    assert (
        by_title["Aardvark both"]["services"] == [] and by_title["Aardvark none"]["standards"] == []
    )
    assert {both.slug, one.slug} <= {item["slug"] for item in items["items"]}
