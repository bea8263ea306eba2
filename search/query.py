"""What a reader asks of a document listing (words, filters, dates, an order) and how the
database narrows and orders documents by it: the part of a listing every surface and both search
backends share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cms.i18n import default_locale
from cms.models import (
    AccessLevel,
    Category,
    Industry,
    Region,
    Service,
    Standard,
    TrustDocument,
)
from cms.models.documents import UPDATED_ORDER

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

#: The filters that ask of a document only what a reader sees of every document it lists: its
#: category. The others (terms, language, dates) ask what only its description shows: a listed
#: restricted document described to a reader by its title alone never matches them, counts in
#: their facets or is placed by its date for that reader (``ReadingRights.described``).
TITLE_ONLY_FILTERS = frozenset({"category"})


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
    listing names them, ``unreadable_dates``; the API validates them itself and answers 422)."""
    sort = params.get("sort", "relevance")
    return DocumentQuery(
        text=params.get("q", "")[:MAX_QUERY_LENGTH],
        filters=selected_filters(params),
        updated_from=_date_or_none(params.get("updated_from")),
        updated_to=_date_or_none(params.get("updated_to")),
        sort=sort if sort in SORTS else "relevance",
    )


def unreadable_dates(params) -> list[str]:
    """The values of the date parameters given but not ISO dates (``YYYY-MM-DD``, what
    ``<input type="date">`` sends), which ``query_from_params`` ignores: the page tells the
    reader rather than silently listing more than asked."""
    given = (params.get(name) for name in ("updated_from", "updated_to"))
    return [value for value in given if value and _date_or_none(value) is None]


def _date_or_none(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def selected_filters(params) -> dict[str, list[str]]:
    """The filter values asked for: at most 20 per filter, each a plausible slug (a NUL byte or a
    page of text is no slug, and PostgreSQL refuses NUL in a query parameter)."""
    selected = {}
    for name in FILTERS:
        values = [v for v in params.getlist(name) if v and len(v) <= 120 and "\x00" not in v][:20]
        if values:
            selected[name] = values
    return selected


def in_listing(queryset: QuerySet, section: str | None = None) -> QuerySet:
    """``queryset`` narrowed to what a listing of ``section`` (every section when None) holds:
    documents of the source language."""
    queryset = queryset.filter(locale=default_locale())
    return queryset.filter(category__section=section) if section else queryset


def apply_filters(queryset: QuerySet, query: DocumentQuery, backend, rights=None) -> QuerySet:
    """Documents of ``queryset`` matching every part of ``query``; its words, if any, are
    matched by the search ``backend`` in what the reader may read (``rights``, a
    ``cms.access.policy.ReadingRights``), and so are its filters but the category. ``rights``
    may be None where every document of ``queryset`` is described to the reader (and then
    ``backend`` too, for a query without words)."""
    if rights is not None and asks_description(query):
        queryset = queryset.filter(rights.describes)
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
        queryset = backend.filter_documents(queryset, query.text, rights)
    return queryset


def asks_description(query: DocumentQuery) -> bool:
    """Whether ``query`` filters by something a title-only document does not show."""
    return bool(set(query.filters) - TITLE_ONLY_FILTERS or query.updated_from or query.updated_to)


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


def order_documents(queryset: QuerySet, query: DocumentQuery, backend, rights=None) -> QuerySet:
    sort = query.effective_sort
    if sort == "date":
        return newest_first(queryset, rights)
    if sort == "relevance":
        return backend.rank(queryset, query.text, rights)
    return queryset.order_by("title", "pk")


def newest_first(queryset: QuerySet, rights=None) -> QuerySet:
    """Documents by the publish date of their newest live version (what readers call updated).
    With ``rights``, documents not described to the reader come last, as if undated: where
    one stands among dated ones would tell its date."""
    if rights is None:
        return queryset.order_by(UPDATED_ORDER.desc(), "pk")
    dated = Case(
        When(Q(access_level=AccessLevel.RESTRICTED) & ~rights.describes, then=None),
        default=UPDATED_ORDER,
    )
    return queryset.order_by(Coalesce(dated, Value(date.min)).desc(), "pk")
