"""Customer organizations and who belongs to them.

Organization accounts get everything their organization is entitled to; users without one
(personal accounts) see less. A user joins by a verified e-mail domain, an OpenID Connect
organization claim, or an administrator's choice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().lstrip("@").rstrip(".")


class Organization(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    email_domains = models.TextField(
        _("verified e-mail domains"),
        blank=True,
        help_text=_("One per line. Addresses in these domains may join this organization."),
    )
    oidc_claim_value = models.CharField(
        _("OpenID Connect organization"),
        max_length=200,
        blank=True,
        help_text=_("The tenant or organization claim the identity provider sends for its users."),
    )
    requires_approval = models.BooleanField(
        _("new members need approval"),
        default=False,
        help_text=_(
            "Members who join by their e-mail domain wait for an organization administrator."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("email_domains"),
        FieldPanel("oidc_claim_value"),
        FieldPanel("requires_approval"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def domains(self) -> list[str]:
        return [normalize_domain(d) for d in self.email_domains.splitlines() if d.strip()]

    @classmethod
    def for_email(cls, email: str) -> Organization | None:
        """The organization whose verified domain matches ``email`` exactly (no subdomains)."""
        domain = normalize_domain(email.rpartition("@")[2]) if "@" in email else ""
        if not domain:
            return None
        for organization in cls.objects.exclude(email_domains=""):
            if domain in organization.domains:
                return organization
        return None


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ADMIN = "admin", _("Organization administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    approved = models.BooleanField(
        _("approved"),
        default=True,
        help_text=_("Unapproved members are treated as personal accounts."),
    )
    pinned = models.BooleanField(
        _("kept by an administrator"),
        default=False,
        help_text=_(
            "Sign-ins through the identity provider leave a kept membership as it is. Otherwise "
            "each sign-in places the user where the provider's claims and verified e-mail "
            "domain say, and ends the membership when they no longer name this organization."
        ),
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("user"),
        FieldPanel("organization"),
        FieldPanel("role"),
        FieldPanel("approved"),
        FieldPanel("pinned"),
    ]

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.organization}"


def organization_of(user) -> Organization | None:
    """The approved organization of ``user``, or None for anonymous and personal accounts."""
    if not (user and user.is_authenticated):
        return None
    cached = getattr(user, "_trustportal_organization", False)
    if cached is not False:
        return cached
    membership = (
        Membership.objects.filter(user=user, approved=True).select_related("organization").first()
    )
    user._trustportal_organization = membership.organization if membership else None
    return user._trustportal_organization
