from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Feedback(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("A question")
        PORTAL_PROBLEM = "portal_problem", _("A problem with the portal")
        DOCUMENT_PROBLEM = "document_problem", _("A problem with a document")
        SUGGESTION = "suggestion", _("A suggestion")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("what kind of feedback"), max_length=32, choices=Kind.choices)
    comment = models.TextField(_("comment"))
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    contact_email = models.EmailField(_("contact address (optional)"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # Staff only: what was done about it. Never shown to the sender.
    staff_note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set once staff were told of this feedback, so a retried job does not tell them twice.
    staff_notified_at = models.DateTimeField(_("staff notified"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.comment[:60]}"
