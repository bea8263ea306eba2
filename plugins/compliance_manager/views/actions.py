from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.access import ratelimit
from cms.delivery import serving

from ..forms import ActionItemForm, BulkAssignForm, EvidenceForm
from ..models import Role
from ..roles import (
    has_role,
    organization_members,
    require_role,
    visible_action_items,
    visible_evidence,
)
from ..workflow import (
    ADMINISTRATOR_FIELDS,
    ASSESSOR_FIELDS,
    CONTRIBUTOR_FIELDS,
    add_evidence,
    change_action_item,
    change_in_bulk,
)
from . import is_object_id, member_required


def allowed_fields(user) -> set[str]:
    fields: set[str] = set()
    if has_role(user, Role.CONTRIBUTOR):
        fields.update(CONTRIBUTOR_FIELDS)
    if has_role(user, Role.ASSESSOR):
        fields.update(ASSESSOR_FIELDS)
    if has_role(user, Role.ADMINISTRATOR):
        fields.update(ADMINISTRATOR_FIELDS)
    return fields


def _render_item(request, item, form, status=200, evidence_form=None):
    return render(
        request,
        "compliance/action.html",
        {
            "item": item,
            "form": form,
            "evidence_form": evidence_form or EvidenceForm(),
            "evidence": list(item.evidence.all()),
            "history": list(item.history.all()),
            "links": list(item.links.select_related("assessment", "control")),
            "can_contribute": has_role(request.user, Role.CONTRIBUTOR),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def action_detail(request, pk):
    item = get_object_or_404(
        visible_action_items(request.user).select_related("group", "assignee", "organization"),
        pk=pk,
    )
    fields = allowed_fields(request.user)
    members = organization_members(item.organization)
    if request.method == "GET":
        return _render_item(
            request, item, ActionItemForm(instance=item, members=members, allowed_fields=fields)
        )
    submitted = set(request.POST) - {"csrfmiddlewaretoken"}
    refused = submitted & (
        set(CONTRIBUTOR_FIELDS + ASSESSOR_FIELDS + ADMINISTRATOR_FIELDS) - fields
    )
    if refused:
        # Say so instead of silently dropping the field the role may not set.
        return render(
            request,
            "compliance/forbidden.html",
            {"reason": _("Your role may not change: %s.") % ", ".join(sorted(refused))},
            status=403,
        )
    original = {name: getattr(item, name) for name in fields}
    form = ActionItemForm(request.POST, instance=item, members=members, allowed_fields=fields)
    if not form.is_valid():
        for name, value in original.items():
            setattr(item, name, value)
        return _render_item(request, item, form, status=400)
    # ModelForm already copied the values onto the item; compare with what was stored.
    changes = {
        name: form.cleaned_data[name]
        for name in form.fields
        if form.cleaned_data[name] != original[name]
    }
    for name, value in original.items():
        setattr(item, name, value)
    change_action_item(item, request.user, changes, url=request.build_absolute_uri(request.path))
    messages.success(request, _("Saved."))
    return redirect("compliance:action", pk=item.pk)


@require_POST
@member_required
def upload_evidence(request, pk):
    item = get_object_or_404(visible_action_items(request.user).select_related("group"), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            add_evidence(item, form.cleaned_data["file"], request.user)
        except ValidationError as error:
            form.add_error("file", error)
    if form.errors:
        too_large = any(e.code == "file_too_large" for e in form.errors.as_data().get("file", []))
        members = organization_members(item.organization)
        blank = ActionItemForm(
            instance=item, members=members, allowed_fields=allowed_fields(request.user)
        )
        return _render_item(
            request, item, blank, status=413 if too_large else 400, evidence_form=form
        )
    messages.success(request, _("Evidence added."))
    return redirect("compliance:action", pk=item.pk)


@require_POST
@member_required
def bulk_assign(request):
    organization = require_role(request.user, Role.CONTRIBUTOR)
    members = organization_members(organization)
    form = BulkAssignForm(request.POST, members=members)
    ids = [int(i) for i in request.POST.getlist("items") if is_object_id(i)]
    items = visible_action_items(request.user).filter(pk__in=ids)
    if items.count() != len(set(ids)):
        # Another organization's item is answered as if it did not exist.
        raise Http404("No such action item.")
    if not form.is_valid() or not ids:
        return render(
            request,
            "compliance/forbidden.html",
            {"reason": _("Choose one or more action items and a member to assign them to.")},
            status=400,
        )
    result = change_in_bulk(
        items, request.user, {"assignee": form.cleaned_data["assignee"]}, action_url(request)
    )
    messages.success(request, _("%(count)d action items assigned.") % {"count": result.changed})
    back = request.POST.get("next", "")
    return HttpResponseRedirect(back if back.startswith("/") and not back.startswith("//") else "/")


def action_url(request):
    """The absolute URL of an action item's page, for the e-mails that name it."""
    return lambda item: request.build_absolute_uri(reverse("compliance:action", args=[item.pk]))


@require_GET
@member_required
def download_evidence(request, pk):
    evidence = get_object_or_404(visible_evidence(request.user), pk=pk)
    if ratelimit.exceeded("download", ratelimit.requester(request)):
        return ratelimit.too_many_requests(request, "download")
    # The type is not guessed from the name an uploader chose: always a download.
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type="application/octet-stream",
    )
    return serving.protect(response)
