"""The Wagtail admin's screen of Compliance Manager roles, in its Organizations menu beside the
organizations and their members (the menu's registration point is ``cms.accounts.admin_menu``).

A role belongs to a member: the form offers the approved members of customer organizations and
keeps the role for the member's organization. Members without a role here are readers, and their
organization's administrators are administrators (``roles.role_of``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic.models import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.accounts.admin_menu import MEMBER_SEARCH_FIELDS, ORGANIZATIONS_MENU_HOOK
from cms.models import Membership

from .models import ComplianceRole


def member_label(user) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.get_username()}, {user.membership.organization.name})"


class ComplianceRoleForm(WagtailAdminModelForm):
    class Meta:
        model = ComplianceRole
        fields = ["user", "role"]
        # A plain list of members: Wagtail's user chooser would offer every account.
        widgets = {"user": forms.Select}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        # The member this role is for stays listed while being edited, even if they left.
        members = Q(membership__approved=True) | Q(pk=self.instance.user_id)
        field.queryset = (
            get_user_model()
            .objects.filter(members, membership__isnull=False)
            .select_related("membership__organization")
            .order_by("membership__organization__name", "username")
        )
        field.label_from_instance = member_label
        field.help_text = _(
            "An approved member of a customer organization; the role applies in that organization."
        )

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None:
            membership = Membership.objects.filter(user=user, approved=True).first()
            if membership is None:
                message = gettext("This user is not an approved member of an organization.")
                self.add_error("user", message)
            else:
                self.instance.organization_id = membership.organization_id
        return cleaned


class ComplianceRoleCreateView(CreateView):
    def form_valid(self, form):
        # The form checks that the member has no role yet; a double-clicked Create passes that
        # check twice, and the database refuses the second row: a form error, not a 500.
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            form.add_error("user", gettext("This member has a role already: edit that one."))
            form.instance.pk = None
            form.instance._state.adding = True
            return self.form_invalid(form)


class ComplianceRoleViewSet(ModelViewSet):
    model = ComplianceRole
    icon = "tasks"
    menu_label = _("Compliance Manager roles")
    menu_hook = ORGANIZATIONS_MENU_HOOK
    menu_order = 10
    add_view_class = ComplianceRoleCreateView
    edit_handler = ObjectList(
        [FieldPanel("user"), FieldPanel("role")], base_form_class=ComplianceRoleForm
    )
    list_display = ["user", "organization", "role"]
    list_filter = ["organization", "role"]
    # Matched by the database (icontains), as the Members screen is: the same on every database.
    search_backend_name = None
    search_fields = MEMBER_SEARCH_FIELDS
    ordering = ["organization__name", "user__username"]
