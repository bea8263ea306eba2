"""User privacy: what an administrator can do with one user's Compliance Manager traces —
export them, hand their assignments to someone else, or remove them."""

from __future__ import annotations

import io

from django.db import transaction

from cms.files import spreadsheets

from .models import ActionItem, ActionItemChange, Evidence
from .workflow import actor_label

REPORT_HEADER = [
    "kind",
    "assessment group",
    "control",
    "action item",
    "implementation status",
    "testing status",
    "due date",
    "file",
    "at",
]


def assignment_report(organization, user) -> str:
    """CSV of the user's current assignments and the evidence they uploaded."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(REPORT_HEADER)
    for item in (
        ActionItem.objects.filter(organization=organization, assignee=user)
        .select_related("group")
        .order_by("group__name", "control_label", "key")
    ):
        writer.writerow(
            [
                "assignment",
                item.group.name,
                item.control_label,
                item.title,
                item.implementation_status,
                item.testing_status,
                item.due_date or "",
                "",
                item.updated_at.isoformat(),
            ]
        )
    for evidence in (
        Evidence.objects.filter(action_item__organization=organization, uploaded_by=user)
        .select_related("action_item__group")
        .order_by("uploaded_at")
    ):
        item = evidence.action_item
        writer.writerow(
            [
                "evidence",
                item.group.name,
                item.control_label,
                item.title,
                "",
                "",
                "",
                evidence.original_name,
                evidence.uploaded_at.isoformat(),
            ]
        )
    return out.getvalue()


@transaction.atomic
def reassign_all(organization, from_user, to_user, actor) -> int:
    items = list(ActionItem.objects.filter(organization=organization, assignee=from_user))
    ActionItemChange.objects.bulk_create(
        ActionItemChange(
            action_item=item,
            actor=actor,
            actor_label=actor_label(actor),
            field="assignee",
            old_value=from_user.get_username(),
            new_value=to_user.get_username(),
        )
        for item in items
    )
    ActionItem.objects.filter(pk__in=[i.pk for i in items]).update(assignee=to_user)
    return len(items)


@transaction.atomic
def remove_user(organization, user, actor) -> int:
    """Unassign the user everywhere and replace their name in the history by "user removed"."""
    removed = ActionItemChange.USER_REMOVED
    name = user.get_username()
    items = list(ActionItem.objects.filter(organization=organization, assignee=user))
    ActionItem.objects.filter(pk__in=[i.pk for i in items]).update(assignee=None)
    history = ActionItemChange.objects.filter(action_item__organization=organization)
    history.filter(actor=user).update(actor=None, actor_label=removed)
    history.filter(field="assignee", old_value=name).update(old_value=removed)
    history.filter(field="assignee", new_value=name).update(new_value=removed)
    ActionItemChange.objects.bulk_create(
        ActionItemChange(
            action_item=item,
            actor=actor,
            actor_label=actor_label(actor),
            field="assignee",
            old_value=removed,
            new_value="",
        )
        for item in items
    )
    return len(items)
