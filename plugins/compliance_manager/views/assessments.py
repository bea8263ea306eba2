from __future__ import annotations

from types import SimpleNamespace

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cms.plugins import registry

from ..forms import AssessmentForm
from ..group_tree import find_group, group_path, group_tree
from ..mapping_credit import control_credits
from ..models import ActionPoints, AssessmentAction, Role
from ..models.points import kind_label
from ..roles import (
    has_role,
    organization_members,
    require_role,
    visible_assessments,
    visible_groups,
)
from ..scoring import (
    CONTROL_STATUSES,
    ActionState,
    group_score,
    group_scores,
    link_target,
    summarize_assessment,
)
from ..workflow import controls_of, create_assessment
from . import is_object_id, member_required


@require_GET
@member_required
def index(request):
    groups = list(visible_groups(request.user).prefetch_related("assessments__template"))
    scores = group_scores(groups)
    rows = [(group, scores[group.pk]) for group in groups]
    return render(
        request,
        "compliance/index.html",
        {
            "groups": rows,
            "can_create": has_role(request.user, Role.CONTRIBUTOR),
            "form": AssessmentForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def create(request):
    organization = require_role(request.user, Role.CONTRIBUTOR)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = create_assessment(
            organization,
            form.cleaned_data["template"],
            form.cleaned_data["title"],
            form.cleaned_data["group"],
            request.user,
            service=form.cleaned_data["service"],
        )
        return redirect("compliance:assessment", pk=assessment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "compliance/assessment_form.html", {"form": form}, status=status)


@require_GET
@member_required
def dashboard(request, pk):
    assessment = get_object_or_404(
        visible_assessments(request.user).select_related("group", "template", "service"), pk=pk
    )
    summary = summarize_assessment(assessment)
    tree = group_tree(assessment, summary)
    members = list(organization_members(assessment.organization))
    status = request.GET.get("status", "")
    assignee = request.GET.get("assignee", "")
    # A family, or a sub-group of one, by its OSCAL id: a family takes in its sub-groups.
    group = find_group(tree, request.GET.get("group", ""))
    controls = summary.controls
    if status in CONTROL_STATUSES:
        controls = [c for c in controls if c.status == status]
    if is_object_id(assignee):
        controls = [c for c in controls if int(assignee) in c.assignee_ids]
    if group is not None:
        controls = [c for c in controls if c.control_id in group.control_ids]
    per_page = registry.get_plugin("compliance").setting("CONTROLS_PER_PAGE")
    page = Paginator(controls, per_page).get_page(request.GET.get("page"))
    status_rows = [
        (key, label, summary.by_status.get(key, 0)) for key, label in CONTROL_STATUSES.items()
    ]
    table = ActionPoints.table()
    kind_rows = [
        (kind_label(*kind), points, summary.by_kind[kind])
        for kind, points in table.items()
        if kind in summary.by_kind
    ]
    return render(
        request,
        "compliance/dashboard.html",
        {
            "assessment": assessment,
            "summary": summary,
            "families": tree,
            "group_options": [node for family in tree for node in family.walk()],
            "status_rows": status_rows,
            "kind_rows": kind_rows,
            "provider_score": summary.by_kind.get(None),
            "controls_total": len(summary.controls),
            "page": page,
            "members": members,
            "statuses": CONTROL_STATUSES,
            "selected_status": status,
            "selected_assignee": assignee,
            "selected_group": group.oscal_id if group else "",
        },
    )


@require_GET
@member_required
def control_detail(request, pk, control_pk):
    assessment = get_object_or_404(
        visible_assessments(request.user).select_related("group", "template"), pk=pk
    )
    control = get_object_or_404(
        controls_of(assessment).select_related("family", "parent"), pk=control_pk
    )
    links = (
        AssessmentAction.objects.filter(assessment=assessment, control=control)
        .select_related("action_item__assignee")
        .order_by("action_item__key")
    )
    return render(
        request,
        "compliance/control.html",
        {
            "assessment": assessment,
            "control": control,
            "group_path": group_path(control),
            "fate": None if control.in_force else _fate(assessment, control),
            "items": [link.action_item for link in links],
            "enhancements": list(controls_of(assessment).filter(parent=control)),
            "members": list(organization_members(assessment.organization)),
            "can_contribute": has_role(request.user, Role.CONTRIBUTOR),
            # Shown with where it comes from; counted in the score by ``scoring``.
            "credits": control_credits(assessment, control.pk, ActionState),
        },
    )


def _fate(assessment, control) -> SimpleNamespace:
    """What became of a withdrawn or retired control, its links resolved to this template's
    controls (as the dashboard shows them)."""
    named = [link["control_id"] for link in control.withdrawn_to]
    targets = {
        oscal_id: (pk, label)
        for pk, oscal_id, label in controls_of(assessment)
        .filter(oscal_id__in=named)
        .values_list("pk", "oscal_id", "label")
    }
    return SimpleNamespace(
        withdrawn=control.withdrawn,
        withdrawn_to=[
            link_target(link, targets.get(link["control_id"])) for link in control.withdrawn_to
        ],
        retired_at=control.retired_at,
    )


@require_GET
@member_required
def group_detail(request, pk):
    group = get_object_or_404(visible_groups(request.user), pk=pk)
    assessments = list(group.assessments.select_related("template", "service"))
    return render(
        request,
        "compliance/group.html",
        {"group": group, "score": group_score(group), "assessments": assessments},
    )
