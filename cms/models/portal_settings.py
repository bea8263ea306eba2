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

    panels = [FieldPanel("trust_center_url"), FieldPanel("trust_center_label")]

    class Meta:
        verbose_name = _("portal settings")
