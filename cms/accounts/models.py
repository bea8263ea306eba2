"""Which provider account signs in as which user; and the personal API tokens users make.

A user is found by the provider's (issuer, sub) pair and nothing else: e-mail addresses can be
changed, recycled or claimed unverified at a provider, so they never link an account.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import APIToken


class OidcIdentity(models.Model):
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject (sub)"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("OpenID Connect identity")
        verbose_name_plural = _("OpenID Connect identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="accounts_unique_subject")
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"


class PersonalAPIToken(models.Model):
    """An API token a user made for themselves on the reader site (``personal_tokens``): when it
    stops working, and the form that made it, so that sending that form twice makes one token.

    The token itself is Wagtail's ``APIToken`` (its digest only; the plaintext is shown once).
    Tokens staff make (Wagtail's admin, ``manage.py api_tokens``) have no such row and do not
    expire.
    """

    token = models.OneToOneField(
        APIToken, primary_key=True, on_delete=models.CASCADE, related_name="personal"
    )
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    submission = models.UUIDField(_("form submission"), unique=True, editable=False)

    class Meta:
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")

    def __str__(self):
        return f"{self.token} until {self.expires_at:%Y-%m-%d}"
