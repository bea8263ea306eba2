"""What a reader's library holds, always through the access policy: saving only what the reader
may see, listing saved documents as cards (or as unavailable ones), flagging recent updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.utils import timezone

from cms.updates import DocumentUpdate, latest_updates
from search.cards import DocumentCard, build_cards, source_documents, with_display_relations

from .models import SavedDocument


def setting(name: str):
    return apps.get_app_config("library").setting(name)


def save(user, document_ids) -> list[int]:
    """Save the documents among ``document_ids`` that ``user`` may see; return their ids.
    Saving twice is a no-op."""
    visible = list(source_documents(user).filter(pk__in=document_ids).values_list("pk", flat=True))
    SavedDocument.objects.bulk_create(
        [SavedDocument(user=user, document_id=pk) for pk in visible], ignore_conflicts=True
    )
    return visible


def remove(user, document_ids) -> int:
    """Remove documents from ``user``'s library, visible or not (unavailable ones too)."""
    deleted, _ = SavedDocument.objects.filter(user=user, document_id__in=document_ids).delete()
    return deleted


@dataclass
class Entry:
    """One saved document: its card when the reader may still see it, else unavailable; with
    its latest update (a version or an update note) when that is recent enough to flag."""

    saved: SavedDocument
    card: DocumentCard | None
    update: DocumentUpdate | None = None

    @property
    def available(self) -> bool:
        return self.card is not None


def flag_since() -> date:
    """Updates published on or after this date flag a document as updated."""
    return timezone.localdate() - timedelta(days=setting("UPDATED_WITHIN_DAYS"))


def entries(user, saved_rows=None) -> list[Entry]:
    """The library of ``user``, newest first, in a fixed number of queries."""
    saved = list(saved_rows if saved_rows is not None else SavedDocument.objects.filter(user=user))
    ids = [row.document_id for row in saved]
    documents = list(with_display_relations(source_documents(user).filter(pk__in=ids)))
    cards = {card.document.pk: card for card in build_cards(user, documents)}
    # Only documents the reader may see now, and more of than a listed title, are asked about:
    # an unavailable one shows nothing, a title-only one not what changed.
    described = [doc for doc in documents if not cards[doc.pk].title_only]
    updates = latest_updates(described, flag_since())
    return [
        Entry(saved=row, card=cards.get(row.document_id), update=updates.get(row.document_id))
        for row in saved
    ]
