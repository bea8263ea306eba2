"""Trust documents in the API: the same filters, access rules and query counts as the site."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from cms.access import policy
from cms.api.common import (
    MAX_LIMIT,
    READER_AUTH,
    Answer,
    PathId,
    TermSchema,
    activate_locale,
    reject_unknown_parameters,
)
from cms.delivery import serving
from cms.delivery.links import link_lifetime_seconds, signed_download_url
from cms.i18n import Localizer
from cms.models import DocumentVersion
from search.cards import DocumentCard, build_cards, get_document_for_reader
from search.listing import find_documents
from search.query import FILTERS, selected_filters
from search.query import DocumentQuery as ListingQuery

router = Router(tags=["trust documents"], auth=READER_AUTH)
LIST_PARAMETERS = {
    *FILTERS,
    *("q", "section", "updated_from", "updated_to", "sort", "limit", "offset", "locale"),
}


class VersionSummary(Answer):
    id: int
    label: str
    published_on: date
    change: str


class DocumentSummary(Answer):
    slug: str
    title: str
    summary: str
    category: TermSchema
    section: str
    standards: list[TermSchema]
    services: list[TermSchema]
    access_level: str
    #: Why this caller cannot download it: sign_in, organization, nda, restricted; null if they can.
    locked: str | None
    current_version: VersionSummary | None
    html_url: str


class DocumentPage(Answer):
    count: int
    limit: int
    offset: int
    items: list[DocumentSummary]
    #: For each filter, how many documents each term would give with the other filters applied.
    facets: dict[str, dict[str, int]]


class FileSchema(Answer):
    language: str
    name: str
    size: int
    sha256: str


class VersionDetail(VersionSummary):
    current: bool
    available: bool
    files: list[FileSchema]


class DocumentDetail(DocumentSummary):
    regions: list[TermSchema]
    industries: list[TermSchema]
    audit_period_start: date | None
    audit_period_end: date | None
    versions: list[VersionDetail]


class DocumentQuery(Schema):
    """The list's query parameters (several values of one filter widen, different ones narrow)."""

    q: str = Field(
        "",
        max_length=200,
        description="Words to find in titles, summaries, taxonomy and file text, in any "
        'language; "quoted phrase", word1 or word2, -excluded',
    )
    service: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)
    industry: list[str] = Field(default_factory=list)
    standard: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list, description="Document language, e.g. de")
    section: Literal["audit-reports", "data-protection", "blueprints"] | None = None
    updated_from: date | None = Field(None, description="Newest version published on or after")
    updated_to: date | None = Field(None, description="Newest version published on or before")
    sort: Literal["relevance", "title", "date"] = Field(
        "relevance", description="relevance (title order when there are no words), title, date"
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)
    locale: str | None = Field(None, description="Language of the answer, e.g. de")


class DownloadLink(Answer):
    url: str
    expires_in_seconds: int


def localized_terms(terms) -> list:
    """Taxonomy terms in the active language (one query per model, whatever their number)."""
    terms = list(terms)
    localize = Localizer(terms)
    return [localize(t) for t in terms]


# The answer is built of plain dicts and validated once, as a whole, by the response schema:
# a schema instance per term and version cost more than the rest of a page of 50.


def _terms(terms) -> list[dict]:
    return [{"slug": t.slug, "name": t.name} for t in terms]


def _version(version) -> dict:
    return {
        "id": version.pk,
        "label": version.version_label,
        "published_on": version.published_on,
        "change": version.display_change,
    }


def document_summary(card: DocumentCard, request) -> dict:
    current = card.current_version
    return dict(
        slug=card.document.slug,
        title=card.title,
        summary=card.summary,
        category={"slug": card.document.category.slug, "name": card.category.name},
        section=card.document.category.section,
        standards=_terms(card.standards),
        services=_terms(card.services),
        access_level=card.access_level,
        locked=card.lock or None,
        current_version=_version(current) if current else None,
        html_url=request.build_absolute_uri(card.url),
    )


@router.get(
    "/", response=DocumentPage, operation_id="trust_documents_list", summary="List trust documents"
)
def list_documents(request, query: Query[DocumentQuery]):
    """Documents the caller may see, filtered like the site's search: several values of one
    filter widen (OR), different filters narrow (AND)."""
    reject_unknown_parameters(request, LIST_PARAMETERS)
    activate_locale(request)
    limit, offset = query.limit, query.offset
    if query.updated_from and query.updated_to and query.updated_from > query.updated_to:
        raise HttpError(400, "updated_from must not be after updated_to.")
    wanted = ListingQuery(
        text=query.q,
        filters=selected_filters(request.GET),
        updated_from=query.updated_from,
        updated_to=query.updated_to,
        sort=query.sort,
    )
    results, facets = find_documents(request.user, wanted, query.section)
    count = results.count()
    documents = list(results[offset : offset + limit])
    cards = build_cards(request.user, documents)
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [document_summary(c, request) for c in cards],
        "facets": facets,
    }


@router.get(
    "/{slug}/",
    response=DocumentDetail,
    operation_id="trust_documents_detail",
    summary="A trust document with all its versions",
)
def document_detail(
    request, slug: str = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", examples=["soc-2-type-2"])
):
    reject_unknown_parameters(request, {"locale"})
    activate_locale(request)
    document = get_document_for_reader(request, slug)
    if document is None:
        raise Http404("No such document.")
    card = build_cards(request.user, [document])[0]
    current = card.current_version
    versions = []
    for version in card.versions:
        available = policy.version_available(version, current.pk if current else None)
        files = (
            []
            if card.title_only
            else [
                {"language": f.language, "name": f.display_name, "size": f.size, "sha256": f.sha256}
                for f in version.files.all()
            ]
        )
        versions.append(
            {**_version(version), "current": version is current, "available": available}
            | {"files": files}
        )
    return {
        **document_summary(card, request),
        # A listed restricted document shows those not entitled its title and category only.
        "regions": [] if card.title_only else _terms(localized_terms(document.regions.all())),
        "industries": (
            [] if card.title_only else _terms(localized_terms(document.industries.all()))
        ),
        "audit_period_start": document.audit_period_start,
        "audit_period_end": document.audit_period_end,
        "versions": versions,
    }


@router.post(
    "/versions/{id:version_id}/download-link/",
    response=DownloadLink,
    operation_id="trust_documents_download_link",
    summary="A signed download link for one version, valid for this caller only",
)
def download_link(request, version_id: int = PathId, language: str = "en"):
    reject_unknown_parameters(request, {"language"})
    version = DocumentVersion.objects.select_related("document").filter(pk=version_id).first()
    decision = (
        policy.can_download(request.user, version)
        if version
        else policy.Decision(False, "not_found")
    )
    if not decision:
        # Refusing the link is refusing the download: audited the same way, whatever the status.
        serving.record_denial(request, version, decision.reason, step="link")
    if decision.reason in {"not_found", "expired"}:
        raise Http404("No such version.")
    if not decision:
        raise HttpError(403, f"Download not allowed: {decision.reason}.")
    url = request.build_absolute_uri(signed_download_url(version.pk, language, request.user))
    return DownloadLink(url=url, expires_in_seconds=link_lifetime_seconds())
