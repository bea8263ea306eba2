from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Trust Portal content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import setup, signals
        from .plugins import registry

        registry.check_plugin_ids()
        signals.connect()
        post_migrate.connect(setup.post_migrate, dispatch_uid="cms_setup")
