"""More › Admin › Action points: the points each kind of improvement action is worth, for the
portal's staff (``roles.edits_points_table``); every other user gets a 403 saying why."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import PointsTableForm
from ..models import ActionPoints
from ..roles import edits_points_table
from ..weighting import save_table


@require_http_methods(["GET", "POST"])
def points_table(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not edits_points_table(request.user):
        reason = _("The points table is edited by the portal's staff only.")
        return render(request, "compliance/forbidden.html", {"reason": reason}, status=403)
    form = PointsTableForm(request.POST or None, table=ActionPoints.table())
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "compliance/admin_points.html", {"form": form}, status=400)
        result = save_table(form.points())
        messages.success(
            request,
            _(
                "Points table saved; %(actions)d improvement actions and %(items)d action items "
                "now have new points."
            )
            % {"actions": result.actions, "items": result.action_items},
        )
        return redirect("compliance:points_table")
    return render(request, "compliance/admin_points.html", {"form": form})
