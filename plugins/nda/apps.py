from django.utils.translation import gettext_lazy as _

from cms.plugins.base import PluginConfig


class NdaConfig(PluginConfig):
    name = "plugins.nda"
    label = "nda"
    plugin_id = "nda"
    default = True
    verbose_name = _("NDA")

    def reader_urls(self):
        from django.urls import path

        from . import views

        return [path("accept/", views.accept, name="accept")]

    def api_router(self):
        from .api import router

        return router

    def private_models(self):
        # The NDA's own versions stay out: its text may be on a public page.
        return ["nda.NdaAcceptance", "nda.OfflineNdaAgreement"]

    def access_rules(self):
        from .rules import NdaAccepted

        return [NdaAccepted()]
