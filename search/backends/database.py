"""Text matching in the database: works on SQLite and PostgreSQL with no extra server."""

from __future__ import annotations

from django.db.models import Q, QuerySet

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10


def normalize_query(text: str) -> str:
    """Bounded, whitespace-normalised query text: any input gives a result in bounded time."""
    # Control characters (NUL above all: PostgreSQL refuses it) are never part of a word.
    printable = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_QUERY_LENGTH])
    return " ".join(printable.split())


class DatabaseBackend:
    name = "database"

    def check_reachable(self) -> None:
        """Readiness: nothing beyond the database, which the readiness check asks itself."""

    def filter_documents(self, queryset: QuerySet, text: str) -> QuerySet:
        """Documents of ``queryset`` matching every word of ``text`` in their title, summary,
        standards, services or category (case-insensitive)."""
        from cms.models import Category, Service, Standard, TrustDocument

        words = normalize_query(text).split()[:MAX_WORDS]
        if not words:
            return queryset
        matching = Q()
        for word in words:
            # Match the text in any language: a German reader finds a document by its German
            # title; the listing shows the source rows, so match through translation keys.
            matching &= (
                Q(
                    translation_key__in=_keys(
                        TrustDocument, word, "title", "summary", live_only=True
                    )
                )
                | Q(standards__translation_key__in=_keys(Standard, word, "name"))
                | Q(services__translation_key__in=_keys(Service, word, "name"))
                | Q(category__translation_key__in=_keys(Category, word, "name"))
            )
        return queryset.filter(pk__in=TrustDocument.objects.filter(matching).values("pk"))


def _keys(model, word: str, *fields: str, live_only: bool = False) -> QuerySet:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": word})
    queryset = model.objects.filter(condition)
    if live_only:
        queryset = queryset.filter(live=True)
    return queryset.values("translation_key")
