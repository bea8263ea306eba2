"""Starter packs in the API: the editor's ordered documents minus what the caller may not see,
and the pack's ZIP archive when the caller may download at least one of its files."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from wagtail.models import Page

from cms.access import policy
from cms.api.common import READER_AUTH, TermSchema, activate_locale, reject_unknown_parameters
from cms.i18n import Localizer, default_locale, localized
from cms.models import DocumentVersion, IndustryPage, StarterPackItem, StarterPackPage
from search.cards import source_documents, starter_pack_documents

from .content_pages import (
    LIST_PARAMETERS,
    SLUG_PATTERN,
    PageListQuery,
    display_html,
    locale_parameter,
    page_of,
    page_url,
    slug_parameter,
    source_pages,
)
from .documents import DocumentSummary, document_summary

router = Router(tags=["starter packs"], auth=READER_AUTH)


class StarterPackSummary(Schema):
    slug: str
    title: str
    kind: str = Field(..., description="evaluation, assessment or audit")
    kind_label: str
    #: The industry whose page holds the pack.
    industry: TermSchema | None
    #: How many of the pack's documents this caller may see.
    document_count: int
    #: The pack as one ZIP of the files this caller may download; null when there is none.
    download_url: str | None
    html_url: str | None


class StarterPackDetail(StarterPackSummary):
    intro: str = Field(..., description="HTML")
    #: In the editor's order, without the documents this caller may not see.
    documents: list[DocumentSummary]


class StarterPackList(Schema):
    count: int
    limit: int
    offset: int
    items: list[StarterPackSummary]


INDUSTRY = "The slug of an industry: only its packs"


class StarterPackQuery(PageListQuery):
    industry: str | None = Field(None, max_length=120, pattern=SLUG_PATTERN, description=INDUSTRY)


def _industry_pages(packs) -> dict[str, IndustryPage]:
    """``{pack path: the industry page holding it}`` in one query."""
    parent_paths = {pack.path[: -Page.steplen] for pack in packs}
    parents = IndustryPage.objects.filter(path__in=parent_paths).select_related("industry")
    by_path = {parent.path: parent for parent in parents}
    return {
        pack.path: by_path[pack.path[: -Page.steplen]]
        for pack in packs
        if pack.path[: -Page.steplen] in by_path
    }


def _contents(user, packs) -> tuple[dict[int, list[int]], set[int]]:
    """``({pack pk: pks of the documents user may see}, {pks of those user may download})``,
    decided by the policy in a fixed number of queries whatever the number of packs."""
    rows = StarterPackItem.objects.filter(
        page__in=[pack.pk for pack in packs], document__in=source_documents(user).values("pk")
    ).values_list("page_id", "document_id")
    visible: dict[int, list[int]] = {pack.pk: [] for pack in packs}
    for pack_pk, document_pk in rows:
        visible[pack_pk].append(document_pk)
    current = DocumentVersion.objects.filter(
        document_id__in={pk for pks in visible.values() for pk in pks},
        pk__in=DocumentVersion.current_ids_subquery(),
    )
    downloadable = set(
        policy.downloadable_versions(user, current).values_list("document_id", flat=True)
    )
    return visible, downloadable


def pack_summaries(request, packs: list[StarterPackPage]) -> list[StarterPackSummary]:
    """What the API says about each of ``packs`` (source-locale pages) to this caller, in the
    caller's language."""
    industries = _industry_pages(packs)
    visible, downloadable = _contents(request.user, packs)
    localize = Localizer([*packs, *(page.industry for page in industries.values())])
    summaries = []
    for pack in packs:
        shown = localize(pack)
        industry_page = industries.get(pack.path)
        industry = localize(industry_page.industry) if industry_page else None
        may_download = any(pk in downloadable for pk in visible[pack.pk])
        archive = reverse("portal:pack_archive", args=[pack.pk]) if may_download else None
        summaries.append(
            StarterPackSummary(
                slug=pack.slug,
                title=shown.title,
                kind=pack.kind,
                kind_label=str(pack.get_kind_display()),
                industry=TermSchema(slug=industry.slug, name=industry.name) if industry else None,
                document_count=len(visible[pack.pk]),
                download_url=request.build_absolute_uri(archive) if archive else None,
                html_url=page_url(request, shown),
            )
        )
    return summaries


def packs_of_industry(queryset, industry_slug: str):
    """Narrow a StarterPackPage queryset to the packs held by that industry's pages."""
    holders = IndustryPage.objects.filter(
        locale=default_locale(), industry__slug=industry_slug
    ).values_list("path", "depth")
    condition = Q(pk__in=[])
    for path, depth in holders:
        condition |= Q(path__startswith=path, depth=depth + 1)
    return queryset.filter(condition)


@router.get(
    "/",
    response=StarterPackList,
    operation_id="starter_packs_list",
    summary="List starter packs",
)
def list_starter_packs(request, query: Query[StarterPackQuery]):
    """Starter packs in the order of the site's tree (industry by industry, as editors arranged
    them), with how many of their documents the caller may see."""
    reject_unknown_parameters(request, LIST_PARAMETERS | {"industry"})
    activate_locale(request)
    queryset = source_pages(StarterPackPage).order_by("path")
    if query.industry is not None:
        queryset = packs_of_industry(queryset, query.industry)
    return StarterPackList(**page_of(queryset, query, lambda packs: pack_summaries(request, packs)))


@router.get(
    "/{slug}/",
    response=StarterPackDetail,
    operation_id="starter_packs_detail",
    summary="A starter pack with its documents",
)
def starter_pack_detail(
    request,
    slug: str = slug_parameter("audit-starter-pack"),
    industry: str | None = Query(None, max_length=120, pattern=SLUG_PATTERN, description=INDUSTRY),
    locale: str | None = locale_parameter(),
):
    """The pack's documents in the editor's order, minus those the caller may not see. Packs of
    different industries may share a slug: then ``industry`` says which one is meant."""
    reject_unknown_parameters(request, {"locale", "industry"})
    activate_locale(request)
    queryset = source_pages(StarterPackPage).filter(slug=slug).order_by("path")
    if industry is not None:
        queryset = packs_of_industry(queryset, industry)
    candidates = list(queryset[:2])
    if not candidates:
        raise Http404("No such starter pack.")
    if len(candidates) > 1:
        holders = _industry_pages(list(queryset))
        slugs = sorted({page.industry.slug for page in holders.values()})
        raise HttpError(
            400,
            f"Several starter packs have the slug {slug!r}: add ?industry= with one of "
            f"{', '.join(slugs)}.",
        )
    pack = candidates[0]
    cards = starter_pack_documents(request, pack)
    return StarterPackDetail(
        **pack_summaries(request, [pack])[0].dict(),
        intro=display_html(localized(pack).intro),
        documents=[document_summary(card, request) for card in cards],
    )
