from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import IdConverter
from .plugins import registry


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Trust Portal content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import publishing, setup
        from .access import ratelimit

        registry.check_plugin_ids()
        # Before any URL configuration is read: the reader site's, the plugins' and the API's
        # routes name ids as ``<id:...>`` / ``{id:...}``.
        register_converter(IdConverter, "id")
        publishing.connect()
        post_migrate.connect(setup.post_migrate, dispatch_uid="cms_setup")
        checks.register(ratelimit.check_store, checks.Tags.security, deploy=True)
