"""An assessment's action items across all of its controls, filtered by family, status and
assignee, and one change (assign, due date, status) applied to those selected: a plain form with
checkboxes, no JavaScript needed.

A bulk change is refused whole, with a message, before anything is changed: a field the user's
role may not set (403, as a single edit), an id that is no action item of this assessment in the
user's organization (404), no selection, too large a selection or a bad value (400).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cms.plugins import registry

from ..forms import NOBODY, BulkChangeForm
from ..models import AssessmentAction, Responsibility
from ..roles import organization_members, visible_action_items, visible_assessments
from ..scoring import CONTROL_STATUSES, ActionState, status_condition
from ..workflow import change_in_bulk
from . import is_object_id, member_required
from .actions import action_url, allowed_fields

#: What one bulk change may set (the fields of single edits that make sense for many items).
BULK_FIELDS = ("assignee", "due_date", "implementation_status", "testing_status")


@dataclass(frozen=True)
class Filters:
    family: str = ""
    status: str = ""
    assignee: str = ""

    @classmethod
    def of(cls, query) -> Filters:
        """What the query asks for; a value that names nothing filters nothing."""
        family, status, assignee = (
            query.get(name, "") for name in ("family", "status", "assignee")
        )
        return cls(
            family=family if is_object_id(family) else "",
            status=status if status in CONTROL_STATUSES else "",
            assignee=assignee if assignee == NOBODY or is_object_id(assignee) else "",
        )

    def query(self) -> str:
        return "&".join(f"{name}={value}" for name, value in vars(self).items() if value)


def _assessment(request, pk):
    return get_object_or_404(
        visible_assessments(request.user).select_related("group", "template", "organization"),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@member_required
def action_items(request, pk):
    assessment = _assessment(request, pk)
    members = organization_members(assessment.organization)
    if request.method == "POST":
        return _bulk_change(request, assessment, members)
    return _page(request, assessment, members, BulkChangeForm(members=members))


def _links(assessment, filters: Filters):
    """The links of every item the assessment counts, filtered, in the catalog's order: a
    queryset, so that a page costs two queries however many items match."""
    links = AssessmentAction.objects.filter(
        assessment=assessment, control__withdrawn=False, control__retired_at__isnull=True
    ).exclude(control__responsibility=Responsibility.PROVIDER)
    if filters.family:
        links = links.filter(control__family_id=int(filters.family))
    if filters.assignee == NOBODY:
        links = links.filter(action_item__assignee__isnull=True)
    elif filters.assignee:
        links = links.filter(action_item__assignee_id=int(filters.assignee))
    if filters.status:
        links = links.filter(status_condition(filters.status, prefix="action_item__"))
    return links.select_related("control", "action_item__assignee").order_by(
        "control__sort_order", "action_item__key", "pk"
    )


def _rows(links) -> list:
    """(control, item, status) of the links of one page."""
    rows = []
    for link in links:
        item = link.action_item
        status = ActionState(item.points, item.implementation_status, item.testing_status).status
        rows.append((link.control, item, status))
    return rows


def _page(request, assessment, members, form, *, status=200, error="", selected=()):
    filters = Filters.of(request.GET)
    per_page = registry.get_plugin("compliance").setting("BULK_MAX_ITEMS")
    page = Paginator(_links(assessment, filters), per_page).get_page(request.GET.get("page"))
    fields = allowed_fields(request.user)
    return render(
        request,
        "compliance/action_items.html",
        {
            "assessment": assessment,
            "page": page,
            "rows": _rows(page.object_list),
            "families": list(assessment.template.families.all()),
            "members": list(members),
            "statuses": CONTROL_STATUSES,
            "filters": filters,
            "nobody": NOBODY,
            "form": form,
            "can_change": {name: name in fields for name in BULK_FIELDS},
            "can_bulk": bool(fields & set(BULK_FIELDS)),
            "error": error,
            "selected": {str(pk) for pk in selected},
        },
        status=status,
    )


def _bulk_change(request, assessment, members):
    form = BulkChangeForm(request.POST, members=members)
    chosen = request.POST.getlist("items")
    valid_ids = {int(value) for value in chosen if is_object_id(value)}

    def refuse(status: int, error: str):
        return _page(
            request, assessment, members, form, status=status, error=error, selected=valid_ids
        )

    field = request.POST.get("apply", "")
    if field not in BULK_FIELDS:
        return refuse(400, _("Choose what to change: assign, due date or a status."))
    if field not in allowed_fields(request.user):
        # Exactly as a single edit answers a field the role may not set.
        return refuse(403, _("Your role may not change: %s.") % field)
    if not chosen:
        return refuse(400, _("Choose one or more action items."))
    limit = registry.get_plugin("compliance").setting("BULK_MAX_ITEMS")
    if len(chosen) > limit:
        return refuse(
            400,
            _("At most %(limit)d action items can be changed at once; %(count)d were chosen.")
            % {"limit": limit, "count": len(chosen)},
        )
    not_ids = [value for value in chosen if not is_object_id(value)]
    if not_ids:
        return refuse(400, _("Not an action item: %s.") % ", ".join(v[:20] for v in not_ids[:5]))
    # Another organization's item, or one of another assessment, is answered as if it did not
    # exist: nothing tells whether it does.
    items = visible_action_items(request.user).filter(
        pk__in=valid_ids, links__assessment=assessment
    )
    missing = len(valid_ids) - items.count()
    if missing:
        return refuse(
            404,
            ngettext(
                "%(count)d of the chosen action items does not exist in this assessment; "
                "nothing was changed.",
                "%(count)d of the chosen action items do not exist in this assessment; "
                "nothing was changed.",
                missing,
            )
            % {"count": missing},
        )
    if not form.is_valid():
        return refuse(400, _("Please correct the errors below."))
    try:
        result = change_in_bulk(items, request.user, form.changes(), action_url(request))
    except ValidationError as invalid:
        return refuse(400, " ".join(invalid.messages))
    messages.success(
        request,
        ngettext(
            "%(changed)d of %(count)d selected action item changed.",
            "%(changed)d of %(count)d selected action items changed.",
            result.selected,
        )
        % {"changed": result.changed, "count": result.selected},
    )
    return redirect(request.get_full_path())
