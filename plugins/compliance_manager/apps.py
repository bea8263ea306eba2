from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.plugins.base import MenuItem, PluginConfig


class ComplianceManagerConfig(PluginConfig):
    name = "plugins.compliance_manager"
    label = "compliance"
    plugin_id = "compliance"
    default = True
    verbose_name = _("Compliance Manager")
    default_settings = {
        # Controls per page of an assessment's dashboard, action items per API page at most.
        "CONTROLS_PER_PAGE": 50,
    }

    def reader_urls(self):
        from .urls import urlpatterns

        return urlpatterns

    def menu_items(self, request):
        from .roles import role_of

        if role_of(request.user) is None:
            return []
        return [
            MenuItem(label=str(_("Compliance Manager")), url=reverse("compliance:index"), order=20)
        ]

    def admin_menu_items(self, request):
        from .roles import administers_an_organization

        # An organization's administrators reach their own settings; portal administrators
        # choose the organization on the page the entries lead to.
        if not administers_an_organization(request.user):
            return []
        return [
            MenuItem(
                label=str(_("Compliance Manager roles")), url=reverse("compliance:roles"), order=20
            ),
            MenuItem(
                label=str(_("Automatic updates")),
                url=reverse("compliance:automatic_updates"),
                order=21,
            ),
            MenuItem(label=str(_("User privacy")), url=reverse("compliance:privacy"), order=22),
        ]

    def api_router(self):
        from .api import router

        return router

    def search_providers(self):
        from .search import ComplianceSearchProvider

        return [ComplianceSearchProvider()]
