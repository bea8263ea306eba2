"""Full-text search in the database (SQLite FTS5 or PostgreSQL tsvector, see
``search/text_query.py``): ranked, stemmed per language, with no extra server."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, When

from cms.access.policy import ReadingRights
from cms.i18n import active_locale
from search import text_query
from search.backends.base import SearchBackend

#: How many matches are ranked by relevance (PostgreSQL): the first pages of a listing. Past
#: them, matches follow in title order, unranked.
RANKED_WINDOW = 100


def _language() -> str:
    return active_locale().language_code


class DatabaseBackend(SearchBackend):
    name = "database"

    def check_reachable(self) -> None:
        """Nothing beyond the database, which the readiness check asks itself."""

    def filter_documents(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """Documents of ``queryset`` whose title, or summary, terms (standards, services,
        category) or file text as ``rights`` allow, in any language, match ``text``."""
        by_row = text_query.row_matching_condition(text, _language(), rights)
        if by_row is not None:
            # Every row with its entry: an inner join, which the database may start from.
            return queryset.filter(by_row, ranked_entry__isnull=False)
        condition = text_query.matching_condition(text, _language(), rights)
        return queryset if condition is None else queryset.filter(condition)

    def rank(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """``queryset`` ordered by relevance to ``text`` (best first, ties by title); on
        PostgreSQL, the relevance of a window of matches only (``TopWindowRanked``)."""
        joined = text_query.ranked_by_join(queryset, text, _language(), rights)
        if joined is not None:
            ordered = joined.order_by("-search_rank", "title", "pk")
            titles = text_query.title_matching_condition(text, _language())
            if titles is None or connection.vendor != "postgresql":
                return ordered
            return TopWindowRanked.of(queryset, ordered, titles)
        score = text_query.rank_expression(text, _language(), rights)
        if score is None:
            return queryset.order_by("title", "pk")
        return queryset.annotate(search_rank=score).order_by("-search_rank", "title", "pk")


class TopWindowRanked(QuerySet):
    """Matches ranked by relevance in a window only, so that the cost of a page does not grow
    with the number of matches (a word in a fifth of 100,000 documents).

    The window: the first ``RANKED_WINDOW`` matches in title order, and the first
    ``RANKED_WINDOW`` whose *title* matches. The database walks the title index and stops once
    it has them (the reader's access to each row is asked of that row, see
    ``text_query.row_matching_condition``). Title matches are taken apart because the best
    matches are among them (a title outweighs any summary in ``ts_rank``): the best match is
    ranked first even when thousands of matches come before it in title order. The window is
    ordered by relevance (ties by title); the other matches follow in title order.

    A slice within the first ``RANKED_WINDOW`` positions is answered by the window alone;
    a deeper one by the whole ordering (every match filtered, only the window ranked)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._window_page: QuerySet | None = None

    @classmethod
    def of(cls, matching: QuerySet, ranked: QuerySet, titles: Q) -> TopWindowRanked:
        first = matching.order_by("title", "pk").values("pk")[:RANKED_WINDOW]
        titled = matching.filter(titles).order_by("pk").values("pk")[:RANKED_WINDOW]
        in_window = Q(pk__in=first) | Q(pk__in=titled)
        whole = ranked.alias(
            window_rank=Case(
                When(in_window, then=F("search_rank")), default=None, output_field=FloatField()
            )
        ).order_by(F("window_rank").desc(nulls_last=True), "title", "pk")
        result = cls(model=whole.model, query=whole.query, using=whole._db, hints=whole._hints)
        # One set of window ids, joined by key: the database probes those rows alone.
        result._window_page = ranked.filter(pk__in=first.union(titled))
        return result

    def _clone(self):
        clone = super()._clone()
        clone._window_page = self._window_page
        return clone

    def _plain(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` as a plain queryset with this one's related rows and prefetches."""
        plain = QuerySet(
            model=queryset.model, query=queryset.query.chain(), using=self._db, hints=self._hints
        )
        plain.query.select_related = self.query.select_related
        plain._prefetch_related_lookups = self._prefetch_related_lookups
        return plain

    def __getitem__(self, key):
        if (
            isinstance(key, slice)
            and self._window_page is not None
            and key.stop is not None
            and key.stop <= RANKED_WINDOW
        ):
            return self._plain(self._window_page)[key]
        return self._plain(self)[key]
