"""Facet counts of document listings, answered by the database.

For every filter: how many documents each of its values would give, under the access policy and
all the *other* parts of the reader's query (several values of one filter widen, so a filter's
own choice must not narrow its counts). Two things keep this cheap at 100,000 documents:

* **One statement for every filter.** A query needs a few sets of documents: those matching
  everything, and for each *active* filter those matching everything but it. Each set is a
  materialized CTE, computed once (the text match, the access subqueries and the filters are not
  re-run per facet), and every facet counts its values over one of them.
* **What is described alike to everyone is counted once per content generation.** What a reader
  sees is the disjoint union of the documents that are not restricted (described to every
  reader alike; with words, readable alike by readers of the same levels) and the restricted
  ones they see (listed ones, by their title and category unless they are entitled, and those
  they are entitled to), so counts over the two add up. The first part is memoized in the cache
  under the listing generation, which every content change bumps in its own transaction
  (``search/signals.py``); the second is counted per request, when there is any.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import weakref
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, QuerySet, Value

from cms.access import policy
from cms.database import fetch_value
from cms.i18n import active_locale
from cms.models import AccessLevel, Section
from search.query import (
    FILTERS,
    TITLE_ONLY_FILTERS,
    DocumentQuery,
    LinkTable,
    apply_filters,
    in_listing,
)
from workflows.jobs import enqueue, inline

from .models import ListingGeneration

logger = logging.getLogger(__name__)

#: Set when the counts do not depend on the filter (the facet of an inactive filter).
ALL_FILTERS = ""


@dataclass(frozen=True)
class FacetCounts:
    """How many documents match the whole query, and ``{filter: {value: count}}``."""

    total: int = 0
    by_filter: dict[str, dict[str, int]] = field(default_factory=dict)

    def __add__(self, other: FacetCounts) -> FacetCounts:
        merged = {name: dict(values) for name, values in self.by_filter.items()}
        for name, values in other.by_filter.items():
            into = merged.setdefault(name, {})
            for value, n in values.items():
                into[value] = into.get(value, 0) + n
        return FacetCounts(self.total + other.total, merged)


def listing_facets(user, query: DocumentQuery, section: str | None, backend) -> FacetCounts:
    """Counts for ``user``'s listing of ``section`` (all sections when None); the database
    ``backend`` matches the words, in what ``user`` may read of each document."""
    # Documents that are not restricted are described alike to every reader (and with words
    # readable alike by readers of the same levels); listed restricted ones are described by
    # their title and category alike to every reader not entitled to them. Both are counted
    # once for all such readers (memoized); a reader entitled to restricted documents has
    # those counted for them alone, under their own rights.
    words = bool(query.text.strip())
    rights, levels = policy.unrestricted_reading_rights(user) if words else (None, ())
    counts = _memoized("described", query, section, backend, rights, levels)
    if in_listing(policy.entitled_restricted_documents(user), section).exists():
        restricted = in_listing(
            policy.visible_documents(user).filter(access_level=AccessLevel.RESTRICTED), section
        )
        return counts + count_facets(restricted, query, backend, policy.reading_rights(user))
    return counts + _memoized("title-only", query, section, backend, policy.title_only_rights())


def count_facets(base: QuerySet, query: DocumentQuery, backend, rights=None) -> FacetCounts:
    """Counts over the documents of ``base`` (already access-checked), in one statement; words
    and filters are matched in what ``rights`` let the reader read, and a document described
    to the reader by its title alone counts in the category's facet only (None: every
    document of ``base`` is described to the reader)."""
    sets = {ALL_FILTERS: apply_filters(base, query, backend, rights)}
    for name in query.filters:
        sets[name] = apply_filters(base, query.without(name), backend, rights)
    names = {key: f"facet_set_{i}" for i, key in enumerate(sets)}
    ctes, params = [], []
    for key, queryset in sets.items():
        sql, set_params = _set_sql(queryset, rights)
        ctes.append(
            f"{names[key]} (doc_id, category_slug, language, described) AS MATERIALIZED ({sql})"
        )
        params.extend(set_params)
    branches = [f"SELECT '', '', COUNT(*) FROM {names[ALL_FILTERS]}"]
    for name, (lookup, _model, _label) in FILTERS.items():
        over = names[name if name in query.filters else ALL_FILTERS]
        branches.append(_branch_sql(name, lookup, over))
    statement = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    by_filter: dict[str, dict[str, int]] = {name: {} for name in FILTERS}
    total = 0
    for name, value, n in rows:
        if not name:
            total = n
        elif value:
            by_filter[name][value] = n
    return FacetCounts(total, by_filter)


def _set_sql(queryset: QuerySet, rights=None) -> tuple[str, tuple]:
    """The SQL of one set: ``(document id, category slug, language, described)`` rows."""
    described = (
        Value(True)
        if rights is None
        else ExpressionWrapper(rights.describes, output_field=BooleanField())
    )
    rows = queryset.order_by().annotate(
        facet_category=F("category__slug"), facet_described=described
    )
    columns = ("pk", "facet_category", "language", "facet_described")
    try:
        return rows.values_list(*columns).query.sql_with_params()
    except EmptyResultSet:
        # A condition Django knows to match nothing (an empty ``IN``): an empty set.
        return "SELECT NULL, NULL, NULL, NULL WHERE 1 = 0", ()


def _branch_sql(name: str, lookup: str, over: str) -> str:
    """``(filter, value, count)`` rows of one facet, counted over the set named ``over``: of
    its documents described to the reader, unless the facet shows only what a title does."""
    field_name = lookup.split("__")[0]
    described = "" if name in TITLE_ONLY_FILTERS else f"WHERE {over}.described "
    if field_name in ("category", "language"):
        column = "category_slug" if field_name == "category" else "language"
        return f"SELECT '{name}', {column}, COUNT(*) FROM {over} {described}GROUP BY {column}"
    # Many-to-many terms: counted on the link table, one row per (document, term) pair. A
    # join, not ``IN (SELECT ...)``: a set's id is unique, and the planner, which knows a CTE's
    # size but not its distinct values, would otherwise probe the links once per document.
    link = LinkTable.of(lookup)
    return (
        f"SELECT '{name}', terms.{link.terms_slug}, COUNT(*) FROM {over} "
        f"INNER JOIN {link.table} links ON links.{link.document_column} = {over}.doc_id "
        f"INNER JOIN {link.terms_table} terms ON terms.{link.terms_key} = "
        f"links.{link.term_column} "
        f"{described}GROUP BY terms.{link.terms_slug}"
    )


# --- What everyone may see, memoized per content generation ---------------------------------


def _memoized(
    part: str, query: DocumentQuery, section: str | None, backend, rights=None, levels=()
) -> FacetCounts:
    """Counts over one of the parts of a listing that are the same for many readers:
    ``described``, the documents that are not restricted; ``title-only``, the listed restricted
    ones, under ``rights`` that describe none of them."""
    key = _cache_key(part, query, section, levels)
    counts = cache.get(key)
    if counts is None:
        base = policy.everyone_documents()
        if part == "described":
            base = base.exclude(access_level=AccessLevel.RESTRICTED)
        else:
            base = base.filter(access_level=AccessLevel.RESTRICTED)
        counts = count_facets(in_listing(base, section), query, backend, rights)
        if not bumped_in_this_transaction():
            cache.set(key, counts, settings.TRUSTPORTAL_FACET_CACHE_SECONDS)
    return counts


def bumped_in_this_transaction() -> bool:
    """Whether this thread's open transaction bumped the generation: what it counts includes
    rows that a rollback would take back (with the bump, so that the next commit's bump reuses
    the number), and must not be memoized under that number for other readers."""
    pending = getattr(_warming, "pending", None)
    callback = pending and pending()
    return callback is not None and not callback.done


def _cache_key(part: str, query: DocumentQuery, section: str | None, levels=()) -> str:
    described = {
        "part": part,
        "levels": list(levels),
        "generation": current_generation(),
        # Words are stemmed in the reader's language; counts without words are the same in all.
        "language": active_locale().language_code if query.text.strip() else None,
        "section": section,
        "text": query.text,
        "filters": {name: sorted(values) for name, values in sorted(query.filters.items())},
        "from": query.updated_from and query.updated_from.isoformat(),
        "to": query.updated_to and query.updated_to.isoformat(),
    }
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
    return f"trustportal:facets:v2:{digest}"


def current_generation(request=None) -> int:
    """The listing generation now. Read on every request the visitors' cache answers: in plain
    SQL (the ORM's query building cost more than the round trip) and standing in for the
    connection's health check (``cms.database``); for a member's API ``request``, read along
    with their token's lookup (``GENERATION_READ``)."""
    carried = getattr(request, "carried_reads", None) or {}
    value = carried.get(GENERATION_READ)
    return value if value is not None else fetch_value(GENERATION_SQL)


#: The name the generation is read along under (``cms.database.carry_along``), and its query.
GENERATION_READ = "listing_generation"
GENERATION_SQL = (
    f"SELECT COALESCE((SELECT value FROM {ListingGeneration._meta.db_table} WHERE id = 1), 0)"  # noqa: S608 - a table name of ours
)


def bump_generation() -> None:
    """In the caller's transaction: what is memoized so far no longer answers. Once the
    transaction commits, a worker counts the plain listings again, so the first reader after a
    publish does not wait for it (with inline jobs, that first reader counts them)."""
    if not ListingGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        ListingGeneration.objects.get_or_create(pk=1, defaults={"value": 1})
    # One job per transaction, however many rows it changed.
    pending = getattr(_warming, "pending", None)
    callback = pending and pending()
    if callback is None or callback.done:
        callback = WarmAfterCommit()
        _warming.pending = weakref.ref(callback)
        transaction.on_commit(callback)


#: This thread's weak reference to the warming callback its transaction holds, if any.
_warming = threading.local()


class WarmAfterCommit:
    """The on-commit callback that queues the warming job. Only Django's list of on-commit
    callbacks holds it: a rollback discards that list, so the weak reference ``bump_generation``
    keeps dies with it, and the next transaction registers a callback of its own."""

    def __init__(self):
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _enqueue_warming()


def _enqueue_warming() -> None:
    if inline():
        # No worker to count in the background: the writer would wait for what the next
        # reader counts on a miss as fast, once per write of a bulk change (a seed, an import).
        return
    try:
        enqueue(warm_listing_counts)
    except Exception:  # noqa: BLE001 — warming is an optimisation; readers count on a miss
        logger.warning("Could not enqueue the listing counts job", exc_info=True)


def warm_listing_counts() -> None:
    """Job: count what everyone sees on the plain listings (every section, no words, no
    filters) under the current generation. Idempotent: a second run finds them memoized."""
    for section in [None, *Section.values]:
        # No words: no search backend is asked.
        _memoized("described", DocumentQuery(), section, backend=None)
        _memoized("title-only", DocumentQuery(), section, None, policy.title_only_rights())
