"""Turns Wagtail's publishing signals on documents and versions into core events, and keeps
what is derived from publishing in step: update notes, a document's updated date, the locale
cache."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from wagtail.models import Locale
from wagtail.signals import published, unpublished

from . import events
from .i18n import default_locale, forget_locales
from .models import DocumentUpdateNote, DocumentVersion, TrustDocument
from .models.documents import refresh_updated_on


def _document_published(sender, instance, revision=None, **kwargs):
    if instance.locale_id != default_locale().pk:
        return
    previous = getattr(instance, "_previous_live_access", None)
    note = _new_update_note(instance, revision)
    # The note's row and the events commit together, and with the publish itself where that
    # runs in a transaction (publishing from the admin's edit form does).
    with transaction.atomic():
        if note:
            _record_update_note(instance, note)
        events.emit(
            events.DocumentPublished(
                document_id=instance.pk, first_publish=previous is None, update_note=note
            )
        )
        if previous is not None and previous != instance.access_level:
            events.emit(
                events.AccessLevelChanged(
                    document_id=instance.pk, old_level=previous, new_level=instance.access_level
                )
            )


def _record_update_note(instance, note: str) -> None:
    """Keep the note in the history readers see (``DocumentUpdateNote``), dated when it went
    live: the series' revisioned field would be rewritten by a later publish."""
    DocumentUpdateNote.objects.create(
        document=instance, note=note, published_at=instance.last_published_at or timezone.now()
    )


def _new_update_note(instance, revision=None) -> str:
    """The update note this publish brings: "" when it is empty, the one already live (a publish
    that leaves the note alone tells nobody anything), or already told (``_told_before``)."""
    note = (instance.update_note or "").strip()
    if not note or not instance.live:
        return ""
    if note == getattr(instance, "_previous_live_note", None):
        return ""
    if revision is not None and _told_before(instance, note, revision):
        return ""
    return note


def _told_before(document, note: str, revision) -> bool:
    """Was ``note`` already told for the content of ``revision``, an older revision published
    again (a rollback)? Yes if it went out after the revision was written (the revision
    introduced it), or if it was the newest note when the revision was written (the revision
    carried it over unchanged). The same words in a revision written after another note went
    out are a new note."""
    notes = DocumentUpdateNote.objects.filter(document=document)
    if notes.filter(note=note, published_at__gte=revision.created_at).exists():
        return True
    newest_then = notes.filter(published_at__lt=revision.created_at).first()  # newest first
    return newest_then is not None and newest_then.note == note


def _version_published(sender, instance, **kwargs):
    if instance.locale_id == instance.document.locale_id and instance.document.live:
        events.emit(
            events.VersionPublished(document_id=instance.document_id, version_id=instance.pk)
        )


def _version_deleted(sender, instance, **kwargs):
    refresh_updated_on([instance.document_id])


def _document_withdrawn(sender, instance, **kwargs):
    events.emit(events.DocumentWithdrawn(document_id=instance.pk))


def _remember_live_access(sender, instance, **kwargs):
    """Before a revision is published, note the live access level and update note, to detect
    a change."""
    instance._previous_live_access = instance._previous_live_note = None
    if instance.pk:
        row = (
            sender.objects.filter(pk=instance.pk)
            .values_list("access_level", "update_note", "live")
            .first()
        )
        if row and row[2]:
            instance._previous_live_access = row[0]
            instance._previous_live_note = (row[1] or "").strip()


def connect():
    post_delete.connect(
        _version_deleted, sender=DocumentVersion, dispatch_uid="cms_version_deleted"
    )
    post_save.connect(forget_locales, sender=Locale, dispatch_uid="cms_locale_saved")
    post_delete.connect(forget_locales, sender=Locale, dispatch_uid="cms_locale_deleted")
    pre_save.connect(
        _remember_live_access, sender=TrustDocument, dispatch_uid="cms_remember_access"
    )
    published.connect(_document_published, sender=TrustDocument, dispatch_uid="cms_doc_published")
    published.connect(
        _version_published, sender=DocumentVersion, dispatch_uid="cms_version_published"
    )
    unpublished.connect(
        _document_withdrawn, sender=TrustDocument, dispatch_uid="cms_doc_unpublished"
    )
    post_delete.connect(_document_withdrawn, sender=TrustDocument, dispatch_uid="cms_doc_deleted")
