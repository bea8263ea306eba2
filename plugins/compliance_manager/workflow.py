"""Changes to assessments and action items, with their history; every surface (site, API,
automatic updates) goes through these so the rules and the history are the same everywhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cms.files.uploads import sha256_of, validate_upload

from . import notify
from .models import (
    ActionItem,
    ActionItemChange,
    Assessment,
    AssessmentAction,
    AssessmentGroup,
    Control,
    Evidence,
    ImprovementAction,
    Responsibility,
    Role,
)
from .roles import has_role, organization_members

#: Fields a contributor may change, and those only an assessor may.
CONTRIBUTOR_FIELDS = ("assignee", "due_date", "implementation_status", "implementation_notes")
ASSESSOR_FIELDS = ("testing_status", "testing_notes")
ADMINISTRATOR_FIELDS = ("automatic_updates",)


def actor_label(user) -> str:
    return user.get_username() if user is not None else ""


@transaction.atomic
def create_assessment(
    organization, template, title: str, group_name: str, user, service=None
) -> Assessment:
    group, _created = AssessmentGroup.objects.get_or_create(
        organization=organization, name=group_name.strip()
    )
    assessment = Assessment.objects.create(
        organization=organization,
        group=group,
        template=template,
        title=title.strip(),
        service=service,
        created_by=user,
    )
    # Withdrawn and retired controls ask for nothing any more: a new assessment leaves them out.
    actions = list(
        ImprovementAction.objects.filter(
            control__in=Control.objects.in_force().filter(template=template),
            control__responsibility__in=[Responsibility.CUSTOMER, Responsibility.SHARED],
        ).select_related("control")
    )
    existing = {item.key: item for item in ActionItem.objects.filter(group=group)}
    missing = []
    for action in actions:
        key = action.shared_key
        if key not in existing:
            item = ActionItem(
                organization=organization,
                group=group,
                key=key,
                control_label=action.control.label,
                title=action.title,
                description=action.description,
                action_type=action.action_type,
                enforcement=action.enforcement,
                points_override=action.points_override,
                points=action.points,
            )
            existing[key] = item
            missing.append(item)
    # An assessment of the same group created at the same moment inserts the same items: the
    # constraint (group, key) keeps one of each, the other insert skips it (and waited for it,
    # so it can read it back: ignore_conflicts returns no primary keys).
    ActionItem.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    if missing:
        keys = {item.key: item.pk for item in ActionItem.objects.filter(group=group)}
        for item in missing:
            item.pk = keys[item.key]
    AssessmentAction.objects.bulk_create(
        [
            AssessmentAction(
                assessment=assessment,
                control=action.control,
                action_item=existing[action.shared_key],
            )
            for action in actions
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    return assessment


def _display(field: str, value) -> str:
    if value is None:
        return ""
    if field == "assignee":
        return value.get_username()
    return str(value)


@transaction.atomic
def change_action_item(
    item: ActionItem,
    user,
    changes: dict,
    *,
    source: str = "",
    url: str = "",
    notify_assignee: bool = True,
) -> list[str]:
    """Apply ``changes`` (field -> new value) as ``user``; returns the fields that changed.

    Raises PermissionDenied for a field the user's role may not set, ValidationError for an
    assignee outside the organization or an unknown status. ``notify_assignee=False``: the
    caller tells a new assignee itself (``change_in_bulk`` sends one e-mail per batch).
    """
    if source:
        allowed = {"implementation_status", "implementation_notes"}
    else:
        allowed = set()
        if has_role(user, Role.CONTRIBUTOR):
            allowed.update(CONTRIBUTOR_FIELDS)
        if has_role(user, Role.ASSESSOR):
            allowed.update(ASSESSOR_FIELDS)
        if has_role(user, Role.ADMINISTRATOR):
            allowed.update(ADMINISTRATOR_FIELDS)
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionDenied(
            _("Your Compliance Manager role may not change: %(fields)s.")
            % {"fields": ", ".join(refused)}
        )
    assignee = changes.get("assignee")
    if (
        assignee is not None
        and not organization_members(item.organization).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError(
            _("Action items can only be assigned to members of the organization.")
        )
    for name in ("implementation_status", "testing_status"):
        if name in changes:
            choices = ActionItem._meta.get_field(name).choices
            if changes[name] not in dict(choices):
                raise ValidationError(
                    _("Unknown %(field)s: %(value)s.")
                    % {"field": name.replace("_", " "), "value": changes[name]}
                )
    changed = []
    history = []
    for name, new in changes.items():
        old = getattr(item, name)
        if old == new:
            continue
        history.append(
            ActionItemChange(
                action_item=item,
                actor=None if source else user,
                actor_label=source or actor_label(user),
                field=name,
                old_value=_display(name, old),
                new_value=_display(name, new),
                source=source,
            )
        )
        setattr(item, name, new)
        changed.append(name)
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
        ActionItemChange.objects.bulk_create(history)
        if "assignee" in changed and notify_assignee:
            notify.notify_assigned(item, item.assignee, url)
    return changed


@dataclass(frozen=True)
class BulkResult:
    selected: int
    changed: int


@transaction.atomic
def change_in_bulk(items, user, changes: dict, url_for: Callable[[ActionItem], str]) -> BulkResult:
    """Apply the same ``changes`` to every item of the queryset ``items``, all or nothing, each
    with its history as a single edit has; every new assignee gets one e-mail listing their
    items. The items are locked first: a second submit of the same batch waits for the first,
    then finds nothing left to change (no history, no e-mail)."""
    locked = (
        items.select_for_update(of=("self",))
        .select_related("assignee", "organization")
        .order_by("pk")
    )
    changed = 0
    assigned = defaultdict(list)
    for item in locked:
        fields = change_action_item(item, user, changes, notify_assignee=False)
        if fields:
            changed += 1
        if "assignee" in fields and item.assignee is not None:
            assigned[item.assignee].append((item, url_for(item)))
    for assignee, their_items in assigned.items():
        notify.notify_assigned_items(assignee, their_items)
    return BulkResult(len(locked), changed)


def add_evidence(item: ActionItem, upload, user) -> Evidence:
    """Store an evidence file after the same checks as trust documents (type by content, size
    cap); raises ValidationError naming the problem."""
    if not has_role(user, Role.CONTRIBUTOR):
        raise PermissionDenied(_("Adding evidence needs the Contributor role."))
    validate_upload(upload)
    with transaction.atomic():
        evidence = Evidence(
            action_item=item,
            original_name=upload.name[:255],
            size=upload.size,
            sha256=sha256_of(upload),
            uploaded_by=user,
            uploaded_by_label=actor_label(user),
        )
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
        ActionItemChange.objects.create(
            action_item=item,
            actor=user,
            actor_label=actor_label(user),
            field="evidence",
            new_value=evidence.original_name,
        )
    return evidence


def controls_of(assessment):
    return Control.objects.filter(template_id=assessment.template_id)
