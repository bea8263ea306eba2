"""More › Admin for an organization's Compliance Manager administrators: roles, the
automatic-update switch and user privacy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import automatic_updates as updates
from .. import privacy as user_privacy
from ..forms import PrivacyForm, RoleForm
from ..models import ActionItem, ActionItemChange, ComplianceRole, Role
from ..roles import organization_members, require_role, role_of
from . import member_required


@require_http_methods(["GET", "POST"])
@member_required
def roles(request):
    organization = require_role(request.user, Role.ADMINISTRATOR)
    members = organization_members(organization)
    form = RoleForm(request.POST or None, members=members)
    if request.method == "POST":
        if not form.is_valid():
            return _roles_page(request, organization, members, form, status=400)
        ComplianceRole.objects.update_or_create(
            user=form.cleaned_data["user"],
            defaults={"organization": organization, "role": form.cleaned_data["role"]},
        )
        messages.success(request, _("Role saved."))
        return redirect("compliance:roles")
    return _roles_page(request, organization, members, form)


def _roles_page(request, organization, members, form, status=200):
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
        request, "compliance/admin_roles.html", {"rows": rows, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@member_required
def automatic_updates(request):
    organization = require_role(request.user, Role.ADMINISTRATOR)
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
        {
            "config": config,
            "token": token,
            "followed": followed.select_related("group").order_by("group__name", "key")[:200],
            "followed_count": followed.count(),
            "role": role_of(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def privacy(request):
    organization = require_role(request.user, Role.ADMINISTRATOR)
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
                {"form": form, "bad_action": True},
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
                return render(request, "compliance/admin_privacy.html", {"form": form}, status=400)
            count = user_privacy.reassign_all(organization, user, target, request.user)
            messages.success(request, _("%(count)d action items reassigned.") % {"count": count})
        else:
            count = user_privacy.remove_user(organization, user, request.user)
            messages.success(
                request,
                _("%(count)d assignments removed; history shows “user removed”.")
                % {"count": count},
            )
        return redirect("compliance:privacy")
    return render(request, "compliance/admin_privacy.html", {"form": form})
