"""Document listings for every reader surface: filtered, paginated, access-checked, localized.

The number of queries is fixed whatever the page size: one for the page of documents, one per
prefetched relation, one per model for translations, one for restricted entitlements.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from cms.access import AccessLevel, policy
from cms.downloads import signed_download_url
from cms.i18n import Localizer, default_locale
from cms.models import (
    Category,
    DocumentVersion,
    Industry,
    Region,
    Section,
    Service,
    Standard,
    TrustDocument,
)
from cms.models.documents import UPDATED_ORDER

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200

#: query parameter -> (lookup on TrustDocument, taxonomy model or None for the document's
#: language, label shown to readers)
FILTERS: dict[str, tuple[str, type | None, str]] = {
    "service": ("services__slug", Service, _("Cloud service")),
    "category": ("category__slug", Category, _("Category")),
    "region": ("regions__slug", Region, _("Region")),
    "industry": ("industries__slug", Industry, _("Industry")),
    "standard": ("standards__slug", Standard, _("Standard")),
    "language": ("language", None, _("Language")),
}
SORTS = ("relevance", "title", "date")


@dataclass(frozen=True)
class DocumentQuery:
    """What a reader asked of a listing: words, filters, a date range and an order."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: The document's newest live version was published in this range (inclusive).
    updated_from: date | None = None
    updated_to: date | None = None
    sort: str = "relevance"

    @property
    def effective_sort(self) -> str:
        # Relevance needs words; without them the reader gets the alphabetical list.
        return "title" if self.sort == "relevance" and not self.text.strip() else self.sort

    def without(self, name: str) -> DocumentQuery:
        """The same query minus one filter (what that filter's facet counts under)."""
        others = {k: v for k, v in self.filters.items() if k != name}
        return DocumentQuery(self.text, others, self.updated_from, self.updated_to, self.sort)


def query_from_params(params) -> DocumentQuery:
    """A reader's query from request parameters; malformed dates are ignored, not errors (the
    API validates them itself and answers 422)."""
    sort = params.get("sort", "relevance")
    return DocumentQuery(
        text=params.get("q", "")[:MAX_QUERY_LENGTH],
        filters=selected_filters(params),
        updated_from=_date_or_none(params.get("updated_from")),
        updated_to=_date_or_none(params.get("updated_to")),
        sort=sort if sort in SORTS else "relevance",
    )


def _date_or_none(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass
class DocumentCard:
    """What a reader surface shows of one document, in the reader's language."""

    document: TrustDocument
    display: TrustDocument
    category: Category
    standards: list = field(default_factory=list)
    services: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    lock: str = ""

    @property
    def current_version(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def title(self) -> str:
        return self.display.title

    @property
    def title_only(self) -> bool:
        """A listed restricted document shows only its title to those not entitled."""
        return self.document.access_level == AccessLevel.RESTRICTED and bool(self.lock)

    @property
    def summary(self) -> str:
        return "" if self.title_only else self.display.summary

    @property
    def url(self) -> str:
        return self.document.get_url()

    @property
    def access_level(self) -> str:
        return self.document.access_level

    @property
    def access_level_label(self) -> str:
        return self.document.get_access_level_display()


def source_documents(user) -> QuerySet:
    """Live source-language documents ``user`` may see."""
    return policy.visible_documents(user).filter(locale=default_locale())


def in_listing(queryset: QuerySet, section: str | None = None) -> QuerySet:
    """``queryset`` narrowed to what a listing of ``section`` (every section when None) holds:
    documents of the source language."""
    queryset = queryset.filter(locale=default_locale())
    return queryset.filter(category__section=section) if section else queryset


def with_display_relations(queryset: QuerySet, files: bool = False) -> QuerySet:
    """``queryset`` with what ``build_cards`` shows: the category and the live versions, newest
    first (with their ``files`` when the surface lists them: a document's own page)."""
    live_versions = DocumentVersion.objects.filter(live=True).order_by("-published_on", "-pk")
    if files:
        live_versions = live_versions.prefetch_related("files")
    return queryset.select_related("category").prefetch_related(
        Prefetch("versions", queryset=live_versions, to_attr="live_versions")
    )


def terms_by_document(relation: str, documents: list[TrustDocument]) -> dict[int, list]:
    """``{document pk: [terms]}`` of the many-to-many ``relation`` (``standards``, say), in the
    terms' order: the link table's pairs, then each term once, in two queries whatever the
    number of documents. Not the relation's prefetch: that builds a modelcluster manager per
    document and a term instance per link, which cost more than the queries."""
    field = TrustDocument._meta.get_field(relation)
    through = field.remote_field.through._meta
    document_column = through.get_field(field.m2m_field_name()).attname
    term_column = through.get_field(field.m2m_reverse_field_name()).attname
    pairs = list(
        through.model.objects.filter(
            **{f"{document_column}__in": [d.pk for d in documents]}
        ).values_list(document_column, term_column)
    )
    # In the terms' own order (their Meta.ordering), each term once.
    terms = list(field.related_model.objects.filter(pk__in={term for _doc, term in pairs}))
    position = {term.pk: i for i, term in enumerate(terms)}
    found = {doc.pk: [] for doc in documents}
    for document, term in sorted(pairs, key=lambda pair: position[pair[1]]):
        found[document].append(terms[position[term]])
    return found


def build_cards(user, documents: list[TrustDocument]) -> list[DocumentCard]:
    standards = terms_by_document("standards", documents)
    services = terms_by_document("services", documents)
    localize = Localizer(
        [*documents, *(d.category for d in documents)]
        + [t for d in documents for t in (*standards[d.pk], *services[d.pk])]
        + [v for d in documents for v in d.live_versions]
    )
    locks = policy.lock_reasons(user, documents)
    cards = [
        DocumentCard(
            document=doc,
            display=localize(doc),
            category=localize(doc.category),
            standards=[localize(s) for s in standards[doc.pk]],
            services=[localize(s) for s in services[doc.pk]],
            versions=doc.live_versions,
            lock=locks.get(doc.pk, ""),
        )
        for doc in documents
    ]
    for card in cards:
        # Versions stay the source rows (their ids and files are what downloads use); only the
        # description of what changed is shown in the reader's language, and not at all with a
        # listed restricted document's title alone.
        for version in card.versions:
            version.display_change = "" if card.title_only else localize(version).change_description
    return cards


def selected_filters(params) -> dict[str, list[str]]:
    """The filter values asked for: at most 20 per filter, each a plausible slug (a NUL byte or a
    page of text is no slug, and PostgreSQL refuses NUL in a query parameter)."""
    selected = {}
    for name in FILTERS:
        values = [v for v in params.getlist(name) if v and len(v) <= 120 and "\x00" not in v][:20]
        if values:
            selected[name] = values
    return selected


def apply_filters(queryset: QuerySet, query: DocumentQuery, backend=None) -> QuerySet:
    """Documents of ``queryset`` matching every part of ``query`` (words matched by ``backend``,
    by default the configured search backend)."""
    # Several values of one filter widen (OR); different filters narrow (AND).
    linked = []
    for name, values in query.filters.items():
        lookup = FILTERS[name][0]
        if TrustDocument._meta.get_field(lookup.split("__")[0]).many_to_many:
            linked.append((LinkTable.of(lookup), values))
        else:
            queryset = queryset.filter(**{f"{lookup}__in": values})
    if linked:
        queryset = queryset.filter(pk__in=_linked_documents(linked))
    if query.updated_from:
        queryset = queryset.filter(updated_on__gte=query.updated_from)
    if query.updated_to:
        queryset = queryset.filter(updated_on__lte=query.updated_to)
    if query.text.strip():
        # The core asks the search service; it never imports a plugin, and search/ is core.
        queryset = (backend or _configured_backend()).filter_documents(queryset, query.text)
    return queryset


@dataclass(frozen=True)
class LinkTable:
    """A many-to-many filter's link table and its terms' table, by their SQL names."""

    table: str
    document_column: str
    term_column: str
    terms_table: str
    terms_key: str
    terms_slug: str

    @classmethod
    def of(cls, lookup: str) -> LinkTable:
        """For a filter lookup such as ``services__slug``."""
        qn = connection.ops.quote_name
        relation = TrustDocument._meta.get_field(lookup.split("__")[0])
        through = relation.remote_field.through._meta
        terms = relation.related_model._meta
        return cls(
            table=qn(through.db_table),
            document_column=qn(through.get_field(relation.m2m_field_name()).column),
            term_column=qn(through.get_field(relation.m2m_reverse_field_name()).column),
            terms_table=qn(terms.db_table),
            terms_key=qn(terms.pk.column),
            terms_slug=qn(terms.get_field(lookup.split("__", 1)[1]).column),
        )


def _linked_documents(linked: list[tuple[LinkTable, list[str]]]) -> RawSQL:
    """Ids of the documents having one of the values of every many-to-many filter: the link
    tables joined on the document, read alone (no join back to the documents, which the outer
    query has). Joined, not one ``IN`` per filter: the database then estimates how few
    documents remain, and checks the words of those only, not of every document one filter
    gives before the next narrows them."""
    froms, conditions, params = [], [], []
    first = f"link_0.{linked[0][0].document_column}"
    for i, (link, values) in enumerate(linked):
        alias = f"link_{i}"
        joined = f" ON {alias}.{link.document_column} = {first}" if i else ""
        froms.append(f"{link.table} {alias}{joined}")
        terms = (
            f"SELECT {link.terms_key} FROM {link.terms_table} "
            f"WHERE {link.terms_slug} IN ({', '.join(['%s'] * len(values))})"
        )
        conditions.append(f"{alias}.{link.term_column} IN ({terms})")
        params.extend(values)
    sql = f"SELECT {first} FROM {' INNER JOIN '.join(froms)} WHERE {' AND '.join(conditions)}"
    return RawSQL(sql, params)


def order_documents(queryset: QuerySet, query: DocumentQuery, backend=None) -> QuerySet:
    sort = query.effective_sort
    if sort == "date":
        return newest_first(queryset)
    if sort == "relevance":
        return (backend or _configured_backend()).rank(queryset, query.text)
    return queryset.order_by("title", "pk")


def _configured_backend():
    from search.backends import get_backend

    return get_backend()


def filter_options(section: str | None = None) -> list[tuple[str, str, list]]:
    """``[(parameter, label, [(slug, localized name)])]`` for every filter."""
    terms = {}
    source_locale = default_locale()
    for name, (_lookup, model, _label) in FILTERS.items():
        if model is None:
            continue
        queryset = model.objects.filter(locale=source_locale)
        if model is Category and section:
            queryset = queryset.filter(section=section)
        terms[name] = list(queryset)
    localize = Localizer([t for values in terms.values() for t in values])
    languages = [(code, str(name)) for code, name in settings.LANGUAGES]
    return [
        (
            name,
            label,
            languages if model is None else [(t.slug, localize(t).name) for t in terms[name]],
        )
        for name, (_lookup, model, label) in FILTERS.items()
    ]


class CountedResults:
    """A listing's documents in order, sliced by pages like a queryset, with the count the facet
    statement already made (no second ``COUNT`` over the same documents)."""

    ordered = True

    def __init__(self, queryset: QuerySet, total: int):
        self.queryset = queryset
        self.total = total

    def count(self) -> int:
        return self.total

    __len__ = count

    def __getitem__(self, key):
        return self.queryset[key]

    def __iter__(self):
        return iter(self.queryset)


def find_documents(user, query: DocumentQuery, section: str | None = None):
    """``(results, facets)`` for a reader's query: ``results`` counts and slices like a queryset
    of source documents (with display relations), in the query's order.

    Searches with words go to the search engine when one is configured (it ranks, filters and
    counts facets in one request, the access policy inside its query); browsing, and every
    query when the engine is unreachable, is answered by the database.
    """
    from search.backends.database import DatabaseBackend
    from search.facets import listing_facets

    backend = _configured_backend()
    if query.text.strip() and hasattr(backend, "listing"):
        try:
            results = backend.listing(user, query, section)
            results.count()
            return results, results.facets
        except Exception:  # noqa: BLE001 — any engine failure: the database still answers
            logger.warning("Search engine unavailable; answering from the database", exc_info=True)
            backend = DatabaseBackend()
    visible = in_listing(policy.visible_documents(user), section)
    ordered = order_documents(apply_filters(visible, query, backend), query, backend)
    counts = listing_facets(user, query, section, backend)
    return CountedResults(with_display_relations(ordered), counts.total), counts.by_filter


def document_listing(request, section: str | None = None, page_size: int | None = None) -> dict:
    query = query_from_params(request.GET)
    results, facets = find_documents(request.user, query, section)
    page = Paginator(results, page_size or PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "documents": build_cards(request.user, list(page.object_list)),
        "page_obj": page,
        "filter_options": filter_options(section),
        "facet_counts": facets,
        "selected_filters": query.filters,
        "document_query": query,
        "query": query.text,
        "sort": query.effective_sort,
        "section": section,
        "sections": Section.choices,
    }


def newest_first(queryset: QuerySet) -> QuerySet:
    """Documents by the publish date of their newest live version (what readers call updated)."""
    return queryset.order_by(UPDATED_ORDER.desc(), "pk")


def recent_documents(request, limit: int = 6) -> list[DocumentCard]:
    queryset = with_display_relations(newest_first(source_documents(request.user)))
    return build_cards(request.user, list(queryset[:limit]))


def region_documents(request, region) -> list[DocumentCard]:
    queryset = source_documents(request.user).filter(regions=region).order_by("title", "pk")
    return build_cards(request.user, list(with_display_relations(queryset)))


def starter_pack_documents(request, pack) -> list[DocumentCard]:
    """The pack's documents in the editor's order, minus those the reader may not see."""
    order = list(pack.items.order_by("sort_order").values_list("document_id", flat=True))
    # With the files: a pack's archive takes each current version's file.
    visible = with_display_relations(
        source_documents(request.user).filter(pk__in=order), files=True
    )
    by_pk = {doc.pk: doc for doc in visible}
    return build_cards(request.user, [by_pk[pk] for pk in order if pk in by_pk])


def document_page_context(request, document: TrustDocument, preview: bool = False) -> dict:
    """Context of a document's page: its metadata and all its versions with their changes."""
    if preview:
        # Previews show the editor's unsaved state; versions come from the saved document.
        document.live_versions = (
            list(
                DocumentVersion.objects.filter(document_id=document.pk, live=True).prefetch_related(
                    "files"
                )
            )
            if document.pk
            else []
        )
        for version in document.live_versions:
            version.display_change = version.change_description
        card = DocumentCard(
            document=document,
            display=document,
            category=document.category,
            standards=list(document.standards.all()),
            services=list(document.services.all()),
            versions=document.live_versions,
        )
    else:
        card = build_cards(request.user, [document])[0]
    current = card.current_version
    return {
        "card": card,
        "document": card.display,
        "versions": [_version_row(request, card, v, current) for v in card.versions],
        "is_preview": preview,
        "nda_accept_url": policy.nda_accept_url(request) if card.lock == "nda" else None,
        "AccessLevel": AccessLevel,
    }


def _version_row(request, card: DocumentCard, version, current) -> dict:
    available = policy.version_available(version, current.pk if current else None)
    downloadable = available and not card.lock
    files = [
        {
            "file": version_file,
            "url": signed_download_url(version.pk, version_file.language, request.user)
            if downloadable and version.pk
            else None,
        }
        for version_file in version.files.all()
    ]
    return {
        "version": version,
        "is_current": version is current,
        "available": available,
        "files": files,
    }


def get_document_for_reader(request, slug: str) -> TrustDocument | None:
    """The source document with ``slug`` if the reader may see it (None, not 403, otherwise)."""
    queryset = source_documents(request.user).filter(slug=slug)
    return with_display_relations(queryset, files=True).first()
