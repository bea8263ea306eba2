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
from django.db.models import Q as DjangoQ
from django.db.models import QuerySet
from elasticsearch_dsl import A, Q, Search, connections

from search.backends.database import MAX_WORDS, DatabaseBackend, normalize_query
from search.es_documents import (
    FILTER_FIELDS,
    analyzer_for,
    content_locales,
    document_class,
    index_name,
    localizer_for,
    to_es_document,
)

CONNECTION_ALIAS = "trustportal"
#: Free text is searched in these fields (boosts say what a match is worth).
TEXT_FIELDS = ["title^3", "summary", "standard_names^2", "service_names", "category_name"]
MAX_VALUES_PER_FILTER = 20
MAX_LIMIT = 100
#: Elasticsearch's default max_result_window: deeper pages are refused by the engine.
MAX_WINDOW = 10_000
FACET_SIZE = 100
SORTS = {
    "relevance": ["_score", {"published": {"order": "desc"}}],
    "date": [{"published": {"order": "desc"}}, "_score"],
    "title": ["title.keyword", "_score"],
}
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"]}
#: filter_documents' default: the caller's queryset already applies the access policy.
CALLER_CHECKED = object()


def is_configured() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def get_connection():
    """The client, created on first use from ``ELASTICSEARCH_URL``."""
    try:
        return connections.get_connection(CONNECTION_ALIAS)
    except KeyError:
        return connections.create_connection(
            alias=CONNECTION_ALIAS, hosts=[settings.ELASTICSEARCH_URL]
        )


def _signed_in(user) -> bool:
    # Mirrors cms.access.policy: inactive accounts are treated as anonymous.
    return bool(user is not None and user.is_authenticated and user.is_active)


def entitlements(user) -> tuple[int | None, list[int], list[int]]:
    """``(organization id, group ids, granted document ids)`` entitling ``user`` to restricted
    documents; nothing for anonymous users."""
    if not _signed_in(user):
        return None, [], []
    from cms.access.levels import AccessLevel
    from cms.models import AccessRequest, TrustDocument, organization_of
    from cms.plugins import registry

    organization = organization_of(user)
    group_ids = sorted(user.groups.values_list("pk", flat=True))
    grants = DjangoQ(pk__in=AccessRequest.granted_document_ids(user))
    for rule in registry.access_rules():
        extra = rule.restricted_visible_q(user)
        if extra is not None:
            grants |= extra
    # Only restricted documents need a grant; everything else is visible by its level.
    granted = TrustDocument.objects.filter(grants, access_level=AccessLevel.RESTRICTED, live=True)
    return (
        organization.pk if organization is not None else None,
        group_ids,
        sorted(granted.values_list("pk", flat=True)),
    )


def access_filter(user) -> Q:
    """Documents whose metadata ``user`` may see (cms.access.policy.visible_documents)."""
    organization_id, group_ids, granted_ids = entitlements(user)
    visible = [
        ~Q("term", access_level="restricted"),
        Q("term", restricted_listed=True),
    ]
    if organization_id is not None:
        visible.append(Q("term", entitled_organizations=organization_id))
    if group_ids:
        visible.append(Q("terms", entitled_groups=group_ids))
    if granted_ids:
        visible.append(Q("terms", document_id=granted_ids))
    return Q("bool", filter=[Q("term", live=True)], should=visible, minimum_should_match=1)


def text_query(text: str, locale: str) -> Q | None:
    """A match over the text fields, or None for empty text.

    multi_match has no query syntax, so operators, quotes and brackets are searched as text and
    can never make the query fail; the text is cut to a bounded length and number of words.
    ``cross_fields`` with ``and``: every word must match, in any field (as the database backend).
    """
    words = normalize_query(text).split()[:MAX_WORDS]
    if not words:
        return None
    return Q(
        "multi_match",
        query=" ".join(words),
        fields=TEXT_FIELDS,
        type="cross_fields",
        operator="and",
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


def _filter_clauses(filters: dict[str, list[str]], exclude: str | None = None) -> list[Q]:
    # One terms clause per filter: values of one filter OR, different filters AND (bool filter).
    return [
        Q("terms", **{FILTER_FIELDS[name]: values})
        for name, values in filters.items()
        if name != exclude
    ]


class ElasticsearchBackend:
    """Same interface as DatabaseBackend, plus faceted search with ``build_search``."""

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
    ) -> Search:
        filters = clean_filters(filters)
        must = [q] if (q := text_query(text, locale)) else []
        query = Q("bool", must=must, filter=[access_filter(user)])
        search = Search(using=CONNECTION_ALIAS, index=index_name(locale)).query(query)
        # Active filters narrow the hits through post_filter, not the query, so that each facet
        # can count under all the other filters (the standard faceted-search pattern); the
        # access filter is in the query, so it applies to the hits and every facet.
        if filters:
            search = search.post_filter(Q("bool", filter=_filter_clauses(filters)))
        for name, field in FILTER_FIELDS.items():
            others = _filter_clauses(filters, exclude=name)
            facet = A("filter", Q("bool", filter=others) if others else Q("match_all"))
            facet.bucket("values", "terms", field=field, size=FACET_SIZE)
            search.aggs.bucket(name, facet)
        search = search.sort(*SORTS.get(sort, SORTS["relevance"]))
        search = search.highlight_options(encoder="html", **HIGHLIGHT_TAGS)
        search = search.highlight("title", number_of_fragments=0)
        search = search.highlight("summary", fragment_size=200, number_of_fragments=2)
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

    def filter_documents(
        self, queryset: QuerySet, text: str, *, user=CALLER_CHECKED, locale: str | None = None
    ) -> QuerySet:
        """Documents of ``queryset`` matching ``text`` (the DatabaseBackend interface).

        ``queryset`` is already access-checked by the caller, so by default the engine matches
        the text alone; pass ``user`` (None for anonymous) to apply the policy in the engine too.
        Without a configured server the database answers.
        """
        if not is_configured():
            return DatabaseBackend().filter_documents(queryset, text)
        locale = locale or _active_language()
        matching = text_query(text, locale)
        if matching is None:
            return queryset
        if user is CALLER_CHECKED:
            visible = Q("term", live=True)
        else:
            visible = access_filter(user)
        search = (
            Search(using=CONNECTION_ALIAS, index=index_name(locale))
            .query(Q("bool", must=[matching], filter=[visible]))
            .source(False)
            .extra(size=MAX_WINDOW, track_total_hits=False)
        )
        ids = [int(hit.meta.id) for hit in self.execute(search)]
        return queryset.filter(pk__in=ids)


def _active_language() -> str:
    from cms.i18n import active_locale

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
    from cms.i18n import default_locale
    from cms.models import TrustDocument

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
