"""The database index follows the content inside the editor's own transaction: a saved document
or version, an uploaded file or a renamed term updates the entries it appears in."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from cms.events import content_saved
from cms.models import (
    Category,
    DocumentVersion,
    Industry,
    Region,
    Service,
    Standard,
    TrustDocument,
    VersionFile,
)
from cms.models.documents import changes_reader_content
from workflows.jobs import enqueue

from . import content_changes
from .facets import bump_generation
from .indexing import defer_entry_update, reindex_term
from .models import SearchEntry
from .text_index import remove_entries, series_ids, update_entries

#: What an entry is built from. Saves of other fields alone (a new draft revision, a lock) leave
#: the entries as they are.
DOCUMENT_TEXT_FIELDS = {"title", "summary", "category", "standards", "services"}
VERSION_TEXT_FIELDS = {"live", "document"}


def _changes(update_fields, text_fields: set[str]) -> bool:
    return update_fields is None or bool(text_fields & set(update_fields))


def _update_entries_of(document_ids) -> None:
    """Rebuild the entries of these documents' series now, or at the end of a bulk load."""
    if not defer_entry_update(document_ids):
        update_entries(series_ids(document_ids))


def _document_saved(sender, instance, update_fields=None, **kwargs):
    if not _changes(update_fields, DOCUMENT_TEXT_FIELDS):
        return
    _update_entries_of([instance.pk])


def _version_saved(sender, instance, update_fields=None, **kwargs):
    if not _changes(update_fields, VERSION_TEXT_FIELDS):
        return
    _update_entries_of([instance.document_id])


def _file_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    document_id = (
        DocumentVersion.objects.filter(pk=instance.version_id)
        .values_list("document_id", flat=True)
        .first()
    )
    if document_id is not None:
        _update_entries_of([document_id])


def _term_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    if (
        created
        and not sender.objects.filter(translation_key=instance.translation_key)
        .exclude(pk=instance.pk)
        .exists()
    ):
        return  # a new term is on no document yet (a new translation of one is: its name is)

    # A renamed term may be on many documents: a background job, after the commit.
    key = str(instance.translation_key)
    label = sender._meta.label
    transaction.on_commit(lambda: enqueue(reindex_term, label, key))


def _listing_changed(sender, update_fields=None, **kwargs):
    """Anything a listing shows or counts changed: memoized facet counts no longer answer."""
    if not changes_reader_content(update_fields):
        return
    bump_generation()


def _entry_deleted(sender, instance, **kwargs):
    remove_entries([instance.document_id])


def connect() -> None:
    content_saved.connect(_document_saved, sender=TrustDocument, dispatch_uid="search_doc")
    content_saved.connect(_version_saved, sender=DocumentVersion, dispatch_uid="search_version")
    # Sent once modelcluster has committed the many-to-many relations too.
    content_saved.connect(_listing_changed, sender=TrustDocument, dispatch_uid="search_listing")
    post_save.connect(_file_changed, sender=VersionFile, dispatch_uid="search_file_saved")
    post_delete.connect(_file_changed, sender=VersionFile, dispatch_uid="search_file_deleted")
    for model in (Category, Service, Standard):
        post_save.connect(_term_saved, sender=model, dispatch_uid=f"search_term_{model.__name__}")
    listed = [TrustDocument, DocumentVersion, VersionFile, Category, Service, Region, Industry]
    for model in [*listed, Standard]:
        uid = f"search_listing_{model.__name__}"
        post_save.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}_deleted")
    for relation in ("services", "regions", "industries", "standards"):
        m2m_changed.connect(
            _listing_changed,
            sender=getattr(TrustDocument, relation).through,
            dispatch_uid=f"search_listing_{relation}",
        )
    post_delete.connect(_entry_deleted, sender=SearchEntry, dispatch_uid="search_entry_deleted")
    content_changes.connect()
