"""Search in Elasticsearch (elasticsearch-dsl): faceted, per-locale, access-filtered in the query.

The access filter is part of every query, so documents a reader may not see never leave the
engine: not as hits, not in facet counts, not in highlights. Entitlements that live in the index
(organizations, groups) are matched there; per-user grants (approved access requests, access
rules of plugins) are looked up in the database and passed as document ids, since they change
without the document changing.

Nothing connects at import: the connection is created on the first query or indexing call.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from elasticsearch_dsl import A, Q, Search, connections

from cms.access import policy
from cms.access.policy import ReadingRights
from cms.i18n import active_locale, default_locale
from cms.models import TrustDocument, organization_of
from search.backends.base import SearchBackend
from search.backends.database import DatabaseBackend
from search.cards import source_documents, with_display_relations
from search.es_documents import (
    FILTER_FIELDS,
    analyzer_for,
    content_locales,
    document_class,
    index_name,
    localizer_for,
    to_es_document,
)
from search.query import FILTERS
from search.text_query import parse_query

CONNECTION_ALIAS = "trustportal"
#: Free text is searched in these fields (boosts say what a match is worth), per reading tier
#: (``cms.access.policy.reading_rights``): the title of whatever a reader sees; summary and
#: terms of what is described to them; the text of the files they may read.
TITLE_FIELDS = ["title^3"]
DESCRIBED_FIELDS = [*TITLE_FIELDS, "summary", "standard_names^2", "service_names", "category_name"]
TEXT_FIELDS = [*DESCRIBED_FIELDS, "file_text"]
MAX_VALUES_PER_FILTER = 20
MAX_LIMIT = 100
#: Elasticsearch's default max_result_window: deeper pages are refused by the engine.
MAX_WINDOW = 10_000
FACET_SIZE = 100
SORTS = {
    "relevance": ["_score", {"updated_on": {"order": "desc", "missing": "_last"}}],
    "date": [{"updated_on": {"order": "desc", "missing": "_last"}}, "_score"],
    "title": ["title.keyword", "_score"],
}
#: Filters a document described by its title alone still shows (``search.query``'s
#: ``TITLE_ONLY_FILTERS``, and the section its category belongs to).
TITLE_ONLY_FIELDS = frozenset({"category", "section"})
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"]}


def is_configured() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def get_connection():
    """The client, created on first use from ``ELASTICSEARCH_URL``."""
    try:
        return connections.get_connection(CONNECTION_ALIAS)
    except KeyError:
        # Bounded: a reader waits at most a few seconds before the database answers instead.
        return connections.create_connection(
            alias=CONNECTION_ALIAS,
            hosts=[settings.ELASTICSEARCH_URL],
            request_timeout=5,
            max_retries=1,
        )


def entitlements(user) -> tuple[int | None, list[int], list[int]]:
    """``(organization id, group ids, granted document ids)`` entitling ``user`` to restricted
    documents, as the access policy decides them; nothing for anonymous or inactive users."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return None, [], []
    organization = organization_of(user)
    return (
        organization.pk if organization is not None else None,
        sorted(user.groups.values_list("pk", flat=True)),
        policy.granted_document_ids(user),
    )


def _entitled(user) -> list[Q]:
    """Conditions of which any entitles ``user`` to a restricted document."""
    organization_id, group_ids, granted_ids = entitlements(user)
    entitled = []
    if organization_id is not None:
        entitled.append(Q("term", entitled_organizations=organization_id))
    if group_ids:
        entitled.append(Q("terms", entitled_groups=group_ids))
    if granted_ids:
        entitled.append(Q("terms", document_id=granted_ids))
    return entitled


def _any(conditions: list[Q]) -> Q:
    return Q("bool", should=conditions, minimum_should_match=1)


def access_filter(user) -> Q:
    """Documents whose title ``user`` may see (cms.access.policy.visible_documents)."""
    visible = [~Q("term", access_level="restricted"), Q("term", restricted_listed=True)]
    return Q(
        "bool",
        filter=[Q("term", live=True)],
        should=visible + _entitled(user),
        minimum_should_match=1,
    )


def described_filter(user) -> Q:
    """Documents whose summary and terms ``user`` may read (policy.described_documents)."""
    return _any([~Q("term", access_level="restricted"), *_entitled(user)])


def readable_filter(user) -> Q:
    """Documents whose files ``user`` may read (policy.readable_documents)."""
    levels = policy.Viewer.of(user).allowed_levels()
    readable = [Q("terms", access_level=sorted(levels - {"restricted"}))]
    entitled = _entitled(user)
    if "restricted" in levels and entitled:
        readable.append(Q("bool", filter=[Q("term", access_level="restricted"), _any(entitled)]))
    return _any(readable)


def reader_text_query(text: str, locale: str, user) -> Q | None:
    """The reader's words, matched in each document on what ``user`` may read of it: titles
    of all, summary and terms of the described, the file text of the readable. Each document
    is matched in its widest tier alone (an excluded word too), so neither hits nor their
    order nor the facet counts depend on words the reader may not read."""
    by_title = text_query(text, locale, TITLE_FIELDS)
    if by_title is None:
        return None
    described, readable = described_filter(user), readable_filter(user)
    return _any(
        [
            Q("bool", must=[by_title], must_not=[described]),
            Q(
                "bool",
                must=[text_query(text, locale, DESCRIBED_FIELDS)],
                filter=[described],
                must_not=[readable],
            ),
            Q("bool", must=[text_query(text, locale, TEXT_FIELDS)], filter=[readable]),
        ]
    )


def text_query(text: str, locale: str, fields: list[str] = TEXT_FIELDS) -> Q | None:
    """The reader's words as a ``simple_query_string`` over ``fields``, or None.

    The text is parsed by the same rules as the database backend (``search.text_index``):
    every word must match (in any field), "quoted" words are a phrase, ``or`` joins
    alternatives, ``-word`` excludes. Only quoted words reach the engine, with the operator
    flags alone enabled, so reader input can never be read as query syntax or fail.
    """
    groups, excluded, unspaced = parse_query(text)
    # The cjk analyzer indexes bigrams, so unspaced words are ordinary terms here.
    groups = groups + [[word] for word in unspaced]
    if not groups:
        return None

    def quoted(phrase: str) -> str:
        return '"' + phrase.replace('"', " ") + '"'

    parts = ["(" + " | ".join(quoted(p) for p in alternatives) + ")" for alternatives in groups]
    parts += [f"-{quoted(p)}" for p in excluded]
    return Q(
        "simple_query_string",
        query=" ".join(parts),
        fields=fields,
        default_operator="and",
        flags="AND|OR|NOT|PHRASE|WHITESPACE",
        analyzer=analyzer_for(locale),
    )


def clean_filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    cleaned = {}
    for name, values in (filters or {}).items():
        if name not in FILTER_FIELDS:
            # Callers validate parameters; an unknown name here is a bug, not a reader's typo.
            raise ValueError(f"Unknown search filter: {name!r}")
        values = [str(v) for v in values if v][:MAX_VALUES_PER_FILTER]
        if values:
            cleaned[name] = values
    return cleaned


def _filter_clauses(
    filters: dict[str, list[str]], described: Q, exclude: str | None = None
) -> list[Q]:
    # One terms clause per filter: values of one filter OR, different filters AND (bool filter).
    # A filter on what a title-only document does not show matches described documents only.
    return [
        _described_only(name, Q("terms", **{FILTER_FIELDS[name]: values}), described)
        for name, values in filters.items()
        if name != exclude
    ]


def _described_only(name: str, clause: Q, described: Q) -> Q:
    if name in TITLE_ONLY_FIELDS:
        return clause
    return Q("bool", filter=[clause, described])


class ElasticsearchBackend(SearchBackend):
    """Answers whole listings (``listing``: hits, total and facets in one request), plus
    faceted search for the API with ``build_search``."""

    name = "elasticsearch"

    def check_reachable(self) -> None:
        """Readiness: raise unless the cluster answers, quickly (a probe must not hang)."""
        client = get_connection().options(request_timeout=2, max_retries=0)
        if not client.ping():
            raise ConnectionError("Elasticsearch did not answer the ping")

    def build_search(
        self,
        user,
        text: str = "",
        filters: dict[str, list[str]] | None = None,
        locale: str = "en",
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        updated_from=None,
        updated_to=None,
    ) -> Search:
        filters = clean_filters(filters)
        described = described_filter(user)
        must = [q] if (q := reader_text_query(text, locale, user)) else []
        narrowing = [access_filter(user)]
        if updated_from or updated_to:
            bounds = {"gte": updated_from, "lte": updated_to}
            dates = Q("range", updated_on={k: v.isoformat() for k, v in bounds.items() if v})
            narrowing.append(Q("bool", filter=[dates, described]))
        query = Q("bool", must=must, filter=narrowing)
        search = Search(using=CONNECTION_ALIAS, index=index_name(locale)).query(query)
        # Active filters narrow the hits through post_filter, not the query, so that each facet
        # can count under all the other filters (the standard faceted-search pattern); the
        # access filter and the date range are in the query, so they apply to every facet.
        if filters:
            search = search.post_filter(Q("bool", filter=_filter_clauses(filters, described)))
        for name, field in FILTER_FIELDS.items():
            # Each facet counts under the other filters, of the documents whose value of it
            # the reader sees (a title-only document shows its category and nothing else).
            others = _filter_clauses(filters, described, exclude=name)
            if name not in TITLE_ONLY_FIELDS:
                others.append(described)
            facet = A("filter", Q("bool", filter=others) if others else Q("match_all"))
            facet.bucket("values", "terms", field=field, size=FACET_SIZE)
            search.aggs.bucket(name, facet)
        search = search.sort(*SORTS.get(sort, SORTS["relevance"]))
        search = search.highlight_options(encoder="html", **HIGHLIGHT_TAGS)
        # The title alone: a summary's fragments would show text to readers who may see the
        # title only (the highlighter reads the query's words, not which clause matched).
        search = search.highlight("title", number_of_fragments=0)
        # Entitlement lists are for the engine only: never sent back to callers.
        search = search.source(excludes=["entitled_organizations", "entitled_groups"])
        offset = min(max(int(offset), 0), MAX_WINDOW)
        limit = min(max(int(limit), 0), MAX_LIMIT, MAX_WINDOW - offset)
        return search[offset : offset + limit]

    def execute(self, search: Search):
        get_connection()
        return search.execute()

    @staticmethod
    def facet_counts(response) -> dict[str, dict[str, int]]:
        """``{filter name: {value: count}}`` from a response of ``build_search``."""
        aggregations = response.aggregations
        return {
            name: {b.key: b.doc_count for b in aggregations[name]["values"].buckets}
            for name in FILTER_FIELDS
            if name in aggregations
        }

    def listing(self, user, query, section: str | None = None) -> EngineResults:
        """``query`` (a ``search.query.DocumentQuery``) answered by the engine: hits in its
        order, total and facets, all under the access policy (in the query)."""
        return EngineResults(self, user, query, section, _active_language())

    def rank(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """Relevance order is the engine's (``listing``); a queryset is ranked by the database."""
        return DatabaseBackend().rank(queryset, text, rights)

    def filter_documents(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """A queryset is filtered by the database, which holds the reader's rights as
        subqueries; the engine answers whole listings (``listing``)."""
        return DatabaseBackend().filter_documents(queryset, text, rights)


class EngineResults:
    """A reader's query answered by the engine, countable and sliceable like a queryset (so
    Django's Paginator and the API can page it), with the facets of the same query.

    Hits are read back from the database through the access policy: the engine already
    filtered them, and a stale index can never show more than the database allows.
    """

    def __init__(self, backend, user, query, section: str | None, locale: str):
        self.backend, self.user, self.query, self.locale = backend, user, query, locale
        self.filters = dict(query.filters)
        if section:
            self.filters["section"] = [section]
        self._response = None

    def _run(self, offset: int, limit: int):
        search = self.backend.build_search(
            self.user,
            self.query.text,
            self.filters,
            self.locale,
            self.query.effective_sort,
            offset,
            limit,
            updated_from=self.query.updated_from,
            updated_to=self.query.updated_to,
        )
        self._response = self.backend.execute(search)
        return self._response

    def count(self) -> int:
        if self._response is None:
            self._run(0, 0)
        return min(self._response.hits.total.value, MAX_WINDOW)

    __len__ = count

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("EngineResults are read by slices (pages)")

        start = key.start or 0
        stop = key.stop if key.stop is not None else start + MAX_LIMIT
        response = self._run(start, max(stop - start, 0))
        ids = [int(hit.meta.id) for hit in response]
        documents = with_display_relations(source_documents(self.user).filter(pk__in=ids))
        by_pk = {document.pk: document for document in documents}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    @property
    def facets(self) -> dict[str, dict[str, int]]:
        if self._response is None:
            self._run(0, 0)
        counts = self.backend.facet_counts(self._response)
        return {name: counts.get(name, {}) for name in FILTERS}


def _active_language() -> str:
    return active_locale().language_code


# Indexing: called from background jobs on the core events (publish, unpublish, new version,
# change of access level or taxonomy).


_ensured: set[str] = set()


def ensure_indexes(locales: list[str] | None = None) -> None:
    """Create the indexes (with their mappings) that do not exist yet; each index is checked
    once per process, not on every indexing call."""
    get_connection()
    for locale in locales or content_locales():
        name = index_name(locale)
        if name not in _ensured:
            document_class(locale).init(using=CONNECTION_ALIAS)
            _ensured.add(name)


def _source_of(document):
    return TrustDocument.objects.filter(
        translation_key=document.translation_key, locale=default_locale()
    ).first()


def index_document(document) -> None:
    """(Re)index ``document`` (any of its translations) in every locale's index, or remove it
    there when its source is no longer live."""
    source = _source_of(document)
    if source is None or not source.live:
        remove_document(source or document)
        return
    ensure_indexes()
    for locale in content_locales():
        to_es_document(source, locale, localizer_for([source], locale)).save(using=CONNECTION_ALIAS)


def remove_document(document) -> None:
    """Remove ``document`` (by its source pk) from every locale's index."""
    source = _source_of(document) or document
    # Already gone (or never indexed) is fine: removal is idempotent for retried jobs.
    client = get_connection().options(ignore_status=404)
    for locale in content_locales():
        client.delete(index=index_name(locale), id=str(source.pk))
