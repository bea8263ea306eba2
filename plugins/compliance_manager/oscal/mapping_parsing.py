"""Reading a mapping between two frameworks into plain data, checked before anything is written:
an OSCAL mapping collection (JSON) or a simple CSV file.

OSCAL: ``mapping-collection`` › ``mappings[]`` (each with a ``source-resource`` and a
``target-resource`` catalog) › ``maps[]`` (a ``relationship`` and ``sources``/``targets`` of type
``control``). A map that names control statements (type ``statement``) is skipped and counted:
we credit whole controls, and a statement is only part of one.

CSV: a header row, then one map per row with the columns ``source_control``,
``target_control`` and ``relationship``, and optionally ``source_catalog``, ``target_catalog``
(a template's OSCAL UUID, title or imported file name) and ``remarks``. A CSV file has no UUID:
it is identified by its file name, so importing a file of the same name again replaces it.

Every problem is a ``MappingError`` naming where it is (map or row); nothing is written then.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field

from ..models import MappingRelationship
from .parsing import MAX_ID_LENGTH, OscalError, load_json

#: Relationships without a namespace, or in this one, are OSCAL's.
OSCAL_NAMESPACE = "http://csrc.nist.gov/ns/oscal"
RELATIONSHIPS = {choice.value for choice in MappingRelationship}
CSV_REQUIRED = ("source_control", "target_control", "relationship")
CSV_OPTIONAL = ("source_catalog", "target_catalog", "remarks")
#: Where the UUID of a CSV file's collection comes from (with its file name).
CSV_NAMESPACE = uuid.UUID("6f1d9c57-3f0e-5b8e-9a52-2d0c1c6f7a41")
#: A file with more maps than this is not a mapping between two catalogs we could hold.
MAX_MAPS = 100_000


class MappingError(OscalError):
    """The file is not a mapping we can import; the message says what is wrong where."""


@dataclass(frozen=True)
class CatalogRef:
    """How the file names a catalog: strings to find the template by (an href, a back-matter
    resource's title, links and document ids, a CSV cell), the first one shown in messages."""

    names: tuple[str, ...]

    @property
    def shown(self) -> str:
        return self.names[0] if self.names else ""


@dataclass
class ParsedMap:
    where: str
    relationship: str
    source_catalog: CatalogRef | None
    target_catalog: CatalogRef | None
    source_ids: list[str]
    target_ids: list[str]
    remarks: str = ""

    @property
    def place(self) -> str:
        """Where the map is, at the start of a message."""
        return sentence_start(self.where)


@dataclass
class ParsedMappings:
    uuid: uuid.UUID
    title: str
    version: str = ""
    oscal_version: str = ""
    maps: list[ParsedMap] = field(default_factory=list)
    #: Maps between control statements, skipped (see the module's docstring).
    statement_maps: int = 0
    #: CSV ids may be labels ("AC-2(1)") or differ in case; OSCAL id-refs are exact.
    lenient_ids: bool = False


def parse_mapping_file(raw: bytes, source_name: str) -> ParsedMappings:
    """A ``.csv`` file name is read as CSV; anything else as OSCAL JSON."""
    if source_name.lower().endswith(".csv"):
        return parse_csv(raw, source_name)
    try:
        data = load_json(raw)
    except OscalError as error:
        raise MappingError(str(error)) from error
    return parse_oscal_mapping(data)


# --- OSCAL ---------------------------------------------------------------------------------------


def parse_oscal_mapping(data: object) -> ParsedMappings:
    if not isinstance(data, dict) or "mapping-collection" not in data:
        found = ", ".join(sorted(map(str, data))) if isinstance(data, dict) else "no object"
        raise MappingError(
            f"Not an OSCAL mapping collection: no top-level “mapping-collection” "
            f"(found: {found or 'nothing'})."
        )
    collection = _object(data["mapping-collection"], "mapping-collection")
    metadata = _object(collection.get("metadata"), "metadata")
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        raise MappingError("The mapping collection has no metadata title.")
    parsed = ParsedMappings(
        uuid=_uuid(collection.get("uuid"), "The mapping collection"),
        title=title.strip()[:300],
        version=str(metadata.get("version") or "")[:100],
        oscal_version=str(metadata.get("oscal-version") or "")[:20],
    )
    resources = _back_matter(collection)
    mappings = collection.get("mappings")
    if not isinstance(mappings, list) or not mappings:
        raise MappingError("The mapping collection has no “mappings”.")
    for number, mapping in enumerate(mappings, start=1):
        where = f"mapping {number}"
        mapping = _object(mapping, where)
        source = _resource(mapping.get("source-resource"), f"{where}: source-resource", resources)
        target = _resource(mapping.get("target-resource"), f"{where}: target-resource", resources)
        maps = mapping.get("maps")
        if not isinstance(maps, list) or not maps:
            raise MappingError(f"{sentence_start(where)} has no “maps”.")
        for map_number, entry in enumerate(maps, start=1):
            parsed_map = _map(entry, f"map {map_number} of {where}", source, target)
            if parsed_map is None:
                parsed.statement_maps += 1
            else:
                parsed.maps.append(parsed_map)
            if len(parsed.maps) > MAX_MAPS:
                raise MappingError(f"More than {MAX_MAPS} maps: split the file.")
    if not parsed.maps:
        raise MappingError("The mapping collection maps no controls (only control statements).")
    return parsed


def _map(entry: object, where: str, source: CatalogRef, target: CatalogRef) -> ParsedMap | None:
    entry = _object(entry, where)
    relationship = _relationship(entry.get("relationship"), where)
    sides = {}
    for side in ("sources", "targets"):
        members = entry.get(side)
        if not isinstance(members, list) or not members:
            raise MappingError(f"{sentence_start(where)} has no “{side}”.")
        ids = []
        for member in members:
            member = _object(member, f"{where}: {side}")
            kind = member.get("type")
            if kind == "statement":
                return None
            if kind != "control":
                raise MappingError(
                    f"{sentence_start(where)}: {side} of type “{kind}”: only “control” and "
                    "“statement” are OSCAL's."
                )
            ids.append(_control_id(member.get("id-ref"), f"{where}: {side}"))
        sides[side] = ids
    remarks = entry.get("remarks")
    return ParsedMap(
        where,
        relationship,
        source,
        target,
        sides["sources"],
        sides["targets"],
        remarks if isinstance(remarks, str) else "",
    )


def _relationship(value: object, where: str) -> str:
    # A plain token, or the object form with the namespace flag (value under "type").
    namespace = OSCAL_NAMESPACE
    if isinstance(value, dict):
        namespace = value.get("ns") or OSCAL_NAMESPACE
        value = value.get("type")
    if not isinstance(value, str) or not value:
        raise MappingError(f"{sentence_start(where)} has no relationship.")
    if namespace.rstrip("/") != OSCAL_NAMESPACE or value not in RELATIONSHIPS:
        raise MappingError(
            f"{sentence_start(where)}: unknown relationship “{value}”"
            + (f" (namespace {namespace})" if namespace != OSCAL_NAMESPACE else "")
            + f"; expected one of: {', '.join(sorted(RELATIONSHIPS))}."
        )
    return value


def _resource(value: object, where: str, resources: dict[str, dict]) -> CatalogRef:
    value = _object(value, where)
    href = value.get("href")
    if not isinstance(href, str) or not href.strip():
        raise MappingError(f"{sentence_start(where)} has no href.")
    if value.get("type", "catalog") != "catalog":
        raise MappingError(f"{sentence_start(where)}: only catalogs can be mapped.")
    names = [href.strip()]
    # "#<uuid>" points at a back-matter resource: what it says about the catalog helps find it.
    resource = resources.get(href.strip().removeprefix("#")) if href.startswith("#") else None
    if resource is not None:
        names.append(str(resource.get("title") or ""))
        names += _strings(resource.get("rlinks"), "href")
        names += _strings(resource.get("document-ids"), "identifier")
    return CatalogRef(tuple(name for name in names if name))


def _back_matter(collection: dict) -> dict[str, dict]:
    back_matter = collection.get("back-matter")
    if not isinstance(back_matter, dict):
        return {}
    return {
        str(resource["uuid"]): resource
        for resource in _list(back_matter.get("resources"))
        if isinstance(resource, dict) and "uuid" in resource
    }


# --- CSV -----------------------------------------------------------------------------------------


def parse_csv(raw: bytes, source_name: str) -> ParsedMappings:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MappingError(f"The file is not UTF-8 text: {error.reason}.") from error
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
        if header is None or not any(cell.strip() for cell in header):
            raise MappingError("The CSV file is empty: it needs a header row and one map a row.")
        columns = [_column(cell) for cell in header]
        unknown = [cell for cell in columns if cell not in CSV_REQUIRED + CSV_OPTIONAL]
        missing = [name for name in CSV_REQUIRED if name not in columns]
        if unknown or missing or len(set(columns)) != len(columns):
            raise MappingError(
                "The CSV header must name the columns "
                f"{', '.join(CSV_REQUIRED)} (and may add {', '.join(CSV_OPTIONAL)}), each once"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + "."
            )
        parsed = ParsedMappings(
            uuid=uuid.uuid5(CSV_NAMESPACE, source_name),
            title=source_name[:300],
            lenient_ids=True,
        )
        for cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            where = f"row {rows.line_num}"
            if len(cells) != len(columns):
                raise MappingError(
                    f"{sentence_start(where)} has {len(cells)} cells, the header {len(columns)}."
                )
            parsed.maps.append(_csv_map(dict(zip(columns, cells, strict=True)), where))
            if len(parsed.maps) > MAX_MAPS:
                raise MappingError(f"More than {MAX_MAPS} maps: split the file.")
    except csv.Error as error:
        raise MappingError(f"The CSV file is malformed (line {rows.line_num}: {error}).") from error
    if not parsed.maps:
        raise MappingError("The CSV file has a header but no maps.")
    return parsed


def _column(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _csv_map(row: dict[str, str], where: str) -> ParsedMap:
    relationship = re.sub(r"[\s_]+", "-", row["relationship"].strip().lower())
    if relationship not in RELATIONSHIPS:
        shown = row["relationship"].strip() or "nothing"
        raise MappingError(
            f"{sentence_start(where)}: unknown relationship “{shown}”; expected one of: "
            f"{', '.join(sorted(RELATIONSHIPS))}."
        )

    def catalog(column: str) -> CatalogRef | None:
        name = row.get(column, "").strip()
        return CatalogRef((name,)) if name else None

    return ParsedMap(
        where,
        relationship,
        catalog("source_catalog"),
        catalog("target_catalog"),
        [_control_id(row["source_control"].strip(), f"{where}: source_control")],
        [_control_id(row["target_control"].strip(), f"{where}: target_control")],
        row.get("remarks", "").strip(),
    )


# --- shared checks -------------------------------------------------------------------------------


def sentence_start(where: str) -> str:
    """A place in the file at the start of a message."""
    return where[:1].upper() + where[1:]


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise MappingError(f"{sentence_start(where)} must be an object.")
    return value


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _strings(value: object, key: str) -> list[str]:
    return [str(item.get(key) or "") for item in _list(value) if isinstance(item, dict)]


def _uuid(value: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise MappingError(f"{what} has no valid UUID (found “{value}”).") from error


def _control_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"{sentence_start(where)}: a control id is missing.")
    if len(value) > MAX_ID_LENGTH:
        raise MappingError(f"{sentence_start(where)}: the control id is too long.")
    return value.strip()
