"""The headless API's starter packs, industries and regions: the site's pages as data, their
documents through the access policy, in the caller's language."""

import pytest
from django.test import Client
from wagtail.models import Locale

from cms.models import IndustryPage, RegionPage, StarterPackPage
from sites.demo.translate import translate
from tests import factories
from tests.helpers import bearer, client_for, industry_page, make_pack


@pytest.fixture
def pack_documents(users):
    """Documents of every kind the policy tells apart, in an order no sort would give."""
    customer = users["customer_org"]
    return [
        factories.document("nda", title="Zulu nda report"),
        factories.document("restricted", title="Yankee hidden dossier", organizations=[customer]),
        factories.document("public", title="Alpha public paper"),
        factories.document("restricted", title="X-ray listed report", listed=True),
        factories.document("signed_in", title="Bravo member guide"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", ["Zulu nda report", "Alpha public paper", "X-ray listed report"]),
        ("member", ["Zulu nda report", "Yankee hidden dossier", "Alpha public paper"]),
        ("other_org", ["Zulu nda report", "Alpha public paper", "X-ray listed report"]),
    ],
)
def test_a_pack_keeps_the_editors_order_minus_what_the_caller_may_not_see(
    users, pack_documents, who, expected
):
    pack = make_pack(industry_page("financial-services"), pack_documents)
    client = client_for(users[who])
    data = client.get(f"/api/v3/starter-packs/{pack.slug}/").json()
    titles = [document["title"] for document in data["documents"]]
    # Every visible document, in the editor's order (the listed restricted one shows its title).
    visible = {"anonymous": 4, "member": 5, "other_org": 4}[who]
    assert len(titles) == visible == data["document_count"]
    assert titles[:3] == expected
    listed = client.get("/api/v3/starter-packs/", {"industry": "financial-services"}).json()
    summary = next(item for item in listed["items"] if item["slug"] == pack.slug)
    assert summary["document_count"] == visible
    assert data["industry"] == {"slug": "financial-services", "name": "Financial services"}
    assert data["intro"] == "<p>Read these.</p>" and data["kind"] == "audit"


@pytest.mark.django_db
def test_the_archive_link_is_given_to_those_who_may_download_a_file(users):
    pack = make_pack(industry_page("financial-services"), [factories.document("nda")])
    url = f"/api/v3/starter-packs/{pack.slug}/"
    for who, may_download in (("anonymous", False), ("member", False), ("member_nda", True)):
        client = client_for(users[who])
        data = client.get(url).json()
        assert (data["download_url"] is not None) is may_download, who
        listed = client.get("/api/v3/starter-packs/", {"industry": "financial-services"}).json()
        summary = next(item for item in listed["items"] if item["slug"] == pack.slug)
        assert summary["download_url"] == data["download_url"], who
        # The link is the site's archive route, which answers as the API said it would.
        archive = client.get(f"/en/starter-packs/{pack.pk}/archive/")
        assert (archive.status_code == 200) is may_download, who
        if may_download:
            assert data["download_url"] == f"http://testserver/en/starter-packs/{pack.pk}/archive/"
            assert archive["Content-Type"] == "application/zip"


@pytest.mark.django_db
def test_packs_of_two_industries_may_share_a_slug(users):
    finance, government = industry_page("financial-services"), industry_page("government")
    make_pack(finance, [factories.document("public")], slug="shared-pack")
    theirs = make_pack(government, [factories.document("public")], slug="shared-pack")
    client = Client()
    ambiguous = client.get("/api/v3/starter-packs/shared-pack/")
    assert ambiguous.status_code == 400
    assert "?industry= with one of financial-services, government" in ambiguous.json()["detail"]
    chosen = client.get("/api/v3/starter-packs/shared-pack/", {"industry": "government"}).json()
    assert chosen["title"] == theirs.title and chosen["industry"]["slug"] == "government"
    listed = client.get("/api/v3/starter-packs/", {"industry": "government"}).json()
    assert [item["slug"] for item in listed["items"]] == ["shared-pack"] and listed["count"] == 1
    nothing = client.get("/api/v3/starter-packs/", {"industry": "no-such-industry"}).json()
    assert nothing == {"count": 0, "limit": 20, "offset": 0, "items": []}


@pytest.mark.django_db
def test_starter_pack_list_is_paginated_in_the_trees_order():
    client = Client()
    every = client.get("/api/v3/starter-packs/", {"limit": 100}).json()
    assert [item["slug"] for item in every["items"][:3]] == [
        "evaluation-starter-pack",
        "assessment-starter-pack",
        "audit-starter-pack",
    ]
    assert (
        every["count"] == StarterPackPage.objects.live().filter(locale__language_code="en").count()
    )
    second = client.get("/api/v3/starter-packs/", {"limit": 1, "offset": 1}).json()
    assert second["count"] == every["count"] and second["items"] == every["items"][1:2]


@pytest.mark.django_db
def test_industry_content_is_structured_data():
    data = Client().get("/api/v3/industries/financial-services/").json()
    assert data["industry"] == {"slug": "financial-services", "name": "Financial services"}
    assert [offering["name"] for offering in data["offerings"]] == ["SOC 1 and SOC 2", "PCI DSS"]
    assert data["faq"][0] == {
        "question": "Can our regulator audit the provider?",
        "answer": "<p>Yes. Our contracts grant audit and access rights to customers and their "
        "regulators.</p>",
    }
    assert [story["customer"] for story in data["success_stories"]] == ["A European retail bank"]
    assert [pack["slug"] for pack in data["starter_packs"]] == [
        "evaluation-starter-pack",
        "assessment-starter-pack",
        "audit-starter-pack",
    ]
    listed = Client().get("/api/v3/industries/", {"limit": 100}).json()
    assert (
        listed["count"]
        == len(listed["items"])
        == IndustryPage.objects.live().filter(locale__language_code="en").count()
    )
    finance = next(item for item in listed["items"] if item["slug"] == "financial-services")
    assert finance["starter_packs"] == data["starter_packs"]
    assert all(item["starter_packs"] == [] for item in listed["items"] if item is not finance)


@pytest.mark.django_db
def test_pages_answer_in_the_language_asked_for():
    finance = industry_page("financial-services")
    translate(
        finance, "de", {"Can our regulator audit the provider?": "Darf unsere Aufsicht prüfen?"}
    )
    pack = StarterPackPage.objects.get(slug="evaluation-starter-pack", locale=finance.locale)
    translate(pack, "de", {"Evaluation starter pack": "Starterpaket Evaluierung"})
    germany = RegionPage.objects.get(slug="germany", locale=finance.locale)
    translate(germany, "de", {"Germany": "Deutschland"})
    client = Client()

    industry = client.get("/api/v3/industries/financial-services/", {"locale": "de"}).json()
    assert industry["faq"][0]["question"] == "Darf unsere Aufsicht prüfen?"
    assert industry["html_url"] == "http://testserver/de/industries-regions/financial-services/"
    assert industry["starter_packs"][0]["title"] == "Starterpaket Evaluierung"
    detail = client.get("/api/v3/starter-packs/evaluation-starter-pack/?locale=de").json()
    assert detail["title"] == "Starterpaket Evaluierung"
    assert detail["documents"][0]["title"] == "Whitepaper: Sicherheitsüberblick"
    assert detail["download_url"] == f"http://testserver/de/starter-packs/{pack.pk}/archive/"
    region = client.get("/api/v3/regions/germany/", {"locale": "de"}).json()
    assert region["title"] == "Deutschland" and region["slug"] == "germany"
    regions = client.get("/api/v3/regions/", {"locale": "de", "limit": 100}).json()
    assert "Deutschland" in {item["title"] for item in regions["items"]}
    # The source language when none is asked for.
    assert client.get("/api/v3/regions/germany/").json()["title"] == "Germany"


@pytest.mark.django_db
def test_a_region_shows_its_documents_through_the_policy(users):
    germany = RegionPage.objects.get(slug="germany", locale=Locale.get_default())
    hidden = factories.document(
        "restricted", title="Yankee regional secret", organizations=[users["customer_org"]]
    )
    hidden.regions.add(germany.region)
    hidden.save_revision().publish()
    url = "/api/v3/regions/germany/"
    seen = {}
    for who in ("anonymous", "member", "other_org"):
        client = client_for(users[who])
        data = client.get(url).json()
        titles = [document["title"] for document in data["documents"]]
        assert data["document_count"] == len(titles), who
        listed = client.get("/api/v3/regions/", {"limit": 100}).json()
        entry = next(item for item in listed["items"] if item["slug"] == "germany")
        assert entry["document_count"] == len(titles), who
        assert ("Yankee regional secret" in titles) is (who == "member"), who
        seen[who] = titles
    # Entitled or not, the rest of the list is the same.
    assert [t for t in seen["member"] if t != "Yankee regional secret"] == seen["anonymous"]
    # A bearer token is the same caller as the session.
    token = Client().get(url, **bearer(users["member"])).json()
    assert [document["title"] for document in token["documents"]] == seen["member"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/api/v3/starter-packs/?colour=blue", 400, "Unknown query parameter(s): colour"),
        ("/api/v3/starter-packs/audit-starter-pack/?page=2", 400, "Unknown query parameter(s)"),
        ("/api/v3/industries/?locale=xx", 400, "Unknown locale"),
        ("/api/v3/industries/financial-services/?q=x", 400, "Unknown query parameter(s): q"),
        ("/api/v3/regions/?sort=title", 400, "Unknown query parameter(s): sort"),
        ("/api/v3/regions/germany/?locale=klingon", 400, "Unknown locale"),
        ("/api/v3/regions/?limit=0", 422, "limit"),
        ("/api/v3/industries/?offset=-1", 422, "offset"),
        ("/api/v3/starter-packs/?limit=101", 422, "limit"),
        ("/api/v3/starter-packs/a%20b/", 422, "slug"),
        # PostgreSQL refuses NUL in a query parameter: it must never reach the database.
        ("/api/v3/starter-packs/?industry=a%00b", 422, "industry"),
        ("/api/v3/starter-packs/audit-starter-pack/?industry=%00", 422, "industry"),
        ("/api/v3/industries/no-such-industry/", 404, "No such industry"),
        ("/api/v3/regions/atlantis/", 404, "No such region"),
        ("/api/v3/starter-packs/no-such-pack/", 404, "No such starter pack"),
        # A region page is no industry, whatever its slug.
        ("/api/v3/industries/germany/", 404, "No such industry"),
    ],
)
def test_bad_requests_get_a_clear_4xx(url, status, message):
    response = Client().get(url)
    assert response.status_code == status and message in response.content.decode(), url


@pytest.mark.django_db
def test_unpublished_and_private_pages_stay_out(users):
    from wagtail.models import PageViewRestriction

    finance = industry_page("financial-services")
    draft = make_pack(finance, [factories.document("public")])
    draft.unpublish()
    private = make_pack(finance, [factories.document("public")])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    client = client_for(users["member"])
    listed = client.get("/api/v3/starter-packs/", {"limit": 100}).content.decode()
    for pack in (draft, private):
        assert client.get(f"/api/v3/starter-packs/{pack.slug}/").status_code == 404
        assert pack.slug not in listed
