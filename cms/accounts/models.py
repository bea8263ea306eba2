"""Which provider account signs in as which user.

A user is found by the provider's (issuer, sub) pair and nothing else: e-mail addresses can be
changed, recycled or claimed unverified at a provider, so they never link an account.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
