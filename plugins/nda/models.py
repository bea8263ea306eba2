"""NDA versions and the evidence of their acceptance.

Acceptances are evidence: they are never changed or deleted, a user has one per NDA version
(a database constraint), and they record the SHA-256 of the exact text the user was shown (in
the language it was shown in).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin, TranslatableMixin

from cms.i18n import default_locale


class NdaVersion(DraftStateMixin, RevisionMixin, TranslatableMixin, models.Model):
    version_label = models.CharField(_("version"), max_length=64)
    title = models.CharField(_("title"), max_length=200, default="Non-disclosure agreement")
    text = models.TextField(_("text"), help_text=_("The full agreement, as readers will see it."))
    effective_at = models.DateTimeField(
        _("effective from"),
        default=timezone.now,
        help_text=_("From this time on, readers must accept this version before gated downloads."),
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="ndaversion")

    panels = [
        FieldPanel("version_label"),
        FieldPanel("title"),
        FieldPanel("text"),
        FieldPanel("effective_at"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("NDA version")
        verbose_name_plural = _("NDA versions")
        ordering = ["-effective_at"]

    def __str__(self):
        return f"{self.title} ({self.version_label})"

    @property
    def revisions(self):
        return self._revisions

    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @classmethod
    def current(cls) -> NdaVersion | None:
        """The live source-language version in effect now (the newest effective one)."""
        return (
            cls.objects.filter(live=True, locale=default_locale(), effective_at__lte=timezone.now())
            .order_by("-effective_at", "-pk")
            .first()
        )


class AppendOnly(models.Model):
    """Rows that, once written, are evidence: no update, no delete."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise PermissionDenied(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(f"{type(self).__name__} records cannot be deleted.")


class NdaAcceptance(AppendOnly):
    # The user may be deleted later; the copies keep the evidence readable.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    organization = models.ForeignKey(
        "cms.Organization", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization_name = models.CharField(max_length=200, blank=True)
    nda_version = models.ForeignKey(
        NdaVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    language = models.CharField(max_length=8)
    text_sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64)
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    #: True only on acceptances recorded before the constraint below existed, by a user who had
    #: already accepted the same version (parallel requests): still evidence, so kept, but not
    #: *the* acceptance, which is the earliest (migration 0002 flagged them).
    repeats_earlier = models.BooleanField(
        _("repeats an earlier acceptance"), default=False, editable=False
    )

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("NDA acceptance")
        verbose_name_plural = _("NDA acceptances")
        indexes = [models.Index(fields=["user", "nda_version"])]
        constraints = [
            # Once per user and version: of two requests at once, the database records one and
            # the other answers with it (``acceptance.record_acceptance``). A deleted user's
            # acceptances (user NULL) are distinct to the constraint and all kept.
            models.UniqueConstraint(
                fields=["user", "nda_version"],
                condition=Q(repeats_earlier=False),
                name="nda_accepted_once",
            )
        ]

    def __str__(self):
        return f"{self.username} accepted {self.nda_version} on {self.accepted_at:%Y-%m-%d}"


class OfflineNdaAgreement(models.Model):
    """An organization that signed the NDA outside the portal: its members need not accept it."""

    organization = models.OneToOneField(
        "cms.Organization", on_delete=models.CASCADE, related_name="offline_nda"
    )
    note = models.CharField(
        _("note"), max_length=255, blank=True, help_text=_("e.g. contract reference")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("organization"), FieldPanel("note"), FieldPanel("valid_until")]

    class Meta:
        verbose_name = _("NDA signed outside the portal")
        verbose_name_plural = _("NDAs signed outside the portal")

    def __str__(self):
        return f"{self.organization} ({self.note or _('NDA signed outside the portal')})"

    def is_valid(self) -> bool:
        return self.valid_until is None or self.valid_until >= timezone.localdate()
