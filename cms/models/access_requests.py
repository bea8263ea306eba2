"""Requests for access to listed restricted documents, and the staff's decisions on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        REVOKED = "revoked", _("Revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    document = models.ForeignKey(
        "cms.TrustDocument", on_delete=models.CASCADE, related_name="access_requests"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField(
        _("access expires"),
        null=True,
        blank=True,
        help_text=_("Leave empty for access without an end."),
    )
    decision_note = models.CharField(_("note to the requester"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("status"), FieldPanel("expires_at"), FieldPanel("decision_note")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"],
                condition=Q(status="pending"),
                name="one_pending_request_per_document",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.document} ({self.get_status_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the stored status, so a save can tell whether staff decided something.
        instance.loaded_status = instance.status
        return instance

    @property
    def status_changed(self) -> bool:
        return self.status != getattr(self, "loaded_status", None)

    @classmethod
    def granted(cls):
        """Approved, unexpired, unrevoked requests: the ones that grant access now."""
        now = timezone.now()
        return cls.objects.filter(status=cls.Status.APPROVED).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    @classmethod
    def granted_document_ids(cls, user):
        """Documents ``user`` holds a granting request for (a subquery)."""
        return cls.granted().filter(user=user).values("document_id")
