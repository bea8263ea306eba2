"""Writing a parsed catalog as a template: idempotent, all or nothing.

Re-importing a catalog updates what the catalog owns (titles, statements, parameters, order) and
never touches what staff attached (responsibility, provider implementation, improvement
actions). New controls get one default improvement action so a fresh assessment has work in it;
withdrawn controls get none (there is nothing left to do for them). A control the catalog no
longer holds is retired, never deleted: assessments made before keep it and its history.

The report counts changes of content: a control that only moved (because one before it was
added or removed) is unchanged; one that moved to another group changed.

Groups follow the catalog's tree: its top groups are the families, the groups below them
sub-groups. A group the catalog no longer holds is removed once no control is in it (retired
controls keep theirs), which also folds the flat families of a template imported before groups
were kept as a tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..models import Control, ControlFamily, ControlSubgroup, ImprovementAction, Template
from ..models.points import DEFAULT_KIND, ActionPoints
from .loading import load_document
from .parsing import OscalError, ParsedCatalog, ParsedControl, parse_catalog

#: What the catalog says about a control; a difference in any of these is a change.
CONTENT_FIELDS = (
    "label",
    "title",
    "statement",
    "guidance",
    "parameters",
    "withdrawn",
    "withdrawn_to",
)
#: What an import writes to an existing control.
WRITTEN_FIELDS = (*CONTENT_FIELDS, "sort_order", "family", "subgroup", "parent", "retired_at")
#: ImprovementAction.title and ActionItem.title are bounded columns.
ACTION_TITLE_LENGTH = 300
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    template: Template
    template_created: bool
    families_created: int = 0
    subgroups_created: int = 0
    controls_created: int = 0
    controls_updated: int = 0
    controls_unchanged: int = 0
    controls_retired: int = 0
    controls_withdrawn: int = 0
    top_level_controls: int = 0
    actions_created: int = 0

    @property
    def controls_total(self) -> int:
        return self.controls_created + self.controls_updated + self.controls_unchanged

    def summary(self) -> str:
        if self.template_created:
            verb = "Created"
        elif self.controls_created or self.controls_updated or self.controls_retired:
            verb = "Updated"
        else:
            verb = "Unchanged:"
        subgroups = self.template.subgroups.count()
        # Catalogs with one level of groups (NIST SP 800-53) read as they always did.
        groups = f"{self.template.families.count()} families" + (
            f" ({subgroups} sub-groups)" if subgroups else ""
        )
        return (
            f"{verb} template “{self.template.title}”: {self.controls_total} controls "
            f"({self.top_level_controls} top-level) in {groups}, "
            f"{self.controls_withdrawn} of them withdrawn; "
            f"{self.controls_created} new, {self.controls_updated} changed, "
            f"{self.controls_retired} retired, {self.controls_unchanged} unchanged; "
            f"{self.actions_created} improvement actions added."
        )


def import_file(path: str | Path, progress: Progress | None = None) -> ImportReport:
    raw = Path(path).read_bytes()
    return import_bytes(raw, Path(path).name, progress)


def import_bytes(raw: bytes, source_name: str, progress: Progress | None = None) -> ImportReport:
    """Import a catalog in OSCAL JSON or YAML (``source_name``'s extension, else the content
    says which)."""
    try:
        parsed = parse_catalog(load_document(raw, source_name))
    except RecursionError as error:
        # The parser limits nesting itself; this is the backstop for a shape it did not foresee.
        raise OscalError("The file is nested too deeply to be read.") from error
    return write_catalog(parsed, source_name, hashlib.sha256(raw).hexdigest(), progress)


def default_action_title(item: ParsedControl) -> str:
    title = f"Implement {item.label}: {item.title}"
    if len(title) > ACTION_TITLE_LENGTH:
        title = title[: ACTION_TITLE_LENGTH - 1] + "…"
    return title


@transaction.atomic
def write_catalog(
    parsed: ParsedCatalog, source_name: str, sha256: str, progress: Progress | None = None
) -> ImportReport:
    template, created = Template.objects.update_or_create(
        oscal_uuid=parsed.uuid,
        defaults={
            "title": parsed.title,
            "version": parsed.version,
            "oscal_version": parsed.oscal_version,
            "source_name": source_name[:300],
            "source_sha256": sha256,
        },
    )
    report = ImportReport(
        template,
        created,
        top_level_controls=parsed.top_level_count,
        controls_withdrawn=parsed.withdrawn_count,
    )
    groups = _write_groups(template, parsed, report)
    controls = {c.oscal_id: c for c in template.controls.all()}
    # Controls new to the template are inserted at once, then linked to their parents.
    created_controls = [
        Control(template=template, oscal_id=item.oscal_id, **_catalog_values(item, groups))
        for item in parsed.controls
        if item.oscal_id not in controls
    ]
    Control.objects.bulk_create(created_controls, batch_size=500)
    new_ids = {control.oscal_id for control in created_controls}
    controls.update({control.oscal_id: control for control in created_controls})

    needs_default_action: list[tuple[Control, ParsedControl]] = []
    written: list[Control] = []
    parented: list[Control] = []  # new enhancements, whose parents now have primary keys
    total = len(parsed.controls)
    for done, item in enumerate(parsed.controls, start=1):
        control = controls[item.oscal_id]
        values = _catalog_values(item, groups)
        parent = controls[item.parent_id] if item.parent_id else None
        if item.oscal_id in new_ids:
            report.controls_created += 1
            if parent is not None:
                control.parent = parent
                parented.append(control)
            if not item.withdrawn:
                needs_default_action.append((control, item))
        else:
            restored = control.retired_at is not None
            ended_withdrawal = control.withdrawn and not item.withdrawn
            content_changed = any(
                getattr(control, name) != values[name] for name in CONTENT_FIELDS
            ) or (control.family_id, control.subgroup_id, control.parent_id) != (
                values["family"].pk if values["family"] else None,
                values["subgroup"].pk if values["subgroup"] else None,
                parent.pk if parent else None,
            )
            if restored:
                report.controls_created += 1
            elif content_changed:
                report.controls_updated += 1
            else:
                report.controls_unchanged += 1
            if content_changed or restored or control.sort_order != item.sort_order:
                for name, value in values.items():
                    setattr(control, name, value)
                control.parent, control.retired_at = parent, None
                written.append(control)
            if ended_withdrawal and not control.improvement_actions.exists():
                needs_default_action.append((control, item))
        if progress:
            progress(done, total)

    in_file = {item.oscal_id for item in parsed.controls}
    retired_now = timezone.now()
    for oscal_id, control in controls.items():
        if oscal_id not in in_file and control.retired_at is None:
            control.retired_at = retired_now
            written.append(control)
            report.controls_retired += 1
    Control.objects.bulk_update(written, WRITTEN_FIELDS, batch_size=500)
    Control.objects.bulk_update(parented, ["parent"], batch_size=500)
    # A new action is of the default kind, preventive and mandatory (OSCAL has no property for
    # an action's kind): staff change it in the control's editor, and its points follow.
    default_points = ActionPoints.table()[DEFAULT_KIND]
    ImprovementAction.objects.bulk_create(
        [
            ImprovementAction(
                control=control,
                key="implement",
                title=default_action_title(item),
                description=item.statement,
                action_type=DEFAULT_KIND[0],
                enforcement=DEFAULT_KIND[1],
                points=default_points,
            )
            for control, item in needs_default_action
        ],
        batch_size=500,
    )
    report.actions_created = len(needs_default_action)
    _remove_emptied_groups(template, parsed)
    return report


def _catalog_values(item: ParsedControl, groups: Groups) -> dict:
    values = {name: getattr(item, name) for name in CONTENT_FIELDS}
    values["sort_order"] = item.sort_order
    values["family"] = groups.families.get(item.family_id) if item.family_id else None
    values["subgroup"] = groups.subgroups.get(item.subgroup_id) if item.subgroup_id else None
    return values


@dataclass
class Groups:
    """The template's families and sub-groups by OSCAL id, as the catalog now has them."""

    families: dict[str, ControlFamily]
    subgroups: dict[str, ControlSubgroup]


def _write_groups(template: Template, parsed: ParsedCatalog, report: ImportReport) -> Groups:
    families = {f.oscal_id: f for f in template.families.all()}
    for family in parsed.families:
        existing = families.get(family.oscal_id)
        if existing is None:
            families[family.oscal_id] = ControlFamily.objects.create(
                template=template,
                oscal_id=family.oscal_id,
                title=family.title,
                sort_order=family.sort_order,
            )
            report.families_created += 1
        elif (existing.title, existing.sort_order) != (family.title, family.sort_order):
            existing.title, existing.sort_order = family.title, family.sort_order
            existing.save(update_fields=["title", "sort_order"])
    subgroups = {g.oscal_id: g for g in template.subgroups.all()}
    # Parents come first in the catalog's order, so each sub-group's parent is already written.
    for subgroup in parsed.subgroups:
        family = families[subgroup.family_id]
        parent = subgroups[subgroup.parent_id] if subgroup.parent_id else None
        existing = subgroups.get(subgroup.oscal_id)
        if existing is None:
            subgroups[subgroup.oscal_id] = ControlSubgroup.objects.create(
                template=template,
                oscal_id=subgroup.oscal_id,
                title=subgroup.title,
                sort_order=subgroup.sort_order,
                family=family,
                parent=parent,
            )
            report.subgroups_created += 1
            continue
        # Compared by key: loading each sub-group's family and parent would cost a query each.
        if (existing.title, existing.sort_order, existing.family_id, existing.parent_id) != (
            subgroup.title,
            subgroup.sort_order,
            family.pk,
            parent.pk if parent else None,
        ):
            existing.title, existing.sort_order = subgroup.title, subgroup.sort_order
            existing.family, existing.parent = family, parent
            existing.save(update_fields=["title", "sort_order", "family", "parent"])
    return Groups(families, subgroups)


def _remove_emptied_groups(template: Template, parsed: ParsedCatalog) -> None:
    """Groups the catalog no longer holds go once no control is in them, nor in a sub-group
    below them: deleting a group deletes what it holds."""
    # By kind: a flat family of an earlier import may bear the id of what is now a sub-group.
    families_in_file = {f.oscal_id for f in parsed.families}
    subgroups_in_file = {g.oscal_id for g in parsed.subgroups}
    kept_subgroups = set(
        template.controls.filter(subgroup__isnull=False).values_list("subgroup_id", flat=True)
    )
    parent_of = dict(template.subgroups.values_list("pk", "parent_id"))
    for subgroup_id in list(kept_subgroups):
        while (subgroup_id := parent_of.get(subgroup_id)) is not None:
            kept_subgroups.add(subgroup_id)
    template.subgroups.exclude(oscal_id__in=subgroups_in_file).exclude(
        pk__in=kept_subgroups
    ).delete()
    template.families.exclude(oscal_id__in=families_in_file).exclude(
        pk__in=template.controls.filter(family__isnull=False).values("family_id")
    ).exclude(pk__in=template.subgroups.values("family_id")).delete()
