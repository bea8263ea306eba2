"""Writing a parsed catalog as a template: idempotent, all or nothing.

Re-importing a catalog updates what the catalog owns (titles, statements, parameters, order) and
never touches what staff attached (responsibility, provider implementation, improvement
actions). New controls get one default improvement action so a fresh assessment has work in it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ..models import Control, ControlFamily, ImprovementAction, Template
from .parsing import ParsedCatalog, load_json, parse_catalog

CATALOG_FIELDS = ("label", "title", "sort_order", "statement", "guidance", "parameters")
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    template: Template
    template_created: bool
    families_created: int = 0
    controls_created: int = 0
    controls_updated: int = 0
    controls_unchanged: int = 0
    top_level_controls: int = 0
    actions_created: int = 0

    @property
    def controls_total(self) -> int:
        return self.controls_created + self.controls_updated + self.controls_unchanged

    def summary(self) -> str:
        if self.template_created:
            verb = "Created"
        elif self.controls_created or self.controls_updated:
            verb = "Updated"
        else:
            verb = "Unchanged:"
        return (
            f"{verb} template “{self.template.title}”: {self.controls_total} controls "
            f"({self.top_level_controls} top-level) in {self.template.families.count()} families; "
            f"{self.controls_created} new, {self.controls_updated} changed, "
            f"{self.controls_unchanged} unchanged; "
            f"{self.actions_created} improvement actions added."
        )


def import_file(path: str | Path, progress: Progress | None = None) -> ImportReport:
    raw = Path(path).read_bytes()
    return import_bytes(raw, Path(path).name, progress)


def import_bytes(raw: bytes, source_name: str, progress: Progress | None = None) -> ImportReport:
    parsed = parse_catalog(load_json(raw))
    return write_catalog(parsed, source_name, hashlib.sha256(raw).hexdigest(), progress)


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
    report = ImportReport(template, created, top_level_controls=parsed.top_level_count)
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

    existing_controls = {c.oscal_id: c for c in template.controls.all()}
    total = len(parsed.controls)
    changed: list[Control] = []
    # Parents come before their enhancements in document order, so one pass can link them.
    for done, item in enumerate(parsed.controls, start=1):
        values = {name: getattr(item, name) for name in CATALOG_FIELDS}
        control = existing_controls.get(item.oscal_id)
        family = families.get(item.family_id) if item.family_id else None
        parent = existing_controls.get(item.parent_id) if item.parent_id else None
        if control is None:
            control = Control(
                template=template, oscal_id=item.oscal_id, family=family, parent=parent, **values
            )
            control.save()
            existing_controls[item.oscal_id] = control
            ImprovementAction.objects.create(
                control=control,
                key="implement",
                title=f"Implement {item.label}: {item.title}",
                description=item.statement,
                points=1,
            )
            report.controls_created += 1
            report.actions_created += 1
        elif any(getattr(control, k) != v for k, v in values.items()) or (
            control.family_id,
            control.parent_id,
        ) != (family.pk if family else None, parent.pk if parent else None):
            for name, value in values.items():
                setattr(control, name, value)
            control.family, control.parent = family, parent
            changed.append(control)
            report.controls_updated += 1
        else:
            report.controls_unchanged += 1
        if progress:
            progress(done, total)
    Control.objects.bulk_update(changed, [*CATALOG_FIELDS, "family", "parent"], batch_size=200)
    return report
