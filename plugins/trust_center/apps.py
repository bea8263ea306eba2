from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cms.plugins.base import FooterLink, PluginConfig


class TrustCenterConfig(PluginConfig):
    """The trust center's front-page content beyond documents: the subprocessors list (whose
    changes are core events, ``SubprocessorChanged``) and a searchable security FAQ whose
    answers follow the documents' access levels."""

    name = "plugins.trust_center"
    label = "trust_center"
    plugin_id = "trust_center"
    contract_version = "1.0"
    default = True
    verbose_name = _("Trust center")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import published, unpublished

        from . import changes
        from .models import Subprocessor

        published.connect(changes.on_published, sender=Subprocessor, dispatch_uid="tc_published")
        unpublished.connect(
            changes.on_withdrawn, sender=Subprocessor, dispatch_uid="tc_unpublished"
        )
        post_delete.connect(changes.on_withdrawn, sender=Subprocessor, dispatch_uid="tc_deleted")

    def reader_urls(self):
        from . import views

        return [
            path("subprocessors/", views.subprocessors, name="subprocessors"),
            path("faq/", views.faq, name="faq"),
        ]

    def footer_links(self, request):
        return [
            FooterLink(
                label=str(_("Subprocessors")), url=reverse("trust_center:subprocessors"), order=30
            ),
            FooterLink(label=str(_("Security FAQ")), url=reverse("trust_center:faq"), order=31),
        ]

    def api_router(self):
        from .api import router

        return router
