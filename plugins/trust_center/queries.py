"""What a reader gets of the subprocessors and the FAQ, in their language, as querysets.

Privacy is in the query: an FAQ answer the reader may not read is never fetched (the row's
``answer`` column is deferred and ``readable_answer`` is empty for it), and a search matches such
an answer's words not at all, so guessing words tells nothing about a gated answer. Who may read
an answer is the one access policy's answer for a document's files of the same level
(``cms.access.policy.Viewer``): the NDA plugin's rule decides whether the NDA is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)

from cms.access.policy import Viewer
from cms.i18n import active_locale, default_locale
from cms.models import AccessLevel

from .models import FaqEntry, Subprocessor, SubprocessorChange

#: The longest search a reader may send (longer is a 400).
MAX_QUERY_LENGTH = 200


def in_reader_language(model, locale=None) -> QuerySet:
    """Live rows of ``model`` in the reader's language: the live translation where there is one,
    else the source; only for sources that are live (withdrawing the source withdraws its
    translations). Each row is annotated with its source's ``source_pk``."""
    locale = locale or active_locale()
    source_locale = default_locale()
    sources = model.objects.filter(
        locale=source_locale, live=True, translation_key=OuterRef("translation_key")
    )
    rows = (
        model.objects.filter(live=True)
        .annotate(source_pk=Subquery(sources.values("pk")[:1]))
        .filter(source_pk__isnull=False)
    )
    if locale.pk == source_locale.pk:
        return rows.filter(locale=source_locale)
    translated = model.objects.filter(
        locale=locale, live=True, translation_key=OuterRef("translation_key")
    )
    return rows.filter(Q(locale=locale) | (Q(locale=source_locale) & ~Exists(translated)))


def subprocessors(locale=None) -> QuerySet:
    return in_reader_language(Subprocessor, locale).order_by("name", "pk")


def last_changed():
    """When the list last changed as subscribers were told (None before any change)."""
    return SubprocessorChange.objects.aggregate(last=Max("changed_at"))["last"]


def readable_levels(user) -> set[str]:
    return Viewer.of(user).allowed_levels() - {AccessLevel.RESTRICTED}


@dataclass(frozen=True)
class FaqQuestion:
    """An FAQ entry as one reader sees it: ``answer`` is "" and ``lock`` says why when they may
    not read it ("sign_in", "organization" or "nda", as for a document's files)."""

    key: str
    question: str
    category: str
    access_level: str
    answer: str
    lock: str


def faq_entries(user, query: str = "", locale=None) -> QuerySet:
    """Live FAQ entries in the reader's language, ordered, matching ``query`` (questions and
    categories for everyone; answers only where the reader may read them). The level that
    counts is the source's, so a translation not yet synced after a change of level follows the
    source at once."""
    sources = FaqEntry.objects.filter(
        locale=default_locale(), live=True, translation_key=OuterRef("translation_key")
    )
    readable = Q(source_level__in=readable_levels(user))
    entries = (
        in_reader_language(FaqEntry, locale)
        .annotate(source_level=Subquery(sources.values("access_level")[:1]))
        .annotate(
            answer_readable=Case(
                When(readable, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            readable_answer=Case(
                When(readable, then=F("answer")), default=Value(""), output_field=TextField()
            ),
        )
        .defer("answer")
        .order_by("sort_order", "source_pk")
    )
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(question__icontains=query)
            | Q(category__icontains=query)
            | (readable & Q(answer__icontains=query))
        )
    return entries


def as_questions(user, entries) -> list[FaqQuestion]:
    """Rows of ``faq_entries(user, …)`` as ``user`` sees them."""
    viewer = Viewer.of(user)
    return [
        FaqQuestion(
            key=str(entry.translation_key),
            question=entry.question,
            category=entry.category,
            access_level=entry.source_level,
            answer=entry.readable_answer,
            lock="" if entry.answer_readable else viewer.reason(entry.source_level, False),
        )
        for entry in entries
    ]


def faq_questions(user, query: str = "", locale=None) -> list[FaqQuestion]:
    return as_questions(user, faq_entries(user, query, locale))
