from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import IdConverter
from .delivery.watermark import watermark_problem
from .files import pdf_checks
from .plugins import registry


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Trust Portal content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import publishing, setup
        from .access import profile, ratelimit
        from .delivery import (
            dashboard,  # noqa: F401 - registers its panel on the admin's dashboard
            prepared_copies,
        )

        registry.check_plugin_ids()
        # Before any URL configuration is read: the reader site's, the plugins' and the API's
        # routes name ids as ``<id:...>`` / ``{id:...}``.
        register_converter(IdConverter, "id")
        publishing.connect()
        # Members' entitlement profiles are cached until a write to one of their inputs.
        profile.connect()
        prepared_copies.connect()
        # An upload is accepted as a PDF only if the watermarker can open it (cms.files sits
        # below cms.delivery, so it is told here rather than importing it).
        pdf_checks.register(watermark_problem)
        post_migrate.connect(setup.post_migrate, dispatch_uid="cms_setup")
        checks.register(ratelimit.check_store, checks.Tags.security, deploy=True)
