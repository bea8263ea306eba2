"""An industry page without offerings is not an empty one-liner: it points readers to Trust
Documents › Data Protection filtered by its industry, with the number of documents that reader
will find there, as the listing itself counts them (through the access policy)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from wagtail.models import Locale

from cms.models import IndustriesRegionsPage, Industry, IndustryPage
from sites.demo.content.industries import INDUSTRY_INTROS
from tests import factories
from tests.helpers import client_for, industry_page

pytestmark = pytest.mark.django_db

LISTING = "/en/trust-documents/data-protection/"


def pointer(html: str) -> str | None:
    match = re.search(r'<section class="industry-documents".*?</section>', html, re.S)
    return match.group(0) if match else None


def pointer_links(section: str) -> list[tuple[str, str]]:
    """(href, text) of the pointer's links."""
    return [
        (unescape(href), " ".join(re.sub(r"<[^>]+>", "", text).split()))
        for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', section, re.S)
    ]


def listing_count(client, url: str) -> int:
    return client.get(url).context["page_obj"].paginator.count


@pytest.mark.parametrize(
    "slug, sections",
    [
        ("government", ["Data Protection", "Audit Reports", "Blueprints"]),
        ("healthcare", ["Data Protection", "Audit Reports", "Blueprints"]),
        # No data protection document is about retail: its other sections.
        ("retail", ["Audit Reports", "Blueprints"]),
    ],
)
def test_the_demo_pages_have_an_introduction_and_point_to_their_documents(slug, sections):
    client = client_for(None)
    page = industry_page(slug)
    html = client.get(page.url).content.decode()
    assert not page.has_offerings
    assert INDUSTRY_INTROS[slug].removeprefix("<p>")[:60] in html
    links = pointer_links(pointer(html))
    assert [text.rsplit(" in ", 1)[1] for _href, text in links] == sections
    for href, text in links:
        assert href.startswith("/en/trust-documents/") and href.endswith(f"?industry={slug}")
        # The number the link promises is the number the listing shows.
        count = listing_count(client, href)
        assert count > 0
        assert text.startswith(f"See {count} document{'s' if count != 1 else ''} in ")
    if "Data Protection" in sections:
        assert links[0][0] == f"{LISTING}?industry={slug}"


def test_a_page_with_offerings_shows_them_and_no_pointer():
    page = industry_page("financial-services")
    assert page.has_offerings
    html = client_for(None).get(page.url).content.decode()
    assert "SOC 1 and SOC 2" in html
    assert pointer(html) is None


@pytest.fixture
def restricted_healthcare_document(users):
    """A data protection document about healthcare only the customer organization may see."""
    document = factories.document(
        "restricted",
        category_obj=factories.category(section="data-protection"),
        organizations=[users["customer_org"]],
    )
    document.industries.add(Industry.objects.get(slug="healthcare", locale=Locale.get_default()))
    # Published again, as the admin saves terms: listings follow what is published.
    document.save_revision().publish()
    return document


def test_the_count_is_what_each_reader_may_see(users, restricted_healthcare_document):
    page = industry_page("healthcare")
    counts = {}
    for who in ("anonymous", "member"):
        client = client_for(users[who])
        href, text = pointer_links(pointer(client.get(page.url).content.decode()))[0]
        assert href == f"{LISTING}?industry=healthcare"
        counts[who] = listing_count(client, href)
        assert text.startswith(f"See {counts[who]} document"), who
    # The restricted document counts for its organization's member alone.
    assert counts["member"] == counts["anonymous"] + 1


def test_an_industry_without_documents_points_to_all_trust_documents():
    industry = factories.term(Industry, name="Aerospace")
    hub = IndustriesRegionsPage.objects.get(locale=Locale.get_default())
    page = IndustryPage(title="Aerospace", slug="aerospace", industry=industry)
    hub.add_child(instance=page)
    page.save_revision().publish()
    section = pointer(client_for(None).get(page.url).content.decode())
    assert "No documents for this industry are in Trust Documents yet." in section
    assert pointer_links(section) == [("/en/trust-documents/", "Browse Trust Documents")]


def test_the_german_page_points_to_the_german_listings():
    page = industry_page("retail").get_translation(Locale.objects.get(language_code="de"))
    client = client_for(None)
    html = client.get(page.url).content.decode()
    links = pointer_links(pointer(html))
    assert links
    for href, _text in links:
        assert href.startswith("/de/") and href.endswith("?industry=retail")
        english = "/en/" + href.removeprefix("/de/")
        assert listing_count(client, href) == listing_count(client, english)
