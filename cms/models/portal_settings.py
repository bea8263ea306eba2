from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="link")
class PortalSettings(BaseGenericSetting):
    trust_center_url = models.URLField(
        _("Trust Center link"),
        blank=True,
        default="https://example.com/trust-center",
        help_text=_("The provider's public trust center, linked from the main menu."),
    )
    trust_center_label = models.CharField(
        _("Trust Center label"), max_length=60, default="Trust Center"
    )

    allow_sign_up = models.BooleanField(
        _("allow sign-up"),
        default=False,
        help_text=_(
            "Let prospects register with a verified e-mail address. Addresses in an organization's "
            "verified domain join that organization; others get a personal account."
        ),
    )

    panels = [
        FieldPanel("trust_center_url"),
        FieldPanel("trust_center_label"),
        FieldPanel("allow_sign_up"),
    ]

    class Meta:
        verbose_name = _("portal settings")
