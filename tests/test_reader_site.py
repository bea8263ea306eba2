"""The reader site as an anonymous visitor sees it: every page answers, nothing errors."""

import logging

import pytest
from django.test import Client
from wagtail.models import Page

from search.cards import source_documents


@pytest.mark.django_db
def test_every_reader_page_answers_200_for_anonymous_visitors(caplog):
    client = Client()
    urls = [page.get_url() for page in Page.objects.live().filter(depth__gt=1).specific()]
    urls += [doc.get_url() for doc in source_documents(None)]
    urls += ["/en/search/?q=soc", "/de/search/?q=", "/en/feedback/", "/en/accounts/login/"]
    assert len(urls) > 150
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_main_menu_matches_the_reference_portal(demo_users):
    client = Client()
    html = client.get("/en/").content.decode()
    for label in (
        "Home",
        "Trust Documents",
        "Audit Reports",
        "Data Protection",
        "Blueprints",
        "Industries &amp; Regions",
        "Trust Center",
    ):
        assert label in html, label
    assert 'href="https://example.com/trust-center"' in html
    assert ">Admin<" not in html
    assert 'role="search"' in html and "Feedback" in html
    client.force_login(demo_users["admin"])
    assert ">Admin<" in client.get("/en/").content.decode()
    client.force_login(demo_users["reader"])
    assert ">Admin<" not in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_filters_combine_or_within_and_across():
    client = Client()
    one = client.get("/en/trust-documents/?standard=soc-1").context["page_obj"].paginator.count
    both = (
        client.get("/en/trust-documents/?standard=soc-1&standard=hipaa")
        .context["page_obj"]
        .paginator.count
    )
    narrowed = client.get("/en/trust-documents/?standard=soc-1&standard=hipaa&industry=healthcare")
    assert both > one > 0
    titles = {card.title for card in narrowed.context["documents"]}
    expected = {
        d.title
        for d in source_documents(None).filter(industries__slug="healthcare")
        if set(d.standards.values_list("slug", flat=True)) & {"soc-1", "hipaa"}
    }
    assert (
        titles
        == expected
        == {"HIPAA attestation", "HIPAA implementation guide", "Health records blueprint"}
    )
    html = narrowed.content.decode()
    assert "remove filter" in html  # each active filter can be removed on its own


@pytest.mark.django_db
def test_bad_query_input_never_errors():
    client = Client()
    for params in (
        {"q": "x" * 5000},
        {"q": '"unbalanced AND (OR'},
        {"q": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 日本語"},
        {"page": "-1"},
        {"page": "abc"},
        {"standard": "no-such-standard"},
        {"sort": "evil"},
    ):
        assert client.get("/en/search/", params).status_code == 200, params
        assert client.get("/en/trust-documents/", params).status_code == 200, params


@pytest.mark.django_db
def test_document_page_lists_all_versions_with_their_changes():
    html = Client().get("/en/documents/soc-2-type-2/").content.decode()
    for label, change in (
        ("2024", "First report"),
        ("2025", "Adds the managed database"),
        ("2026", "Adds the identity platform"),
    ):
        assert label in html and change in html
    assert "All versions" in html and "Requires NDA" in html


@pytest.mark.django_db
def test_starter_pack_keeps_the_editors_order():
    response = Client().get("/en/industries-regions/financial-services/evaluation-starter-pack/")
    slugs = [card.document.slug for card in response.context["documents"]]
    assert slugs == [
        "security-white-paper",
        "shared-responsibility-white-paper",
        "soc-3",
        "iso-27001-certificate",
        "financial-services-faq",
    ]


@pytest.mark.django_db
def test_region_page_lists_its_legal_opinion():
    html = Client().get("/en/industries-regions/germany/").content.decode()
    assert "Legal opinion: Germany" in html and "Legal opinion: Spain" not in html


@pytest.mark.django_db
def test_feedback_form_stores_feedback_and_drops_spam():
    from plugins.feedback.models import Feedback

    client = Client()
    assert client.post("/en/feedback/", {"kind": "question", "comment": ""}).status_code == 400
    response = client.post(
        "/en/feedback/", {"kind": "question", "comment": "Where is the SOC 2?", "page_url": "/en/"}
    )
    assert response.status_code == 302
    client.post(
        "/en/feedback/", {"kind": "question", "comment": "buy pills", "website": "http://spam"}
    )
    assert list(Feedback.objects.values_list("comment", flat=True)) == ["Where is the SOC 2?"]


@pytest.mark.django_db
def test_editors_preview_a_draft_document_as_readers_will_see_it(demo_users):
    from django.test import RequestFactory

    from cms.models import TrustDocument

    document = TrustDocument.objects.get(slug="soc-3", locale__language_code="en")
    document.title = "SOC 3 report (draft title)"
    request = RequestFactory().get("/admin/")
    request.user = demo_users["editor"]
    response = document.make_preview_request(original_request=request)
    html = (
        response.content.decode()
        if not hasattr(response, "render")
        else response.render().content.decode()
    )
    assert response.status_code == 200
    assert "SOC 3 report (draft title)" in html and "Preview" in html
    # The draft title is not visible to readers.
    assert "draft title" not in Client().get("/en/documents/soc-3/").content.decode()


@pytest.mark.django_db
def test_sitemap_lists_pages_and_visible_documents_only():
    xml = Client().get("/sitemap.xml").content.decode()
    assert "/en/documents/soc-3/" in xml and "/en/trust-documents/" in xml
    assert "/en/documents/pen-test-full-report/" in xml  # listed restricted: title is public
    assert "red-team-report" not in xml  # hidden restricted: never


@pytest.mark.django_db
def test_recently_updated_means_the_newest_versions():
    # By the publish date of the newest live version (``updated_on``); a listed restricted
    # document's card shows no version to readers not entitled, but keeps its place.
    response = Client().get("/en/")
    cards = response.context["recent_documents"]
    dates = [card.document.updated_on for card in cards]
    assert dates == sorted(dates, reverse=True) and len(dates) == 6
    for card in cards:
        if card.current_version is not None:
            assert card.current_version.published_on == card.document.updated_on
    newest = Client().get("/en/trust-documents/?sort=date").context["documents"]
    dates = [c.document.updated_on for c in newest]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.django_db
def test_nul_bytes_and_control_characters_are_harmless():
    client = Client()
    for params in ({"q": "soc\x00 2"}, {"standard": "soc-2\x00"}, {"q": "\x1b[31m"}):
        assert client.get("/en/search/", params).status_code == 200, params
        assert client.get("/api/v3/trust-documents/", params).status_code == 200, params


@pytest.mark.django_db
def test_search_results_highlight_the_query_safely():
    html = Client().get("/en/search/", {"q": "soc type"}).content.decode()
    assert "<mark>SOC</mark> 2 <mark>Type</mark> 2 report" in html
    evil = Client().get("/en/search/", {"q": "<script>alert(1)</script> report"}).content.decode()
    assert "<script>alert(1)</script>" not in evil


def test_highlight_escapes_before_marking():
    from sites.templatetags.portal import highlight

    assert highlight("<b>ISO</b> & SOC", "iso &") == "&lt;b&gt;<mark>ISO</mark>&lt;/b&gt; &amp; SOC"
    assert highlight("Plain", "") == "Plain"


def test_the_error_page_renders_without_the_database():
    """No django_db mark: any query while rendering the 500 page would fail this test."""
    from django.test import RequestFactory

    from sites.views.errors import server_error

    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_the_pages_api_does_not_carry_starter_pack_documents(users):
    from cms.models import StarterPackItem, StarterPackPage
    from tests import factories

    pack = StarterPackPage.objects.get(slug="audit-starter-pack", locale__language_code="en")
    hidden = factories.document(
        "restricted", title="Zebrafish in a pack", organizations=[users["other_org_obj"]]
    )
    StarterPackItem.objects.create(page=pack, document=hidden, sort_order=50)
    pack.save_revision().publish()
    response = Client().get(f"/api/v3/pages/{pack.pk}/")
    assert response.status_code == 200
    assert (
        "Zebrafish" not in response.content.decode()
        and hidden.slug not in response.content.decode()
    )
