"""Full-text search in the database (SQLite FTS5 or PostgreSQL tsvector, see
``search/text_index.py``): ranked, stemmed per language, with no extra server."""

from __future__ import annotations

from django.db.models import QuerySet

from cms.access.policy import ReadingRights
from cms.i18n import active_locale
from search import text_index
from search.backends.base import SearchBackend


def _language() -> str:
    return active_locale().language_code


class DatabaseBackend(SearchBackend):
    name = "database"

    def check_reachable(self) -> None:
        """Nothing beyond the database, which the readiness check asks itself."""

    def filter_documents(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """Documents of ``queryset`` whose title, or summary, terms (standards, services,
        category) or file text as ``rights`` allow, in any language, match ``text``."""
        condition = text_index.matching_condition(text, _language(), rights)
        return queryset if condition is None else queryset.filter(condition)

    def rank(self, queryset: QuerySet, text: str, rights: ReadingRights) -> QuerySet:
        """``queryset`` ordered by relevance to ``text`` (best first, ties by title)."""
        joined = text_index.ranked_by_join(queryset, text, _language(), rights)
        if joined is not None:
            return joined.order_by("-search_rank", "title", "pk")
        score = text_index.rank_expression(text, _language(), rights)
        if score is None:
            return queryset.order_by("title", "pk")
        return queryset.annotate(search_rank=score).order_by("-search_rank", "title", "pk")
