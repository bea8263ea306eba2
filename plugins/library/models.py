from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedDocument(models.Model):
    """A document in a reader's library. The row outlives the reader's access: a document they
    can no longer see shows as unavailable (without its title) instead of vanishing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_documents"
    )
    document = models.ForeignKey(
        "cms.TrustDocument", on_delete=models.CASCADE, related_name="saved_by"
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("saved document")
        verbose_name_plural = _("saved documents")
        ordering = ["-saved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="library_saved_once")
        ]
        indexes = [models.Index(fields=["document", "user"], name="library_subscribers")]

    def __str__(self):
        return f"{self.user} ♥ {self.document_id}"
