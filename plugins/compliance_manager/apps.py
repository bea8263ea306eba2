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
        # Action items one bulk change may select (and one page of an assessment's action items
        # lists, so a whole page can be selected); below Django's 1,000 form fields a request.
        "BULK_MAX_ITEMS": 500,
    }

    def ready(self):
        from django.db.models.signals import post_save

        from .models import ImprovementAction
        from .weighting import action_saved

        # Action items follow their action's kind and points, whoever saves it (the admin's
        # control editor saves each of a control's actions).
        post_save.connect(action_saved, sender=ImprovementAction, dispatch_uid="compliance-points")

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
        from .roles import administers_an_organization, edits_points_table

        points_table = []
        if edits_points_table(request.user):
            points_table.append(
                MenuItem(
                    label=str(_("Action points")), url=reverse("compliance:points_table"), order=23
                )
            )
        # An organization's administrators reach their own settings; portal administrators
        # choose the organization on the page the entries lead to.
        if not administers_an_organization(request.user):
            return points_table
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
            *points_table,
        ]

    def api_router(self):
        from .api import router

        return router

    def private_models(self):
        # Assessments, catalogs and their evidence are shown to members and staff only.
        return [model._meta.label for model in self.get_models()]

    def search_providers(self):
        from .search import ComplianceSearchProvider

        return [ComplianceSearchProvider()]
