from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import NdaAcceptance, NdaVersion, OfflineNdaAgreement


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds, edits or deletes evidence through the admin, superusers included."""

    def user_has_permission(self, user, action):
        return action not in {
            "add",
            "change",
            "delete",
            "lock",
            "unlock",
        } and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NdaVersionViewSet(SnippetViewSet):
    model = NdaVersion
    icon = "doc-full"
    list_display = ["version_label", "title", "effective_at", "locale", "live"]
    list_filter = ["live", "locale"]


class NdaAcceptanceViewSet(SnippetViewSet):
    """Evidence: listed and exported, never created or edited by hand."""

    model = NdaAcceptance
    icon = "tick-inverse"
    list_display = ["username", "organization_name", "nda_version", "accepted_at", "ip"]
    # Repeats: acceptances recorded twice before the database allowed one (see the model).
    list_filter = ["nda_version", "accepted_at", "repeats_earlier"]
    list_export = [
        "username",
        "email",
        "organization_name",
        "nda_version",
        "language",
        "text_sha256",
        "accepted_at",
        "ip",
        "user_agent",
        "repeats_earlier",
    ]
    export_filename = "nda-acceptances"
    search_fields = ["username", "email", "organization_name"]
    inspect_view_enabled = True


class OfflineNdaViewSet(SnippetViewSet):
    model = OfflineNdaAgreement
    icon = "form"


class NdaGroup(SnippetViewSetGroup):
    items = (NdaVersionViewSet, NdaAcceptanceViewSet, OfflineNdaViewSet)
    menu_icon = "doc-full-inverse"
    menu_label = _("NDA")
    menu_name = "nda"
    menu_order = 170


register_permission_policy(NdaAcceptance, ReadOnlyPermissionPolicy(NdaAcceptance))
register_snippet(NdaGroup)
