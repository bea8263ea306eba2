"""What an industry page without offerings points readers to: the Trust Documents listings
filtered by the page's industry, Data Protection first (white papers, guides and FAQs are what
such a page would offer), then each other section holding documents of the industry, each with
the number of documents the reader will find there, counted as that listing counts them
(through the access policy)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.db.models import Count

from cms.access import policy
from cms.i18n import active_locale, default_locale
from cms.models import DocumentIndexPage, Industry, IndustryPage, Section
from search.query import DocumentQuery, apply_filters, in_listing

register = template.Library()

#: The sections in the order a reader of an industry page wants them.
SECTIONS = (Section.DATA_PROTECTION, Section.AUDIT_REPORTS, Section.BLUEPRINTS)


@dataclass(frozen=True)
class SectionLink:
    #: The section's title in the reader's language.
    title: str
    #: The section's listing filtered by the industry.
    url: str
    #: How many documents of the industry the reader may see there.
    count: int


@dataclass(frozen=True)
class IndustryDocuments:
    #: The sections holding documents of the industry that the reader may see.
    sections: list[SectionLink]
    #: Trust Documents, unfiltered: where to go when no section holds any.
    all_documents_title: str
    all_documents_url: str


def _index_pages() -> dict[str, DocumentIndexPage]:
    """The Trust Documents pages by section ("" for all) in the reader's language, else in the
    source language."""
    pages = DocumentIndexPage.objects.live().public()
    found = {}
    for locale in (default_locale(), active_locale()):
        found.update({page.section: page for page in pages.filter(locale=locale)})
    return found


@register.simple_tag(takes_context=True)
def industry_documents(context, page: IndustryPage) -> IndustryDocuments | None:
    """None where the site has no Trust Documents page to point to."""
    request = context["request"]
    index_pages = _index_pages()
    root = index_pages.get("")
    root_url = root.get_url(request) if root else None
    # The listing filters by the terms of the source language (``search.listing``).
    industry = Industry.objects.filter(
        translation_key=page.industry.translation_key, locale=default_locale()
    ).first()
    if root_url is None or industry is None:
        return None
    query = DocumentQuery(filters={"industry": [industry.slug]})
    visible = in_listing(policy.visible_documents(request.user))
    matching = apply_filters(visible, query, None, policy.reading_rights(request.user))
    counts = dict(
        matching.order_by()
        .values_list("category__section")
        .annotate(count=Count("pk"))
        .values_list("category__section", "count")
    )
    parameters = urlencode({"industry": industry.slug})
    sections = []
    for section in SECTIONS:
        section_page = index_pages.get(section)
        section_url = section_page.get_url(request) if section_page else None
        if counts.get(section) and section_url:
            sections.append(
                SectionLink(section_page.title, f"{section_url}?{parameters}", counts[section])
            )
    return IndustryDocuments(sections, root.title, root_url)
