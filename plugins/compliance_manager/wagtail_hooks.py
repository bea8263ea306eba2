"""Staff edit templates in the Wagtail admin: who is responsible for each control, the
provider's implementation and test, and the improvement actions customers should take; and the
members' Compliance Manager roles, in the admin's Organizations menu (``staff_roles``)."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Control, Template
from .staff_roles import ComplianceRoleViewSet


class TemplateViewSet(SnippetViewSet):
    model = Template
    icon = "list-ul"
    list_display = ["title", "version", "source_name", "imported_at"]
    # Templates come from OSCAL files (import_oscal); the admin only renames them.
    add_to_admin_menu = False


class ControlViewSet(SnippetViewSet):
    model = Control
    icon = "tick-inverse"
    list_display = ["label", "title", "template", "responsibility", "test_result"]
    list_filter = ["template", "responsibility", "test_result"]
    search_fields = ["title", "label", "oscal_id"]
    ordering = ["template", "sort_order"]


class ComplianceManagerGroup(SnippetViewSetGroup):
    menu_label = _("Compliance Manager")
    menu_icon = "tasks"
    items = (TemplateViewSet, ControlViewSet)


register_snippet(ComplianceManagerGroup)


@hooks.register("register_admin_viewset")
def register_compliance_roles():
    return ComplianceRoleViewSet("compliance_roles", url_prefix="compliance-roles")


@hooks.register("register_permissions")
def register_compliance_role_permissions():
    # Groups may be given the roles screen, and More › Admin of any organization on the reader
    # site (``roles.ANY_ORGANIZATION_PERMISSION``), in Settings › Groups; and the points table
    # (``roles.POINTS_TABLE_PERMISSION``), edited on the reader site too.
    return Permission.objects.filter(content_type__app_label="compliance").filter(
        Q(content_type__model="compliancerole") | Q(codename="change_actionpoints")
    )
