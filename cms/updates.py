"""What readers are told changed in a document: a new version, or an update note its series
went live with, described in the reader's language.

My Library's "updated" flag asks for the latest update of each document on a page, the update
feed for a reader's recent history; both in a fixed number of queries whatever the number of
documents. Which documents to ask about is the caller's business: pass only what the access
policy lets the reader see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cms.i18n import Localizer
from cms.models import DocumentUpdateNote, DocumentVersion, TrustDocument


@dataclass(frozen=True)
class DocumentUpdate:
    """One update of a document: a version (``version`` set) or an update note (``note``)."""

    document: TrustDocument
    #: The document in the reader's language.
    display: TrustDocument
    #: When it went live, to order updates of both kinds (see ``version_went_live``).
    published_at: datetime
    #: What changed, in the reader's language.
    description: str
    version: DocumentVersion | None = None
    note: DocumentUpdateNote | None = None

    @property
    def published_on(self) -> date:
        """The date readers are shown."""
        if self.version is not None:
            return self.version.published_on
        return timezone.localdate(self.published_at)


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def version_went_live(version: DocumentVersion) -> datetime:
    """When ``version`` counts as published: the moment it went live when that was on its
    publish date (the usual case, so a note and a version of the same day are told apart),
    else the start of its publish date, since that date is what readers see (an editor may
    date a version earlier or later than the day they publish it)."""
    published = version.last_published_at
    if published is not None and timezone.localdate(published) == version.published_on:
        return published
    return start_of(version.published_on)


def note_in_language(
    note: str,
    published_at: datetime,
    source: TrustDocument,
    display: TrustDocument,
    superseded_at: datetime | None = None,
) -> str:
    """``note``, which went live at ``published_at``, in the language of ``display`` (the
    source document's translation): the translation's own note when the translation was
    published after the note (before that it still says an earlier one) and, for a note a
    newer one replaced at ``superseded_at``, before that newer note (after it the translation
    speaks of the newer one). Otherwise the note as the editor published it."""
    translated_at = getattr(display, "last_published_at", None)
    if display is source or not display.update_note or translated_at is None:
        return note
    if translated_at < published_at:
        return note
    if superseded_at is not None and translated_at >= superseded_at:
        return note
    return display.update_note


def latest_updates(documents: list[TrustDocument], since: date) -> dict[int, DocumentUpdate]:
    """``{document id: its latest update}`` for those of ``documents`` (source documents) that
    have one published on or after ``since``: their current version or their newest note,
    whichever went live last. Four queries at most, whatever the number of documents."""
    ids = [document.pk for document in documents]
    current_version = (
        DocumentVersion.objects.filter(document=OuterRef("document"), live=True)
        .order_by("-published_on", "-pk")
        .values("pk")[:1]
    )
    versions = DocumentVersion.objects.filter(
        document_id__in=ids, live=True, published_on__gte=since, pk=Subquery(current_version)
    )
    newest_note = (
        DocumentUpdateNote.objects.filter(document=OuterRef("document"))
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    notes = DocumentUpdateNote.objects.filter(
        document_id__in=ids, published_at__gte=start_of(since), pk=Subquery(newest_note)
    )
    by_id = {document.pk: document for document in documents}
    candidates = [(by_id[v.document_id], v) for v in versions]
    candidates += [(by_id[n.document_id], n) for n in notes]
    localize = Localizer(
        [*documents, *(item for _doc, item in candidates if isinstance(item, DocumentVersion))]
    )
    latest: dict[int, DocumentUpdate] = {}
    for document, item in candidates:
        update = _update(document, item, localize)
        known = latest.get(document.pk)
        if known is None or _newness(update) > _newness(known):
            latest[document.pk] = update
    return latest


def update_history(documents: QuerySet, since: date, limit: int) -> list[DocumentUpdate]:
    """The ``limit`` newest updates, versions and notes together, of the source documents in
    ``documents`` published on or after ``since``, newest first. Four queries at most (the
    access policy's conditions in ``documents`` run inside them), whatever the number."""
    ids = documents.values("pk")
    versions = list(
        DocumentVersion.objects.filter(live=True, published_on__gte=since, document__in=ids)
        .select_related("document")
        .order_by("-published_on", F("last_published_at").desc(nulls_last=True), "-pk")[:limit]
    )
    notes = list(
        DocumentUpdateNote.objects.filter(published_at__gte=start_of(since), document__in=ids)
        .select_related("document")
        .order_by("-published_at", "-pk")[:limit]
    )
    localize = Localizer([*versions, *(v.document for v in versions), *(n.document for n in notes)])
    updates = [_update(version.document, version, localize) for version in versions]
    # Newest first, so the note that replaced each one (the next of its document) comes
    # before it: it is among these, as every note newer than a listed one is listed too.
    successor_at: dict[int, datetime] = {}
    for note in notes:
        updates.append(_update(note.document, note, localize, successor_at.get(note.document_id)))
        successor_at[note.document_id] = note.published_at
    updates.sort(key=_newness, reverse=True)
    return updates[:limit]


def _update(document, item, localize, superseded_at: datetime | None = None) -> DocumentUpdate:
    display = localize(document)
    if isinstance(item, DocumentVersion):
        return DocumentUpdate(
            document=document,
            display=display,
            published_at=version_went_live(item),
            description=localize(item).change_description,
            version=item,
        )
    return DocumentUpdate(
        document=document,
        display=display,
        published_at=item.published_at,
        description=note_in_language(
            item.note, item.published_at, document, display, superseded_at
        ),
        note=item,
    )


def _newness(update: DocumentUpdate) -> tuple:
    # Ties (the same instant) go to the version, then to the later row: any fixed order will
    # do, as long as every fetch gives the same one.
    row = update.version or update.note
    return (update.published_at, update.version is not None, row.pk)
