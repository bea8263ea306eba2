"""Compliance Manager roles per organization and the organization's automatic-update switch."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    READER = "reader", _("Reader")
    CONTRIBUTOR = "contributor", _("Contributor")
    ASSESSOR = "assessor", _("Assessor")
    ADMINISTRATOR = "administrator", _("Administrator")


class ComplianceRole(models.Model):
    """A member's role; members without one are readers (organization administrators:
    administrators), see ``roles.role_of``."""

    organization = models.ForeignKey(
        "cms.Organization", on_delete=models.CASCADE, related_name="compliance_roles"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compliance_role"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("Compliance Manager role")
        verbose_name_plural = _("Compliance Manager roles")
        permissions = [
            (
                "administer_any_organization",
                _("Can manage the Compliance Manager settings of any organization"),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.role})"


def new_signal_secret() -> str:
    return secrets.token_urlsafe(24)


class AutomaticUpdates(models.Model):
    """Whether external signals may update this organization's actions, and the secret its
    signed token is bound to (rotating it revokes every token handed out before)."""

    organization = models.OneToOneField(
        "cms.Organization", on_delete=models.CASCADE, related_name="compliance_automatic_updates"
    )
    enabled = models.BooleanField(_("accept automatic updates"), default=False)
    secret = models.CharField(max_length=64, default=new_signal_secret)

    def __str__(self):
        return f"{self.organization}: {'on' if self.enabled else 'off'}"
