from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The reader site as an app: its template tags, static files and management commands (the
    demo). App label, template folder and URL namespace are all ``portal``."""

    name = "sites"
    label = "portal"
    verbose_name = _("Reader site")

    def ready(self):
        from wagtail.api.v3.urls import api

        from .api import mount

        mount(api)
