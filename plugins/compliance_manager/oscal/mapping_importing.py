"""Writing a parsed mapping between frameworks: its catalogs found among the imported templates,
its control ids among their controls, then written all or nothing.

Importing the same file again changes nothing (the same maps are kept as they are); a changed
file replaces the collection's maps, so credit follows the file as it is now.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ..models import ControlMap, MappedControl, MappingCollection, MapSide, Template
from .mapping_parsing import (
    CatalogRef,
    MappingError,
    ParsedMap,
    ParsedMappings,
    parse_mapping_file,
)

UUID_IN_TEXT = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class ResolvedMap:
    relationship: str
    remarks: str
    sources: frozenset[int]
    targets: frozenset[int]


@dataclass
class MappingReport:
    collection: MappingCollection
    created: bool
    changed: bool
    maps: int
    statement_maps: int = 0
    #: Maps per (source template, target template) title.
    pairs: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        if self.created:
            verb = "Created"
        elif self.changed:
            verb = "Updated"
        else:
            verb = "Unchanged:"
        between = "; ".join(
            f"{count} from “{source}” to “{target}”"
            for (source, target), count in sorted(self.pairs.items())
        )
        skipped = (
            f" {self.statement_maps} maps between control statements skipped."
            if self.statement_maps
            else ""
        )
        return (
            f"{verb} mapping collection “{self.collection.title}”: {self.maps} maps ({between})."
            + skipped
        )


def import_mapping_file(
    path: str | Path,
    source_template: Template | None = None,
    target_template: Template | None = None,
) -> MappingReport:
    path = Path(path)
    return import_mapping_bytes(path.read_bytes(), path.name, source_template, target_template)


def import_mapping_bytes(
    raw: bytes,
    source_name: str,
    source_template: Template | None = None,
    target_template: Template | None = None,
) -> MappingReport:
    """``source_template`` and ``target_template``, when given, are the catalogs of every map
    (whatever the file says); otherwise the file's own names for them must find templates."""
    try:
        parsed = parse_mapping_file(raw, source_name)
    except RecursionError as error:
        raise MappingError("The file is nested too deeply to be read.") from error
    resolver = _Resolver(parsed.lenient_ids, source_template, target_template)
    maps = resolver.resolve(parsed.maps)
    return write_mappings(
        parsed, maps, resolver.pairs, source_name, hashlib.sha256(raw).hexdigest()
    )


def find_template(name: str) -> Template:
    """A template by its OSCAL UUID, its title or the name of the file it was imported from."""
    template = _template_named(name)
    if template is None:
        raise MappingError(f"No imported template is called or identified by “{name}”.")
    return template


def _template_named(name: str) -> Template | None:
    for found in UUID_IN_TEXT.findall(name):
        template = Template.objects.filter(oscal_uuid=uuid.UUID(found)).first()
        if template is not None:
            return template
    file_name = name.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    for candidates in (
        Template.objects.filter(title__iexact=name.strip()),
        Template.objects.filter(source_name=file_name) if file_name else Template.objects.none(),
    ):
        found = list(candidates[:2])
        if len(found) > 1:
            raise MappingError(
                f"“{name}” names more than one template: name it by its OSCAL UUID instead."
            )
        if found:
            return found[0]
    return None


class _Resolver:
    """Finds the templates and controls a parsed file names, each template's controls read
    once."""

    def __init__(self, lenient: bool, source: Template | None, target: Template | None):
        self.lenient = lenient
        self.overrides = {MapSide.SOURCE: source, MapSide.TARGET: target}
        self.templates: dict[CatalogRef, Template] = {}
        self.controls: dict[int, dict[str, int]] = {}
        self.pairs: Counter = Counter()

    def resolve(self, parsed_maps: list[ParsedMap]) -> list[ResolvedMap]:
        resolved: list[ResolvedMap] = []
        seen: dict[tuple[frozenset, frozenset], tuple[str, str]] = {}
        for parsed in parsed_maps:
            source = self._template(parsed, MapSide.SOURCE, parsed.source_catalog)
            target = self._template(parsed, MapSide.TARGET, parsed.target_catalog)
            if source.pk == target.pk:
                raise MappingError(
                    f"{parsed.place}: source and target are both “{source.title}”: a "
                    "mapping joins two different templates."
                )
            sides = (
                frozenset(self._control(parsed, source, i) for i in parsed.source_ids),
                frozenset(self._control(parsed, target, i) for i in parsed.target_ids),
            )
            earlier = seen.get(sides)
            if earlier is not None:
                if earlier[0] != parsed.relationship:
                    raise MappingError(
                        f"{parsed.place} maps the same controls as {earlier[1]}, but "
                        f"“{parsed.relationship}” instead of “{earlier[0]}”."
                    )
                continue  # the same map twice: once is enough
            seen[sides] = (parsed.relationship, parsed.where)
            resolved.append(ResolvedMap(parsed.relationship, parsed.remarks, *sides))
            self.pairs[source.title, target.title] += 1
        return resolved

    def _template(self, parsed: ParsedMap, side: str, ref: CatalogRef | None) -> Template:
        override = self.overrides[side]
        if override is not None:
            return override
        if ref is None:
            raise MappingError(
                f"{parsed.place} names no {side} catalog: fill in its {side}_catalog "
                f"column or pass --{side}-template."
            )
        if ref not in self.templates:
            # The first of the file's names for the catalog that finds a template.
            template = next(filter(None, map(_template_named, ref.names)), None)
            if template is None:
                raise MappingError(
                    f"{parsed.place}: the {side} catalog “{ref.shown}” is no imported "
                    f"template: import it first, or name the template with --{side}-template."
                )
            self.templates[ref] = template
        return self.templates[ref]

    def _control(self, parsed: ParsedMap, template: Template, control_id: str) -> int:
        if template.pk not in self.controls:
            ids: dict[str, int] = {}
            rows = list(template.controls.values_list("pk", "oscal_id", "label"))
            for pk, oscal_id, _label in rows:
                ids[oscal_id] = pk
            if self.lenient:
                # Spreadsheets say "AC-2(1)" or "AC-2" where the catalog's id is "ac-2.1".
                for pk, oscal_id, label in rows:
                    ids.setdefault(oscal_id.lower(), pk)
                    if label:
                        ids.setdefault(label.lower(), pk)
            self.controls[template.pk] = ids
        ids = self.controls[template.pk]
        pk = ids.get(control_id)
        if pk is None and self.lenient:
            pk = ids.get(control_id.lower())
        if pk is None:
            raise MappingError(f"{parsed.place}: “{template.title}” has no control “{control_id}”.")
        return pk


@transaction.atomic
def write_mappings(
    parsed: ParsedMappings,
    maps: list[ResolvedMap],
    pairs: Counter,
    source_name: str,
    sha256: str,
) -> MappingReport:
    values = {
        "title": parsed.title,
        "version": parsed.version,
        "oscal_version": parsed.oscal_version,
        "source_name": source_name[:300],
        "source_sha256": sha256,
    }
    # Locked: two imports of the same collection at once would each replace the other's maps.
    collection, created = MappingCollection.objects.select_for_update().get_or_create(
        oscal_uuid=parsed.uuid, defaults=values
    )
    report = MappingReport(collection, created, created, len(maps), parsed.statement_maps, pairs)
    if not created:
        stored = {name: getattr(collection, name) for name in values}
        # What the collection says, not its bytes: the same maps with fresh map UUIDs are the
        # same mapping (the new file's hash is kept all the same).
        metadata_changed = any(stored[k] != v for k, v in values.items() if k != "source_sha256")
        maps_changed = _current_maps(collection) != maps
        if stored != values:
            for name, value in values.items():
                setattr(collection, name, value)
            collection.save()
        report.changed = metadata_changed or maps_changed
        if not maps_changed:
            return report
        collection.maps.all().delete()
    created_maps = ControlMap.objects.bulk_create(
        [
            ControlMap(
                collection=collection,
                relationship=item.relationship,
                remarks=item.remarks,
                sort_order=number,
            )
            for number, item in enumerate(maps)
        ],
        batch_size=500,
    )
    MappedControl.objects.bulk_create(
        [
            MappedControl(control_map=control_map, side=side, control_id=control_id)
            for control_map, item in zip(created_maps, maps, strict=True)
            for side, members in ((MapSide.SOURCE, item.sources), (MapSide.TARGET, item.targets))
            for control_id in sorted(members)
        ],
        batch_size=1000,
    )
    return report


def _current_maps(collection: MappingCollection) -> list[ResolvedMap]:
    members: dict[int, dict[str, set[int]]] = {}
    for map_id, side, control_id in MappedControl.objects.filter(
        control_map__collection=collection
    ).values_list("control_map_id", "side", "control_id"):
        members.setdefault(map_id, {MapSide.SOURCE: set(), MapSide.TARGET: set()})[side].add(
            control_id
        )
    return [
        ResolvedMap(
            relationship,
            remarks,
            frozenset(members.get(pk, {}).get(MapSide.SOURCE, ())),
            frozenset(members.get(pk, {}).get(MapSide.TARGET, ())),
        )
        for pk, relationship, remarks in collection.maps.order_by("sort_order").values_list(
            "pk", "relationship", "remarks"
        )
    ]
