"""Admin screens for customer organizations and who belongs to them (Settings permission
holders only: Django's model permissions on Organization and Membership). Other apps add their
own screens to the same menu through ``admin_menu.ORGANIZATIONS_MENU_HOOK``."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from cms.models import Membership, Organization

from .admin_menu import MEMBER_SEARCH_FIELDS, ORGANIZATIONS_MENU_HOOK


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "group"
    menu_label = _("Organizations")
    list_display = ["name", "slug", "oidc_claim_value", "requires_approval", "created_at"]
    list_filter = ["requires_approval"]
    # Matched by the database (icontains), not Wagtail's search index: a handful of short
    # fields, and the same answer on every database.
    search_backend_name = None
    search_fields = ["name", "slug", "email_domains", "oidc_claim_value"]
    ordering = ["name"]


class MembershipCreateView(CreateView):
    def get_initial_form_instance(self):
        # A membership an administrator adds by hand is kept as such unless they say otherwise:
        # the provider's claims would otherwise undo it at the member's next sign-in.
        return Membership(pinned=True)


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Members")
    add_view_class = MembershipCreateView
    list_display = ["user", "organization", "role", "approved", "pinned", "joined_at"]
    list_filter = ["organization", "role", "approved", "pinned"]
    search_backend_name = None
    search_fields = MEMBER_SEARCH_FIELDS
    ordering = ["organization__name", "user__username"]


class OrganizationsGroup(ModelViewSetGroup):
    items = (OrganizationViewSet("organizations"), MembershipViewSet("memberships"))
    menu_icon = "group"
    menu_label = _("Organizations")
    menu_name = "organizations"
    menu_order = 170
    submenu_hook = ORGANIZATIONS_MENU_HOOK


@hooks.register("register_admin_viewset")
def register_organizations():
    return OrganizationsGroup()
