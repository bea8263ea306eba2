"""The update notes of document series, as they went live."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentUpdateNote(models.Model):
    """One publish of a series that brought a new update note: what the note said and when it
    went live. Written once by ``cms.publishing`` in the publish's transaction, never changed.

    The series' own ``update_note`` cannot be the history: it is revisioned, so publishing an
    older revision later rewrites it, and it does not say when the note came out. My Library's
    "updated" flag and the update feed read these rows instead. A note is translated through
    its document's translation (``cms.updates.note_in_language``), not here.
    """

    document = models.ForeignKey(
        "cms.TrustDocument", on_delete=models.CASCADE, related_name="update_notes"
    )
    note = models.TextField(_("update note"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("update note")
        verbose_name_plural = _("update notes")
        ordering = ["-published_at", "-pk"]
        indexes = [
            # A page of documents asks each one's newest note (My Library).
            models.Index(fields=["document", "-published_at"], name="cms_note_newest"),
            # The update feed reads the newest notes of every document the reader may see.
            models.Index(fields=["-published_at", "-id"], name="cms_note_recent"),
        ]

    def __str__(self):
        return f"{self.document_id} @ {self.published_at:%Y-%m-%d %H:%M}: {self.note[:40]}"
