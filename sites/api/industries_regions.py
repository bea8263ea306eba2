"""Industries and regions in the API: the pages under the site's Industries & Regions hub.

An industry brings its offerings, FAQ and success stories as structured data (not rendered
blocks) and its starter packs; a region brings the documents filed under it, through the policy.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Query, Router, Schema
from wagtail.models import Page

from cms.api.common import READER_AUTH, TermSchema, activate_locale, reject_unknown_parameters
from cms.i18n import Localizer
from cms.models import IndustryPage, RegionPage, StarterPackPage
from search.cards import described_source_documents, region_documents

from .content_pages import (
    LIST_PARAMETERS,
    PageListQuery,
    display_html,
    locale_parameter,
    page_of,
    page_url,
    slug_parameter,
    source_pages,
)
from .documents import DocumentSummary, document_summary
from .starter_packs import StarterPackSummary, pack_summaries

industries_router = Router(tags=["industries"], auth=READER_AUTH)
regions_router = Router(tags=["regions"], auth=READER_AUTH)


class IndustrySummary(Schema):
    slug: str
    title: str
    industry: TermSchema
    starter_packs: list[StarterPackSummary]
    html_url: str | None


class Offering(Schema):
    name: str
    description: str


class Faq(Schema):
    question: str
    answer: str = Field(..., description="HTML")


class SuccessStory(Schema):
    customer: str
    story: str = Field(..., description="HTML")


class IndustryDetail(IndustrySummary):
    intro: str = Field(..., description="HTML")
    offerings: list[Offering]
    faq: list[Faq]
    success_stories: list[SuccessStory]


class IndustryList(Schema):
    count: int
    limit: int
    offset: int
    items: list[IndustrySummary]


class RegionTermSchema(TermSchema):
    #: ISO 3166-1 alpha-2 for countries, empty for wider regions.
    country_code: str


class RegionSummary(Schema):
    slug: str
    title: str
    region: RegionTermSchema
    #: How many documents filed under the region this caller may see.
    document_count: int
    html_url: str | None


class RegionDetail(RegionSummary):
    intro: str = Field(..., description="HTML")
    body: str = Field(..., description="HTML")
    documents: list[DocumentSummary]


class RegionList(Schema):
    count: int
    limit: int
    offset: int
    items: list[RegionSummary]


def _industries(request, pages: list[IndustryPage]) -> list[tuple[IndustryPage, dict]]:
    """Each industry page in the caller's language with its summary's fields, in a fixed number
    of queries whatever the number of pages and packs."""
    children = Q(pk__in=[])
    for page in pages:
        children |= Q(path__startswith=page.path, depth=page.depth + 1)
    packs = list(source_pages(StarterPackPage).filter(children).order_by("path"))
    summaries = dict(zip((pack.pk for pack in packs), pack_summaries(request, packs), strict=True))
    localize = Localizer([*pages, *(page.industry for page in pages)])
    shown = []
    for page in pages:
        display = localize(page)
        industry = localize(page.industry)
        shown.append(
            (
                display,
                dict(
                    slug=page.slug,
                    title=display.title,
                    industry=TermSchema(slug=industry.slug, name=industry.name),
                    starter_packs=[
                        summaries[pack.pk]
                        for pack in packs
                        if pack.path[: -Page.steplen] == page.path
                    ],
                    html_url=page_url(request, display),
                ),
            )
        )
    return shown


def _blocks(body, block_type: str) -> list:
    return [block.value for block in body if block.block_type == block_type]


@industries_router.get(
    "/", response=IndustryList, operation_id="industries_list", summary="List industries"
)
def list_industries(request, query: Query[PageListQuery]):
    reject_unknown_parameters(request, LIST_PARAMETERS)
    activate_locale(request)
    queryset = source_pages(IndustryPage).select_related("industry").order_by("title", "pk")
    return IndustryList(
        **page_of(queryset, query, lambda pages: [s for _p, s in _industries(request, pages)])
    )


@industries_router.get(
    "/{slug}/",
    response=IndustryDetail,
    operation_id="industries_detail",
    summary="An industry: offerings, FAQ, success stories and starter packs",
)
def industry_detail(
    request,
    slug: str = slug_parameter("financial-services"),
    locale: str | None = locale_parameter(),
):
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    page = (
        source_pages(IndustryPage).filter(slug=slug).select_related("industry").order_by("path")
    ).first()
    if page is None:
        raise Http404("No such industry.")
    display, summary = _industries(request, [page])[0]
    body = display.body
    return IndustryDetail(
        **summary,
        intro=display_html(display.intro),
        offerings=[
            Offering(name=value["name"], description=value["description"])
            for value in _blocks(body, "offering")
        ],
        faq=[
            Faq(question=value["question"], answer=display_html(value["answer"].source))
            for value in _blocks(body, "faq")
        ],
        success_stories=[
            SuccessStory(customer=value["customer"], story=display_html(value["story"].source))
            for value in _blocks(body, "success_story")
        ],
    )


def _regions(request, pages: list[RegionPage]) -> list[tuple[RegionPage, dict]]:
    counts = dict(
        described_source_documents(request.user)
        .filter(regions__in=[page.region_id for page in pages])
        .values("regions")
        .annotate(n=Count("pk", distinct=True))
        .values_list("regions", "n")
    )
    localize = Localizer([*pages, *(page.region for page in pages)])
    shown = []
    for page in pages:
        display = localize(page)
        region = localize(page.region)
        shown.append(
            (
                display,
                dict(
                    slug=page.slug,
                    title=display.title,
                    region=RegionTermSchema(
                        slug=region.slug, name=region.name, country_code=region.country_code
                    ),
                    document_count=counts.get(page.region_id, 0),
                    html_url=page_url(request, display),
                ),
            )
        )
    return shown


@regions_router.get("/", response=RegionList, operation_id="regions_list", summary="List regions")
def list_regions(request, query: Query[PageListQuery]):
    reject_unknown_parameters(request, LIST_PARAMETERS)
    activate_locale(request)
    queryset = source_pages(RegionPage).select_related("region").order_by("title", "pk")
    return RegionList(
        **page_of(queryset, query, lambda pages: [s for _p, s in _regions(request, pages)])
    )


@regions_router.get(
    "/{slug}/",
    response=RegionDetail,
    operation_id="regions_detail",
    summary="A region with the documents filed under it",
)
def region_detail(
    request, slug: str = slug_parameter("germany"), locale: str | None = locale_parameter()
):
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    page = (
        source_pages(RegionPage).filter(slug=slug).select_related("region").order_by("path")
    ).first()
    if page is None:
        raise Http404("No such region.")
    display, summary = _regions(request, [page])[0]
    cards = region_documents(request, page.region)
    return RegionDetail(
        **summary,
        intro=display_html(display.intro),
        body=display_html(display.body),
        documents=[document_summary(card, request) for card in cards],
    )
