"""Document listings for the reader site and the API: filtered, ordered, counted by facet,
paginated, access-checked and localized.

The number of queries is fixed whatever the page size (see ``search.cards``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet

from cms.access import policy
from cms.i18n import Localizer, default_locale
from cms.models import Category, Section

from . import backends
from .backends.database import DatabaseBackend
from .cards import build_cards, offer_row_downloads, with_display_relations
from .facets import listing_facets
from .query import (
    FILTERS,
    DocumentQuery,
    apply_filters,
    in_listing,
    order_documents,
    query_from_params,
    unreadable_dates,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 20


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
    backend = backends.get_backend()
    if query.text.strip():
        try:
            results = backend.listing(user, query, section)
            if results is not None:
                results.count()
                return results, results.facets
        except Exception:  # noqa: BLE001 — any engine failure: the database still answers
            logger.warning("Search engine unavailable; answering from the database", exc_info=True)
            backend = DatabaseBackend()
    visible = in_listing(policy.visible_documents(user), section)
    rights = policy.reading_rights(user)
    matching = apply_filters(visible, query, backend, rights)
    ordered = order_documents(matching, query, backend, rights)
    counts = listing_facets(user, query, section, backend)
    return CountedResults(with_display_relations(ordered), counts.total), counts.by_filter


def chosen_filters(options: list[tuple[str, str, list]], query: DocumentQuery) -> list[dict]:
    """The values a reader chose, in the filters' order, each with its label (the localized
    term's name; a value no term has any more, as typed) for the chips above the results."""
    chips = []
    for name, _label, choices in options:
        labels = dict(choices)
        chips += [
            {"name": name, "value": value, "label": labels.get(value, value)}
            for value in query.filters.get(name, [])
        ]
    return chips


# What "Clear all" keeps: the words searched, the result tab and the order, not the filters.
KEPT_BY_CLEAR_ALL = ("q", "tab", "sort")


def clear_filters_query(params) -> str:
    kept = params.copy()
    for name in list(kept):
        if name not in KEPT_BY_CLEAR_ALL:
            kept.pop(name)
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else "?"


def document_listing(request, section: str | None = None, page_size: int | None = None) -> dict:
    query = query_from_params(request.GET)
    results, facets = find_documents(request.user, query, section)
    page = Paginator(results, page_size or PAGE_SIZE).get_page(request.GET.get("page"))
    options = filter_options(section)
    chips = chosen_filters(options, query)
    return {
        "documents": offer_row_downloads(
            request, build_cards(request.user, list(page.object_list))
        ),
        "page_obj": page,
        "filter_options": options,
        "chosen_filters": chips,
        "chosen_filter_count": len(chips)
        + (query.updated_from is not None)
        + (query.updated_to is not None),
        "clear_filters_url": clear_filters_query(request.GET),
        "facet_counts": facets,
        "selected_filters": query.filters,
        "document_query": query,
        "unreadable_dates": unreadable_dates(request.GET),
        "query": query.text,
        "sort": query.effective_sort,
        "section": section,
        "sections": Section.choices,
    }
