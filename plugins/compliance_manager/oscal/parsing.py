"""Reading an OSCAL catalog into plain data, checking it before anything is written.

A resolved-profile catalog is an ordinary catalog, so one reader serves both. Every problem is
reported as an ``OscalError`` naming where in the file it is, so a malformed file is rejected
whole and the database is never half-updated.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

#: OSCAL's token type: what ids must look like.
TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
INSERT_PARAM = re.compile(r"\{\{\s*insert:\s*param,\s*([A-Za-z0-9_.\-]+)\s*\}\}")


class OscalError(ValueError):
    """The file is not an OSCAL catalog we can import; the message says what is wrong where."""


@dataclass
class ParsedControl:
    oscal_id: str
    label: str
    title: str
    sort_order: int
    statement: str
    guidance: str
    parameters: list[dict]
    parent_id: str | None = None
    family_id: str | None = None


@dataclass
class ParsedFamily:
    oscal_id: str
    title: str
    sort_order: int


@dataclass
class ParsedCatalog:
    uuid: uuid.UUID
    title: str
    version: str
    oscal_version: str
    families: list[ParsedFamily] = field(default_factory=list)
    controls: list[ParsedControl] = field(default_factory=list)

    @property
    def top_level_count(self) -> int:
        return sum(1 for control in self.controls if control.parent_id is None)


def load_json(raw: bytes | str) -> dict:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as error:
        raise OscalError(f"The file is not UTF-8 text: {error.reason}.") from error
    except json.JSONDecodeError as error:
        raise OscalError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    return data


def parse_catalog(data: object) -> ParsedCatalog:
    if not isinstance(data, dict):
        raise OscalError("Not an OSCAL document: the top level must be a JSON object.")
    if "catalog" not in data:
        if "profile" in data:
            raise OscalError(
                "This is an OSCAL profile, not a catalog: import its resolved-profile catalog."
            )
        found = ", ".join(sorted(map(str, data))) or "nothing"
        raise OscalError(f"Not an OSCAL catalog: no top-level “catalog” (found: {found}).")
    catalog = _object(data["catalog"], "catalog")
    metadata = _object(catalog.get("metadata"), "catalog.metadata")
    try:
        catalog_uuid = uuid.UUID(str(catalog.get("uuid", "")))
    except ValueError as error:
        raise OscalError("catalog.uuid is missing or not a UUID.") from error
    parsed = ParsedCatalog(
        uuid=catalog_uuid,
        title=_text(metadata.get("title"), "catalog.metadata.title"),
        version=str(metadata.get("version", ""))[:100],
        oscal_version=str(metadata.get("oscal-version", ""))[:20],
    )
    seen: set[str] = set()
    _walk_groups(catalog.get("groups"), "catalog.groups", "", parsed, seen)
    _walk_controls(catalog.get("controls"), "catalog.controls", None, None, parsed, seen)
    if not parsed.controls:
        raise OscalError("The catalog holds no controls.")
    return parsed


def _walk_groups(groups, where, title_prefix, parsed, seen) -> None:
    """Each group holding controls becomes a family; nested groups (as in ISO-style catalogs)
    become families titled with their path, e.g. "Access control › Business requirements"."""
    for index, group in enumerate(_list(groups, where)):
        path = f"{where}[{index}]"
        group = _object(group, path)
        family = ParsedFamily(
            oscal_id=_token(group.get("id", f"group-{len(parsed.families) + 1}"), f"{path}.id"),
            title=(title_prefix + _text(group.get("title"), f"{path}.title"))[:300],
            sort_order=len(parsed.families),
        )
        if group.get("controls"):
            parsed.families.append(family)
        _walk_controls(
            group.get("controls"), f"{path}.controls", family.oscal_id, None, parsed, seen
        )
        _walk_groups(group.get("groups"), f"{path}.groups", family.title + " › ", parsed, seen)


def _walk_controls(controls, where, family_id, parent_id, parsed, seen) -> None:
    for index, control in enumerate(_list(controls, where)):
        path = f"{where}[{index}]"
        control = _object(control, path)
        oscal_id = _token(control.get("id"), f"{path}.id")
        if oscal_id in seen:
            raise OscalError(f"{path}.id: control “{oscal_id}” appears twice.")
        seen.add(oscal_id)
        parameters = _parameters(control.get("params"), f"{path}.params")
        labels = {p["id"]: p["label"] for p in parameters}
        parts = _list(control.get("parts"), f"{path}.parts")
        parsed.controls.append(
            ParsedControl(
                oscal_id=oscal_id,
                label=_label(control) or oscal_id.upper(),
                title=_text(control.get("title"), f"{path}.title"),
                sort_order=len(parsed.controls),
                statement=_prose(parts, "statement", labels),
                guidance=_prose(parts, "guidance", labels),
                parameters=parameters,
                parent_id=parent_id,
                family_id=family_id,
            )
        )
        _walk_controls(
            control.get("controls"), f"{path}.controls", family_id, oscal_id, parsed, seen
        )


def _label(item: dict) -> str:
    """The plain label (e.g. "AC-2"), preferred over zero-padded or assessment variants."""
    labels = [
        p for p in item.get("props") or [] if isinstance(p, dict) and p.get("name") == "label"
    ]
    plain = [p for p in labels if not p.get("class")]
    chosen = (plain or labels or [{}])[0]
    return str(chosen.get("value", ""))[:100]


def _parameters(params, where) -> list[dict]:
    result = []
    for index, param in enumerate(_list(params, where)):
        param = _object(param, f"{where}[{index}]")
        select = param.get("select") or {}
        choices = [str(c) for c in select.get("choice", [])] if isinstance(select, dict) else []
        label = param.get("label") or (f"Selection: {', '.join(choices)}" if choices else "")
        result.append(
            {
                "id": _token(param.get("id"), f"{where}[{index}].id"),
                "label": str(label or param.get("id")),
                "choices": choices,
            }
        )
    return result


def _prose(parts: list, name: str, labels: dict[str, str]) -> str:
    """The text of the parts named ``name``, items indented under their labels."""
    lines: list[str] = []

    def walk(items, depth):
        for part in items:
            if not isinstance(part, dict):
                continue
            prefix = _label(part)
            prose = part.get("prose", "")
            if prose or prefix:
                text = INSERT_PARAM.sub(
                    lambda m: f"[Assignment: {labels.get(m.group(1), m.group(1))}]", str(prose)
                )
                lines.append("  " * depth + f"{prefix} {text}".strip())
            walk(part.get("parts") or [], depth + 1)

    walk([p for p in parts if isinstance(p, dict) and p.get("name") == name], 0)
    return "\n".join(lines)


def _object(value, where) -> dict:
    if not isinstance(value, dict):
        raise OscalError(f"{where} must be an object.")
    return value


def _list(value, where) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OscalError(f"{where} must be a list.")
    return value


def _text(value, where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise OscalError(f"{where} is missing or empty.")
    return value.strip()[:300]


def _token(value, where) -> str:
    if not isinstance(value, str) or not TOKEN.match(value):
        raise OscalError(f"{where} is missing or not an OSCAL identifier: {value!r}.")
    return value[:100]
