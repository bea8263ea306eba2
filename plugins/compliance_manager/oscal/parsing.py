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

from . import parameters

#: OSCAL's token type: what ids must look like.
TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
#: The longest id a control or group may have (the columns that hold them).
MAX_ID_LENGTH = 100
#: How deep groups, controls and parts may nest: real catalogs use under ten levels; this keeps
#: a hostile file from exhausting Python's recursion.
MAX_DEPTH = 50
#: Where a withdrawn control's content went (SP 800-53 rev5).
WITHDRAWN_RELATIONS = ("moved-to", "incorporated-into")


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
    #: The top group the control is in, however deep.
    family_id: str | None = None
    #: The nearest group, when it is below the top group.
    subgroup_id: str | None = None
    #: ``props: status=withdrawn``: kept to show where it went, never assessed.
    withdrawn: bool = False
    #: Where a withdrawn control went: ``{"rel", "href", "control_id"}`` (``control_id`` empty
    #: when the link names no control of this catalog; ``family``, the family's title, when it
    #: names a family).
    withdrawn_to: list[dict] = field(default_factory=list)


@dataclass
class ParsedFamily:
    """A top group of the catalog."""

    oscal_id: str
    title: str
    sort_order: int


@dataclass
class ParsedSubgroup:
    """A group below a top group; ``sort_order`` is its place in the whole tree."""

    oscal_id: str
    title: str
    sort_order: int
    family_id: str
    #: The sub-group it sits in; None directly under its family.
    parent_id: str | None = None


@dataclass
class ParsedCatalog:
    uuid: uuid.UUID
    title: str
    version: str
    oscal_version: str
    families: list[ParsedFamily] = field(default_factory=list)
    subgroups: list[ParsedSubgroup] = field(default_factory=list)
    controls: list[ParsedControl] = field(default_factory=list)

    @property
    def top_level_count(self) -> int:
        return sum(1 for control in self.controls if control.parent_id is None)

    @property
    def withdrawn_count(self) -> int:
        return sum(1 for control in self.controls if control.withdrawn)


def load_json(raw: bytes | str) -> dict:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as error:
        raise OscalError(f"The file is not UTF-8 text: {error.reason}.") from error
    except json.JSONDecodeError as error:
        raise OscalError(
            f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    except RecursionError as error:
        raise OscalError(
            "The file is nested too deeply to be read (arrays or objects inside one another "
            "hundreds of times): it is not an OSCAL catalog."
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
        # The template's name in lists: a longer one is cut, on every database alike.
        title=_text(metadata.get("title"), "catalog.metadata.title")[:300],
        version=str(metadata.get("version", ""))[:100],
        oscal_version=str(metadata.get("oscal-version", ""))[:20],
    )
    seen: set[str] = set()
    _walk_groups(catalog.get("groups"), "catalog.groups", None, parsed, seen, {}, 0)
    _walk_controls(catalog.get("controls"), "catalog.controls", (None, None), None, parsed, seen, 0)
    if not parsed.controls:
        raise OscalError("The catalog holds no controls.")
    _resolve_withdrawn_links(parsed, seen)
    _leave_out_empty_groups(parsed)
    return parsed


def _check_depth(depth: int, where: str) -> None:
    if depth > MAX_DEPTH:
        raise OscalError(
            f"{where}: nested more than {MAX_DEPTH} levels deep; no OSCAL catalog we know of "
            "nests that far."
        )


def _walk_groups(groups, where, enclosing, parsed, seen, group_paths, depth) -> None:
    """Top groups become families, the groups below them sub-groups of their family (as in
    ISO-style catalogs: chapters › sections › topics); a control belongs to its nearest group.
    ``enclosing`` is the group these groups sit in, None at the top."""
    _check_depth(depth, where)
    for index, group in enumerate(_list(groups, where)):
        path = f"{where}[{index}]"
        group = _object(group, path)
        oscal_id = _token(group.get("id", f"group-{len(group_paths) + 1}"), f"{path}.id")
        if oscal_id in group_paths:
            # Two groups with one id would become one group holding both groups' controls.
            raise OscalError(
                f"{path}.id: group “{oscal_id}” appears twice (first at {group_paths[oscal_id]})."
            )
        group_paths[oscal_id] = path
        title = _text(group.get("title"), f"{path}.title")
        if enclosing is None:
            node = ParsedFamily(oscal_id, title, len(parsed.families))
            parsed.families.append(node)
            groups_of_controls = (oscal_id, None)
        else:
            if isinstance(enclosing, ParsedSubgroup):
                family_id, parent_id = enclosing.family_id, enclosing.oscal_id
            else:
                family_id, parent_id = enclosing.oscal_id, None
            node = ParsedSubgroup(oscal_id, title, len(parsed.subgroups), family_id, parent_id)
            parsed.subgroups.append(node)
            groups_of_controls = (family_id, oscal_id)
        _walk_controls(
            group.get("controls"), f"{path}.controls", groups_of_controls, None, parsed, seen, depth
        )
        _walk_groups(
            group.get("groups"), f"{path}.groups", node, parsed, seen, group_paths, depth + 1
        )


def _leave_out_empty_groups(parsed: ParsedCatalog) -> None:
    """A group with no control in it, however deep, has nothing to assess or score: it is left
    out (a family, a filter entry, a dashboard row for nothing)."""
    holding = {c.subgroup_id or c.family_id for c in parsed.controls}
    parent_of = {g.oscal_id: g.parent_id or g.family_id for g in parsed.subgroups}
    # Children come after their parents: walking backwards marks a parent after its children.
    for subgroup in reversed(parsed.subgroups):
        if subgroup.oscal_id in holding:
            holding.add(parent_of[subgroup.oscal_id])
    parsed.families = [f for f in parsed.families if f.oscal_id in holding]
    parsed.subgroups = [g for g in parsed.subgroups if g.oscal_id in holding]
    for number, item in enumerate(parsed.families):
        item.sort_order = number
    for number, item in enumerate(parsed.subgroups):
        item.sort_order = number


def _walk_controls(controls, where, groups, parent_id, parsed, seen, depth) -> None:
    """``groups``: the (family id, sub-group id) the controls are in, enhancements alike."""
    _check_depth(depth, where)
    family_id, subgroup_id = groups
    for index, control in enumerate(_list(controls, where)):
        path = f"{where}[{index}]"
        control = _object(control, path)
        oscal_id = _token(control.get("id"), f"{path}.id")
        if oscal_id in seen:
            raise OscalError(f"{path}.id: control “{oscal_id}” appears twice.")
        seen.add(oscal_id)
        params = _parameters(control.get("params"), f"{path}.params")
        by_id = {p["id"]: p for p in params}
        parts = _list(control.get("parts"), f"{path}.parts")
        withdrawn = _is_withdrawn(control)
        parsed.controls.append(
            ParsedControl(
                oscal_id=oscal_id,
                label=_label(control) or oscal_id.upper(),
                title=_text(control.get("title"), f"{path}.title"),
                sort_order=len(parsed.controls),
                statement=_prose(parts, "statement", by_id, f"{path}.parts"),
                guidance=_prose(parts, "guidance", by_id, f"{path}.parts"),
                parameters=params,
                parent_id=parent_id,
                family_id=family_id,
                subgroup_id=subgroup_id,
                withdrawn=withdrawn,
                withdrawn_to=_moved_to(control, f"{path}.links") if withdrawn else [],
            )
        )
        _walk_controls(
            control.get("controls"),
            f"{path}.controls",
            groups,
            oscal_id,
            parsed,
            seen,
            depth + 1,
        )


def _is_withdrawn(control: dict) -> bool:
    return any(
        isinstance(p, dict)
        and p.get("name") == "status"
        and str(p.get("value", "")).strip().lower() == "withdrawn"
        for p in control.get("props") or []
    )


def _moved_to(control: dict, where: str) -> list[dict]:
    return [
        {"rel": str(link["rel"]), "href": str(link.get("href", "")), "control_id": ""}
        for link in _list(control.get("links"), where)
        if isinstance(link, dict) and link.get("rel") in WITHDRAWN_RELATIONS
    ]


def _resolve_withdrawn_links(parsed: ParsedCatalog, control_ids: set[str]) -> None:
    """Which control a link names: "#ac-2_smt.k" (a part of AC-2's statement) and "#ac-6" name
    AC-2 and AC-6; "#sr" names a family (SA-12 went into the whole of Supply Chain Risk
    Management), or a sub-group."""
    families = {group.oscal_id: group.title for group in (*parsed.families, *parsed.subgroups)}
    for control in parsed.controls:
        for link in control.withdrawn_to:
            fragment = link["href"].rpartition("#")[2]
            for candidate in (fragment, fragment.split("_", 1)[0]):
                if candidate in control_ids:
                    link["control_id"] = candidate
                    break
            else:
                if fragment in families:
                    link["family"] = families[fragment]


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
        result.append(parameters.parameter(param, _token(param.get("id"), f"{where}[{index}].id")))
    by_id = {p["id"]: p for p in result}
    for param in result:
        param["text"] = parameters.describe(param, by_id)
    return result


def _prose(parts: list, name: str, by_id: dict[str, dict], where: str) -> str:
    """The text of the parts named ``name``, items indented under their labels."""
    lines: list[str] = []

    def walk(items, depth):
        _check_depth(depth, where)
        for part in items:
            if not isinstance(part, dict):
                continue
            prefix = _label(part)
            prose = part.get("prose", "")
            if prose or prefix:
                text = parameters.render(str(prose), by_id)
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
    return value.strip()


def _token(value, where) -> str:
    if not isinstance(value, str) or not TOKEN.match(value):
        raise OscalError(f"{where} is missing or not an OSCAL identifier: {value!r}.")
    if len(value) > MAX_ID_LENGTH:
        # Cut short, two long ids could become one: refused rather than merged.
        raise OscalError(
            f"{where}: the identifier “{value[:40]}…” is longer than {MAX_ID_LENGTH} characters."
        )
    return value
