"""More › Admin: roles, the automatic-update switch and user privacy, for an organization's
Compliance Manager administrators (their own organization) and for the portal's administrators
(any organization, chosen with ``?organization=<id>``; see ``roles.administers_any_organization``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cms.models import Organization, organization_of

from .. import automatic_updates as updates
from .. import privacy as user_privacy
from ..forms import PrivacyForm, RoleForm
from ..models import ActionItem, ActionItemChange, ComplianceRole, Role
from ..roles import (
    administers_any_organization,
    has_role,
    organization_members,
    require_role,
)
from . import is_object_id, member_required


@dataclass(frozen=True)
class Administered:
    """The organization a More › Admin screen is about, and how the user reached it."""

    organization: Organization
    #: Named in the URL (``?organization=<id>``): the links and redirects of the screen keep it.
    named: bool
    #: What a portal administrator may switch to; None for an organization's own administrator.
    choices: QuerySet | None

    def url(self, name: str) -> str:
        url = reverse(f"compliance:{name}")
        if self.named:
            url += "?" + urlencode({"organization": self.organization.pk})
        return url

    def context(self, **extra) -> dict:
        return {"organization": self.organization, "organizations": self.choices, **extra}


def organization_administration(view):
    """Call ``view(request, administered)`` with the organization this screen is about.

    Portal administrators name it with ``?organization=<id>`` (a page to choose one answers
    when they do not and administer no organization of their own); anyone else gets their own
    organization if they are its Compliance Manager administrator (a 403 otherwise, as every
    Compliance Manager page answers), and a 404 when they name another one.
    """

    @wraps(view)
    def wrapper(request):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        requested = request.GET.get("organization")
        if requested is not None and not is_object_id(requested):
            raise Http404
        if not administers_any_organization(user):
            return _own_organization_only(request, view, requested)
        choices = Organization.objects.order_by("name")
        if requested is not None:
            organization = get_object_or_404(Organization, pk=requested)
        elif has_role(user, Role.ADMINISTRATOR):
            organization = organization_of(user)
        else:
            return render(
                request, "compliance/admin_choose_organization.html", {"organizations": choices}
            )
        return view(request, Administered(organization, requested is not None, choices))

    return wrapper


@member_required
def _own_organization_only(request, view, requested):
    organization = require_role(request.user, Role.ADMINISTRATOR)
    if requested is not None and int(requested) != organization.pk:
        # Another organization's settings are not there for this user, like its assessments.
        raise Http404
    return view(request, Administered(organization, requested is not None, None))


@require_http_methods(["GET", "POST"])
@organization_administration
def roles(request, administered):
    organization = administered.organization
    members = organization_members(organization)
    form = RoleForm(request.POST or None, members=members)
    if request.method == "POST":
        if not form.is_valid():
            return _roles_page(request, administered, members, form, status=400)
        ComplianceRole.objects.update_or_create(
            user=form.cleaned_data["user"],
            defaults={"organization": organization, "role": form.cleaned_data["role"]},
        )
        messages.success(request, _("Role saved."))
        return redirect(administered.url("roles"))
    return _roles_page(request, administered, members, form)


def _roles_page(request, administered, members, form, status=200):
    organization = administered.organization
    rows = []
    for member in members.select_related("compliance_role", "membership"):
        # role_of caches on the user object; these are fresh objects, so compute from the row.
        explicit = getattr(member, "compliance_role", None)
        if explicit is not None and explicit.organization_id == organization.pk:
            role = Role(explicit.role)
        elif member.membership.role == "admin":
            role = Role.ADMINISTRATOR
        else:
            role = Role.READER
        rows.append((member, role))
    return render(
        request,
        "compliance/admin_roles.html",
        administered.context(rows=rows, form=form),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organization_administration
def automatic_updates(request, administered):
    organization = administered.organization
    config = updates.settings_for(organization)
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enable":
            config.enabled = True
            config.save(update_fields=["enabled"])
        elif action == "disable":
            config.enabled = False
            config.save(update_fields=["enabled"])
        elif action == "token":
            token = updates.rotate_token(organization)
        else:
            return HttpResponse(_("Unknown action."), status=400)
    followed = ActionItem.objects.filter(organization=organization, automatic_updates=True)
    return render(
        request,
        "compliance/admin_automatic_updates.html",
        administered.context(
            config=config,
            token=token,
            followed=followed.select_related("group").order_by("group__name", "key")[:200],
            followed_count=followed.count(),
        ),
    )


@require_http_methods(["GET", "POST"])
@organization_administration
def privacy(request, administered):
    organization = administered.organization
    members = organization_members(organization)
    # Former members keep traces too: anyone assigned or named in this organization's history.
    users = (
        get_user_model()
        .objects.filter(
            Q(membership__organization=organization)
            | Q(compliance_action_items__organization=organization)
            | Q(
                pk__in=ActionItemChange.objects.filter(
                    action_item__organization=organization, actor__isnull=False
                ).values("actor")
            )
        )
        .distinct()
        .order_by("username")
    )
    form = PrivacyForm(request.POST or None, users=users, members=members)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"export", "reassign", "remove"} or not form.is_valid():
            return render(
                request,
                "compliance/admin_privacy.html",
                administered.context(form=form, bad_action=True),
                status=400,
            )
        user = form.cleaned_data["user"]
        if action == "export":
            response = HttpResponse(
                user_privacy.assignment_report(organization, user), content_type="text/csv"
            )
            response["Content-Disposition"] = f'attachment; filename="action-items-{user.pk}.csv"'
            return response
        if action == "reassign":
            target = form.cleaned_data["to_user"]
            if target is None or target == user:
                form.add_error("to_user", _("Choose another member to reassign to."))
                return render(
                    request,
                    "compliance/admin_privacy.html",
                    administered.context(form=form),
                    status=400,
                )
            count = user_privacy.reassign_all(organization, user, target, request.user)
            messages.success(request, _("%(count)d action items reassigned.") % {"count": count})
        else:
            count = user_privacy.remove_user(organization, user, request.user)
            messages.success(
                request,
                _("%(count)d assignments removed; history shows “user removed”.")
                % {"count": count},
            )
        return redirect(administered.url("privacy"))
    return render(request, "compliance/admin_privacy.html", administered.context(form=form))
